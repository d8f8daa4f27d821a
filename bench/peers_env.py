"""Plumbing for ``bench/peers.py``: the peers' virtualenv, nginx, and whole-process measurement.

- :func:`ensure_venv` makes a virtualenv and reinstalls it when the file it is made from
  changes: ``bench/out/peers-venv`` from ``bench/requirements-peers.txt`` (never the project's
  own environment) and ``bench/out/sitelore-venv``, holding only ``pip install -e <repo>``
  (made from ``pyproject.toml``), where sitelore and the floor run, so that nothing installed
  beside the project (trio, say, which httpcore imports when present) is measured.
- :func:`tool_env` is the environment every measured process gets: bytecode caching on, into
  ``bench/out/pycache``, as a pip-installed package has it.
- :class:`SiteServer` serves dev sites of ``../shared/eval/sites`` on 127.0.0.1, one port each,
  with nginx (Debian ``nginx-light``, installed when missing). Each site is first exported into
  a temp doc root with the kit's own ``--rewrite-absolute`` rewrite (``serve_sites.Site``) for
  host ``127.0.0.1:<port>``, and the config reproduces the kit's GitHub-Pages rules (``/x`` ->
  301 ``/x/`` for folders, ``/x/`` -> ``x/index.html``, ``/x`` -> ``x.html``, ``404.html`` with
  status 404) and content types. Without nginx it falls back to ``serve_sites.py --site``
  (one process per site) and says so.
- :func:`run_measured` runs one command and returns its wall seconds and, from ``wait4``, the
  CPU seconds and peak RSS of the process and every descendant it waited for (through a small
  launcher process, so that the bench's own RSS does not leak into the figure).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import mimetypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchkit import EVAL, OUT, ROOT, stop, wait_port

REQUIREMENTS = ROOT / "bench" / "requirements-peers.txt"


# -- the virtualenvs of the tools ------------------------------------------------------------

PEERS_VENV = OUT / "peers-venv"
SITELORE_VENV = OUT / "sitelore-venv"
PYCACHE = OUT / "pycache"


def ensure_venv(venv: Path, source: Path, install: list[str]) -> tuple[Path, float | None]:
    """The venv's python, and the install seconds when it had to be (re)built now.

    ``install`` are the arguments of its ``pip install``; the venv is rebuilt whenever
    ``source`` (the file it is made from) changes.
    """
    python = venv / "bin" / "python"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    marker = venv / "requirements.sha256"  # the name older runs wrote
    if python.exists() and marker.exists() and marker.read_text() == digest:
        return python, None
    begin = time.monotonic()
    if venv.exists():
        shutil.rmtree(venv)
    print(f"creating {venv} from {source.name} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, *install], check=True)
    marker.write_text(digest)
    return python, time.monotonic() - begin


def ensure_peers_venv() -> tuple[Path, float | None]:
    return ensure_venv(PEERS_VENV, REQUIREMENTS, ["-r", str(REQUIREMENTS)])


def ensure_sitelore_venv() -> tuple[Path, float | None]:
    """sitelore alone, editable: the working tree is what runs."""
    return ensure_venv(SITELORE_VENV, ROOT / "pyproject.toml", ["-e", str(ROOT)])


def tool_env(base: dict[str, str]) -> dict[str, str]:
    """``base`` with bytecode caching on, into :data:`PYCACHE` (not the checkout).

    A pip install compiles every module; an editable install of the working tree is compiled
    on first import, unless ``PYTHONDONTWRITEBYTECODE`` forbids it, and then each run would
    compile sitelore's sources again (~60 ms here) while the peers load theirs compiled.
    """
    env = {name: value for name, value in base.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def python_version(python: Path) -> str:
    done = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


# -- serving the dev sites --------------------------------------------------------------------


def load_kit() -> Any:
    """The kit's serve_sites module (stdlib only): its Site rewrite and content-type rules."""
    spec = importlib.util.spec_from_file_location("serve_sites", EVAL / "serve_sites.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {EVAL / 'serve_sites.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    mimetypes.add_type("application/xml", ".xml")  # what serve_sites.main() does
    mimetypes.add_type("text/plain", ".txt")
    return module


def ensure_nginx() -> tuple[str | None, str]:
    """(path to nginx or None, what happened)."""
    found = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if found:
        return found, "found"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "nginx missing and apt-get unavailable (not root or not Debian)"
    print("installing nginx-light (apt-get) ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "nginx-light"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    found = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    return (found, "installed now") if found else (None, "apt-get install nginx-light failed")


def export_site(kit: Any, name: str, dest: Path, host: str) -> dict[str, str]:
    """Copy ``sites/<name>/site`` to ``dest`` as served with --rewrite-absolute for ``host``.

    Returns the content type (without charset) of every file extension seen.
    """
    site = kit.load_sites(str(EVAL / "sites"))[name]
    source = Path(site.root)
    types: dict[str, str] = {}
    for path in source.rglob("*"):
        target = dest / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        ctype = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
        if path.suffix:
            types[path.suffix.lower().lstrip(".")] = ctype
        body = path.read_bytes()
        if ctype in kit.REWRITE_TYPES:
            body = site.rewrite(body, host)
        target.write_bytes(body)
    return types


NGINX_SERVER = """
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        root {root};
        error_page 404 /404.html;
        {extra}
        location / {{
            if (-d $request_filename) {{ rewrite ^(.*[^/])$ $1/ permanent; }}
            try_files $uri $uri.html =404;
        }}
        location ~ /$ {{ try_files ${{uri}}index.html =404; }}
    }}
"""

NGINX_MAIN = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ {types} }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types {charset_types};
    access_log off;
    server_tokens off;
    absolute_redirect off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 60s;
    keepalive_requests 100000;
    open_file_cache max=4000 inactive=120s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{servers}
}}
"""


class SiteServer:
    """Dev sites on 127.0.0.1, one port each: ``(site, port, extra nginx directives)``."""

    def __init__(self, tmp: Path, plan: list[tuple[str, int, str]]) -> None:
        self.tmp = tmp
        self.plan = plan
        self.processes: list[subprocess.Popen[bytes]] = []
        self.description = ""

    def start(self) -> None:
        nginx, how = ensure_nginx()
        if nginx is None:
            self._start_fallback(how)
            return
        kit = load_kit()
        _open_for_workers(self.tmp)
        types: dict[str, str] = {}
        servers = []
        for name, port, extra in self.plan:
            root = self.tmp / f"{name}-{port}"
            host = "127.0.0.1" if port == 80 else f"127.0.0.1:{port}"
            types.update(export_site(kit, name, root, host))
            servers.append(NGINX_SERVER.format(port=port, root=root, extra=extra))
        by_type: dict[str, list[str]] = {}
        for ext, ctype in sorted(types.items()):
            by_type.setdefault(ctype, []).append(ext)
        type_lines = " ".join(f"{ctype} {' '.join(exts)};" for ctype, exts in by_type.items())
        charset_types = " ".join(sorted(t for t in kit.TEXT_TYPES if t != "text/html"))
        config = self.tmp / "nginx.conf"
        config.write_text(
            NGINX_MAIN.format(
                tmp=self.tmp,
                types=type_lines,
                charset_types=charset_types,
                servers="".join(servers),
            )
        )
        log = (self.tmp / "nginx.out").open("wb")
        command = [nginx, "-p", str(self.tmp), "-c", str(config), "-e", str(self.tmp / "error.log")]
        nginx_process = subprocess.Popen(command, stdout=log, stderr=log)
        self.processes.append(nginx_process)
        up = all(wait_port(port) for _, port, _ in self.plan)
        if not up or nginx_process.poll() is not None:
            self.stop()
            error = (self.tmp / "error.log").read_text(errors="replace")[-300:]
            self._start_fallback(f"nginx did not start: {error.strip()}")
            return
        version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        self.description = (
            f"{version.replace('nginx version: ', '')} ({how}), 1 worker process, "
            "each site exported with the kit's --rewrite-absolute rewrite"
        )

    def _start_fallback(self, reason: str) -> None:
        """serve_sites.py, one process per site: not a fair server for throughput."""
        for name, port, _ in self.plan:
            command = [sys.executable, str(EVAL / "serve_sites.py"), "--site", name,
                       "--port", str(port), "--rewrite-absolute", "--quiet"]  # fmt: skip
            self.processes.append(subprocess.Popen(command))
            if not wait_port(port):
                self.stop()
                raise SystemExit(f"serve_sites.py did not start for {name}")
        self.description = f"FALLBACK serve_sites.py (Python http.server): {reason}"

    def stop(self) -> None:
        for process in self.processes:
            stop(process)
        self.processes = []


def _open_for_workers(folder: Path) -> None:
    """nginx workers run as nobody when started by root: let them reach the temp doc roots."""
    top = Path(tempfile.gettempdir()).resolve()
    folder = folder.resolve()
    while folder != top and top in folder.parents:
        folder.chmod(0o755)
        folder = folder.parent


def port_80_free() -> bool:
    """Whether 127.0.0.1:80 can be listened on (root, nothing else on it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 80))
        except OSError:
            return False
        return True


# -- measuring one process --------------------------------------------------------------------


@dataclass
class Measured:
    wall: float
    cpu: float
    rss_mb: float
    code: int
    stdout: str
    stderr: str


# Runs in a fresh, small interpreter: forks the command, reaps it with wait4, reports JSON.
# A process's ru_maxrss includes the high-water RSS of the image it exec'd from, so a command
# started straight from this (large) bench process would report at least the bench's own RSS.
LAUNCHER = """
import json, os, sys, time
begin = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
report = {"wall": time.perf_counter() - begin, "cpu": usage.ru_utime + usage.ru_stime,
          "maxrss_kib": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}
with open(sys.argv[1], "w") as out:
    json.dump(report, out)
"""


def run_measured(
    command: list[str], env: dict[str, str] | None = None, timeout: float = 600.0
) -> Measured:
    """Run ``command``: wall from fork to reap; CPU and peak RSS from wait4 (the command and
    the descendants it waited for), through :data:`LAUNCHER`."""
    with (
        open(os.devnull, "rb") as stdin,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as report,
    ):
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, report.name, *command]
        process = subprocess.Popen(
            launcher, stdin=stdin, stdout=out, stderr=err, env=env, start_new_session=True
        )
        timer = threading.Timer(timeout, _kill_group, (process,))
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
            _kill_group(process)  # Ctrl-C, or a tool that left children behind
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        try:
            figures = json.load(report)
        except json.JSONDecodeError:
            return Measured(0.0, 0.0, 0.0, process.returncode or -1, stdout, stderr)
        return Measured(
            wall=figures["wall"],
            cpu=figures["cpu"],
            rss_mb=figures["maxrss_kib"] / 1024,
            code=figures["code"],
            stdout=stdout,
            stderr=stderr,
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the launcher's session (the tool and anything it started), if still there."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()

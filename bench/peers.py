"""sitelore against peer crawlers on the evaluation kit's dev sites, served by nginx.

Installs the peers into their own virtualenv (``bench/out/peers-venv``, from
``bench/requirements-peers.txt``; never into the project's environment) and sitelore, alone and
editable, into another (``bench/out/sitelore-venv``: sitelore and the floor run there, not in
the Python running this script, whose unrelated packages would be measured too), serves each
dev site with nginx on 127.0.0.1 (``peers_env.SiteServer``), and runs, interleaved over
``--rounds`` rounds (the order rotates every round, after one unmeasured warm-up round), at 20
pages and at all reachable pages (cap 100), each as its own process, with bytecode caching on
(``peers_env.tool_env``):

- ``sitelore extract URL --max-pages N --concurrency C --no-robots -q -o FILE`` (``python -m
  sitelore`` of the sitelore venv);
- ``floor``: a bare httpx + selectolax BFS that only fetches and parses (``bench/peers/floor.py``,
  in the sitelore venv: httpx and selectolax are sitelore's own dependencies);
- ``trafilatura``: its focused crawler + ``extract`` to Markdown (sequential by design);
- ``scrapy``: a CrawlSpider storing trafilatura Markdown;
- ``crawl4ai``: its BFS deep crawl with the browser-free HTTP strategy.

Every tool gets the same page cap and concurrency, no artificial delay and robots.txt off.
Per tool it prints pages fetched, whole-process wall and CPU seconds and peak RSS (``wait4``),
pages/s (medians over rounds), and sitelore's wall and CPU ratio to it (median of the per-round
ratios, min-max). Then the side figures of ``peers_extra``: per-page CPU against
``trafilatura.extract``, article F1, start-up time and ``sitelore serve`` RSS with 50 jobs.

    python bench/peers.py [--rounds 5] [--sites budibase,mover-io] [--concurrency 4] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import peers_extra
from benchkit import EVAL, ROOT, free_port
from peers_env import (
    PYCACHE,
    REQUIREMENTS,
    Measured,
    SiteServer,
    ensure_peers_venv,
    ensure_sitelore_venv,
    port_80_free,
    python_version,
    run_measured,
    tool_env,
)

PEERS = ROOT / "bench" / "peers"
TOOLS = ["sitelore", "floor", "trafilatura", "scrapy", "crawl4ai"]
IMPORTS = {
    "trafilatura": "import trafilatura, trafilatura.spider",
    "scrapy": "import scrapy.spiders, trafilatura",
    "crawl4ai": "from crawl4ai.async_crawler_strategy import AsyncHTTPCrawlerStrategy",
}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    pages: int
    fetches: int


@dataclass
class Cell:
    """One tool on one site at one cap: its runs, round by round (None: that run failed)."""

    runs: list[Run | None] = field(default_factory=list)
    error: str = ""


def command_for(tool: str, url: str, cap: int, args: argparse.Namespace, out: Path) -> list[str]:
    common = [url, "--max-pages", str(cap), "--concurrency", str(args.concurrency)]
    if tool == "sitelore":
        return [str(args.sitelore_python), "-m", "sitelore", "extract", *common, "--no-robots",
                "-q", "-o", str(out)]  # fmt: skip
    if tool == "floor":
        return [str(args.sitelore_python), str(PEERS / "floor.py"), *common]
    script = {"trafilatura": "trafilatura_crawl.py", "scrapy": "scrapy_spider.py",
              "crawl4ai": "crawl4ai_bfs.py"}[tool]  # fmt: skip
    return [str(args.peer_python), str(PEERS / script), *common, "--out", str(out)]


def pages_of(tool: str, measured: Measured, out: Path) -> tuple[int, int]:
    """(distinct pages, page fetches) as the tool reported them."""
    if tool == "sitelore":
        pages: int = json.loads(out.read_text())["pagesScraped"]
        return pages, pages
    lines = [line for line in measured.stdout.splitlines() if line.startswith("{")]
    summary = json.loads(lines[-1])
    return int(summary["pages"]), int(summary["fetches"])


def run_one(tool: str, url: str, cap: int, args: argparse.Namespace, cell: Cell) -> Run | None:
    out = args.tmp / f"{tool}.out"
    out.unlink(missing_ok=True)
    measured = run_measured(command_for(tool, url, cap, args, out), env=args.env, timeout=600)
    try:
        if measured.code != 0:
            raise ValueError(f"exit {measured.code}")
        pages, fetches = pages_of(tool, measured, out)
        return Run(measured.wall, measured.cpu, measured.rss_mb, pages, fetches)
    except (ValueError, KeyError, IndexError, OSError) as error:
        cell.error = f"{error}: {measured.stderr.strip()[-300:]}"
        return None


def measure_site(site: str, port: int, args: argparse.Namespace) -> dict[tuple[int, str], Cell]:
    """Every cap x round x tool on one site; the tool order rotates every round."""
    url = "http://127.0.0.1/" if port == 80 else f"http://127.0.0.1:{port}/"
    cells = {(cap, tool): Cell() for cap in args.caps for tool in args.tools}
    for cap in args.caps:
        for round_no in range(args.rounds + 1):  # round 0 warms up and is not kept
            shift = round_no % len(args.tools)
            for tool in args.tools[shift:] + args.tools[:shift]:
                run = run_one(tool, url, cap, args, cells[cap, tool])
                if round_no:
                    cells[cap, tool].runs.append(run)
            print(f"  {site} cap {cap}: round {round_no or 'warm-up'} done", file=sys.stderr)
    return cells


def ratio(mine: list[Run | None], theirs: list[Run | None], attr: str) -> str:
    values = [getattr(a, attr) / getattr(b, attr) for a, b in zip(mine, theirs, strict=True)
              if a is not None and b is not None and getattr(b, attr) > 0]  # fmt: skip
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def print_table(site: str, cap: int, cells: dict[tuple[int, str], Cell], args: argparse.Namespace,
                unavailable: dict[str, str]) -> None:  # fmt: skip
    label = "all reachable pages, cap" if cap >= 100 else "cap"
    print(
        f"\n{site}, {label} {cap} pages, concurrency {args.concurrency}, median of "
        f"{args.rounds} rounds; ratio = sitelore / tool, median of per-round ratios (min-max)"
    )
    names = ("pages", "fetched", "wall s", "CPU s", "RSS MB", "pages/s")
    print(f"{'tool':12}" + "".join(f"{name:>8}" for name in names)
          + f"  {'sitelore/tool wall':>20}  {'sitelore/tool CPU':>20}")  # fmt: skip
    mine = cells[cap, "sitelore"].runs if "sitelore" in args.tools else []
    for tool in args.tools:
        if tool in unavailable:
            print(f"{tool:12} unavailable: {unavailable[tool]}")
            continue
        cell = cells[cap, tool]
        runs = [run for run in cell.runs if run is not None]
        if not runs:
            print(f"{tool:12} failed: {cell.error}")
            continue
        wall = statistics.median(r.wall for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        rss = statistics.median(r.rss_mb for r in runs)
        pages = statistics.median(r.pages for r in runs)
        fetches = statistics.median(r.fetches for r in runs)
        rate = statistics.median(r.pages / r.wall for r in runs)
        walls = ratio(mine, cell.runs, "wall") if mine and tool != "sitelore" else ""
        cpus = ratio(mine, cell.runs, "cpu") if mine and tool != "sitelore" else ""
        failed = f"  ({len(cell.runs) - len(runs)} runs failed: {cell.error})" if cell.error else ""
        line = (f"{tool:12}{pages:8.0f}{fetches:8.0f}{wall:8.2f}{cpu:8.2f}{rss:8.0f}{rate:8.1f}"
                f"  {walls:>20}  {cpus:>20}{failed}")  # fmt: skip
        print(line.rstrip())


def peer_venv(args: argparse.Namespace) -> dict[str, str]:
    """Make the peers' venv; returns {tool: reason} for the peers that cannot run."""
    args.peer_python = None
    if not set(IMPORTS) & set(args.tools) and (args.quick or args.no_extra):
        return {}  # no peer to run: no 60 s install
    try:
        args.peer_python, seconds = ensure_peers_venv()
    except (subprocess.CalledProcessError, OSError) as error:
        return dict.fromkeys(IMPORTS, f"peers venv failed: {error}")
    if seconds is not None:
        print(f"peers venv installed in {seconds:.0f} s", file=sys.stderr)
    unavailable = {}
    for tool, statement in IMPORTS.items():
        done = subprocess.run([str(args.peer_python), "-c", statement], capture_output=True,
                              text=True, env=args.env)  # fmt: skip
        if done.returncode != 0:
            unavailable[tool] = (done.stderr.strip().splitlines() or ["import failed"])[-1]
    return unavailable


def sitelore_venv(args: argparse.Namespace) -> None:
    """Make sitelore's own venv (sitelore and the floor run there)."""
    try:
        args.sitelore_python, seconds = ensure_sitelore_venv()
    except (subprocess.CalledProcessError, OSError) as error:
        raise SystemExit(f"sitelore venv failed: {error}") from error
    if seconds is not None:
        print(f"sitelore venv installed in {seconds:.0f} s", file=sys.stderr)


def print_pythons(args: argparse.Namespace) -> None:
    """Which Python runs which tool."""
    version = python_version(args.sitelore_python)
    print(f"sitelore, floor: {args.sitelore_python} (Python {version}; only pip install -e "
          f"{ROOT} and its dependencies)")  # fmt: skip
    pins = [line for line in REQUIREMENTS.read_text().splitlines() if "==" in line]
    if args.peer_python is None:
        print(f"peers: {', '.join(pins)}: not run, no venv made")
    else:
        version = python_version(args.peer_python)
        print(f"peers: {', '.join(pins)} in {args.peer_python} (Python {version})")
    print(f"bytecode cache: PYTHONPYCACHEPREFIX={PYCACHE}, for every tool")


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sites", default="budibase,mover-io")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--quick", action="store_true", help="1 round, 20 pages, no side figures")
    parser.add_argument("--no-extra", action="store_true", help="skip the side figures")
    args = parser.parse_args()
    if not EVAL.is_dir():
        raise SystemExit(f"no evaluation kit at {EVAL}")
    args.caps = [20] if args.quick else [20, 100]
    args.rounds = 1 if args.quick else args.rounds
    args.tools = [tool for tool in args.tools.split(",") if tool]
    args.env = tool_env({k: v for k, v in os.environ.items() if k not in PROXY_VARS})
    args.env["CRAWL4AI_NO_CLOUD_NOTICE"] = "1"
    unavailable = peer_venv(args)
    sitelore_venv(args)
    port = 80 if port_80_free() else free_port()
    if port != 80:
        unavailable.setdefault(
            "trafilatura",
            "127.0.0.1:80 is not free; its link filter (courlan) drops every "
            "http://<IP>:<port>/ URL",
        )
    sites = [site for site in args.sites.split(",") if site]
    runnable = argparse.Namespace(**vars(args))
    runnable.tools = [tool for tool in args.tools if tool not in unavailable]
    print(f"machine: {machine()}")
    print(f"command: python bench/peers.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print_pythons(args)
    with tempfile.TemporaryDirectory(prefix="sitelore-peers-") as tmp_name:
        args.tmp = runnable.tmp = Path(tmp_name)
        args.env["CRAWL4_AI_BASE_DIRECTORY"] = str(args.tmp)
        results: dict[str, dict[tuple[int, str], Cell]] = {}
        for site in sites:
            (args.tmp / site).mkdir()
            server = SiteServer(args.tmp / site, [(site, port, "")])
            server.start()
            print(f"server for {site}: {server.description}, http://127.0.0.1:{port}/")
            try:
                results[site] = measure_site(site, port, runnable)
            finally:
                server.stop()
        for site in sites:
            for cap in args.caps:
                print_table(site, cap, results[site], args, unavailable)
        if not (args.quick or args.no_extra):
            peers_extra.page_cpu(args.sitelore_python, args.peer_python, args.env)
            peers_extra.article_f1(args.peer_python, args.tmp)
            peers_extra.startup(args.sitelore_python, args.env)
            peers_extra.serve_rss(args.sitelore_python, args.tmp, port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The side figures of ``bench/peers.py``: per-page CPU, article F1, start-up, serve RSS.

- per-page CPU of sitelore's page pipeline (``peers/sitelore_pages.py``: parse, clean,
  sections, Markdown, items) in sitelore's venv on every non-empty HTML file of the dev sites,
  against ``trafilatura.extract`` (Markdown) on the same files in the peers' venv, and a bare
  selectolax parse for scale (``peers/page_timing.py``: one pass as in a crawl, and the
  fastest of 5);
- F1 of sitelore's main-text step (``Document.main_blocks``, :mod:`sitelore.core.maintext`,
  which the pipeline uses for blog and news posts) on the article benchmark, against
  trafilatura, scored with the kit's ``score.py articles``, over all pages and over the two
  halves by id (first hex digit 0-7: the half whose failures were looked at while the step
  was written; 8-f: held out);
- ``sitelore extract --help`` start-up time, through the sitelore venv's console script;
- ``sitelore serve --workers 50`` peak RSS with 50 jobs running against a throttled site (the
  sitelore venv's Python).

The last two start sitelore as processes of the sitelore venv (``peers_env``), as the crawl
runs of ``bench/peers.py`` do; the first two run in this process.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from benchkit import EVAL, ROOT, free_port, stop
from peers_env import SiteServer, run_measured

from sitelore.core.document import parse_document

PEERS = ROOT / "bench" / "peers"
PAGE_PASSES = 5


def spread(values: list[float]) -> tuple[float, float]:
    """(median, p90)."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def dev_pages() -> list[tuple[Path, str]]:
    """Every non-empty HTML file of the dev sites, with the URL it has on its own domain."""
    pages = []
    for manifest in sorted((EVAL / "sites").glob("*/manifest.json")):
        domain = json.loads(manifest.read_text())["domains"][0]
        root = manifest.parent / "site"
        for path in sorted(root.rglob("*.html")):
            if path.stat().st_size > 0:
                pages.append((path, f"http://{domain}/{path.relative_to(root).as_posix()}"))
    return pages


def page_cpu(sitelore_python: Path, peer_python: Path | None, env: dict[str, str]) -> None:
    """Per-page CPU of sitelore's page pipeline and of trafilatura, each in its own venv."""
    pages = dev_pages()
    runs = {"sitelore": [str(sitelore_python), str(PEERS / "sitelore_pages.py")]}
    if peer_python is not None:
        runs["trafilatura"] = [str(peer_python), str(PEERS / "trafilatura_pages.py"), "times"]
    answers: dict[str, Any] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as listing:
        json.dump([[str(path), url] for path, url in pages], listing)
        listing.flush()
        for tool, command in runs.items():
            done = subprocess.run([*command, listing.name, "--passes", str(PAGE_PASSES)],
                                  capture_output=True, text=True, env=env)  # fmt: skip
            if done.returncode == 0:
                answers[tool] = json.loads(done.stdout)
            else:
                print(f"{tool} per-page timing failed: {done.stderr.strip()[-300:]}")
    rows = []
    if "sitelore" in answers:
        rows += [("sitelore page pipeline", answers["sitelore"]["pipeline"]),
                 ("selectolax parse only", answers["sitelore"]["parse"])]  # fmt: skip
    if "trafilatura" in answers:
        rows.append(('trafilatura.extract(output_format="markdown")', answers["trafilatura"]))
    print(f"\nPer-page CPU, {len(pages)} non-empty HTML files of the 7 dev sites, process time "
          f"in each tool's venv; {PAGE_PASSES} passes over the pages in site order; one pass: "
          "a page's time in the first (caches filled by the pages before it, as in a crawl); "
          "fastest: its fastest pass (caches warm from its own runs)")  # fmt: skip
    print(f"{'step':46} {'one pass: median':>16} {'p90':>6} {'fastest: median':>15} {'p90':>6}")
    for name, passes in rows:
        first, best = spread(passes["first"]), spread(passes["best"])
        print(f"{name:46} {first[0]:16.2f} {first[1]:6.2f} {best[0]:15.2f} {best[1]:6.2f}")


def main_text(html: str, url: str) -> str:
    """sitelore's main text of one page."""
    return "\n".join(block.text for block in parse_document(html, url).main_blocks())


def article_f1(peer_python: Path | None, tmp: Path) -> None:
    folder = EVAL / "articles"
    gold = folder / "ground-truth.json"
    truth = json.loads(gold.read_text())
    texts = {}
    begin = time.process_time()
    for path in sorted((folder / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        texts[key] = main_text(html, truth.get(key, {}).get("url", "http://example.com/"))
    cpu = time.process_time() - begin
    predictions = {"sitelore main text": tmp / "articles-sitelore.json"}
    predictions["sitelore main text"].write_text(json.dumps(texts))
    if peer_python is not None:
        out = tmp / "articles-trafilatura.json"
        command = [str(peer_python), str(PEERS / "trafilatura_pages.py"), "articles",
                   str(folder), str(out)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode == 0:
            predictions["trafilatura.extract (defaults, text)"] = out
        else:
            print(f"trafilatura articles failed: {done.stderr.strip()[-300:]}")
    print(f"\nArticle extraction, {len(truth)} pages of ../shared/eval/articles, score.py articles "
          f"(sitelore: {cpu:.1f} s CPU for all pages)")  # fmt: skip
    halves = {"all": gold, **_gold_halves(truth, tmp)}
    print(f"{'extractor':40} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6}   "
          f"{'upstream P':>10} {'R':>6} {'F1':>6}")  # fmt: skip
    for name, path in predictions.items():
        for half, gold_path in halves.items():
            report = _score(gold_path, path)
            up = report["upstream"]
            print(f"{name:40} {half:>5} {report['precision']:6.3f} {report['recall']:6.3f} "
                  f"{report['f1']:6.3f}   {up['precision']:10.3f} {up['recall']:6.3f} "
                  f"{up['f1']:6.3f}")  # fmt: skip
    print("(left: lower-cased, every gold page counts; right: as upstream evaluate.py; "
          "0-7 / 8-f: pages by the first hex digit of their id)")  # fmt: skip


def _gold_halves(truth: dict[str, dict[str, str]], tmp: Path) -> dict[str, Path]:
    """The gold file split by the first hex digit of the page id: 0-7 and 8-f."""
    halves = {}
    for name, digits in (("0-7", "01234567"), ("8-f", "89abcdef")):
        path = tmp / f"articles-gold-{name}.json"
        path.write_text(json.dumps({k: v for k, v in truth.items() if k[0] in digits}))
        halves[name] = path
    return halves


def _score(gold: Path, prediction: Path) -> dict[str, Any]:
    command = [sys.executable, str(EVAL / "score.py"), "articles", "--gold", str(gold),
               "--pred", str(prediction), "--json"]  # fmt: skip
    report: dict[str, Any] = json.loads(
        subprocess.run(command, capture_output=True, check=True).stdout
    )
    return report


def startup(python: Path, env: dict[str, str], runs: int = 10) -> None:
    """Start-up of the console script of ``python``'s venv, and of the bare interpreter."""
    script = python.parent / "sitelore"
    rows = [
        ("sitelore extract --help", [str(script), "extract", "--help"]),
        ("python -c pass (interpreter alone)", [str(python), "-c", "pass"]),
    ]
    print(f"\nStart-up, whole process, median of {runs} runs (after one warm-up), {python.parent}")
    for name, argv in rows:
        run_measured(argv, env=env)
        measured = [run_measured(argv, env=env) for _ in range(runs)]
        wall = statistics.median(m.wall for m in measured) * 1000
        cpu = statistics.median(m.cpu for m in measured) * 1000
        rss = statistics.median(m.rss_mb for m in measured)
        print(f"{name:48} wall {wall:6.0f} ms  CPU {cpu:6.0f} ms  peak RSS {rss:5.0f} MB")


def _status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def serve_rss(
    python: Path, tmp: Path, site_port: int, jobs: int = 50, max_pages: int = 20, rate: str = "32k"
) -> None:
    """Peak RSS of ``sitelore serve --workers N`` while N jobs run (throttled nginx site)."""
    data = tmp / "serve-data"
    data.mkdir()
    api_port = free_port()
    site = SiteServer(tmp / "serve-site", [("budibase", site_port, f"limit_rate {rate};")])
    (tmp / "serve-site").mkdir()
    env = {**os.environ, "SITELORE_DATA_DIR": str(data),
           "SITELORE_ALLOW_PRIVATE_NETWORKS": "*", "SITELORE_ALLOWED_PORTS": "*",
           "SITELORE_MAX_CONCURRENT_JOBS_PER_KEY": str(jobs),
           "SITELORE_RATE_LIMIT_PER_MINUTE": "1000000"}  # fmt: skip
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(name, None)
    created = subprocess.run(
        [str(python), "-m", "sitelore", "keys", "create", "--name", "bench",
         "--data-dir", str(data)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    key = created.stdout.splitlines()[0]
    serve = subprocess.Popen(
        [str(python), "-m", "sitelore", "serve", "--port", str(api_port), "--workers",
         str(jobs), "--data-dir", str(data)],
        env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{api_port}"
    try:
        site.start()
        with httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=30) as client:
            _wait_healthy(client)
            time.sleep(1.0)
            idle = _status(serve.pid)["VmRSS"]
            url = "http://127.0.0.1/" if site_port == 80 else f"http://127.0.0.1:{site_port}/"
            body = {"url": url, "maxPages": max_pages}
            begin = time.monotonic()
            ids = [client.post("/v1/extract/async", json=body).json()["jobId"]
                   for _ in range(jobs)]  # fmt: skip
            most, statuses = 0, {}
            while time.monotonic() - begin < 600:
                listed = client.get("/v1/jobs", params={"limit": 100}).json()["jobs"]
                statuses = {job["id"]: job["status"] for job in listed}
                most = max(most, sum(1 for s in statuses.values() if s == "processing"))
                if all(statuses.get(i) in ("completed", "failed") for i in ids):
                    break
                time.sleep(0.2)
            seconds = time.monotonic() - begin
            peak = _status(serve.pid)["VmHWM"]
        done = sum(1 for s in statuses.values() if s == "completed")
        print(f"\nsitelore serve --workers {jobs}: {jobs} jobs (maxPages {max_pages}, budibase via "
              f"nginx limit_rate {rate}) submitted at once; at most {most} processing at once; "
              f"{done} completed in {seconds:.1f} s")  # fmt: skip
        print(f"RSS idle {idle / 1024:.0f} MB, peak (VmHWM) {peak / 1024:.0f} MB")
    finally:
        stop(serve, timeout=15)
        site.stop()


def _wait_healthy(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("sitelore serve did not start")

"""``sitelore extract``: output, exit statuses and one-line errors, against the local server.

The CLI resolves names itself, so these tests address the server by its literal loopback
address (``http://127.0.0.1:PORT/``); nothing else is ever contacted.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sitelore.cli import main
from tests.apikit import child_env, eventually
from tests.webserver import Response, WebServer, closed_port

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_site(web: WebServer, sites: Path) -> str:
    web.add_site("127.0.0.1", sites / "acme")
    return f"http://127.0.0.1:{web.port}/"


def test_extract_writes_the_result_json(local_site: str, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    status = main(["extract", local_site, "--max-pages", "3", "-o", str(out), "-q"])
    assert status == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["business"]["domain"] == "127.0.0.1"
    assert result["pagesScraped"] == 3
    assert result["knowledgeItems"], "a site with content gives items"
    assert set(result) == {
        "business", "knowledgeItems", "pagesScraped", "urlsDiscovered", "durationMs",
        "startedAt", "finishedAt", "warnings",
    }  # fmt: skip


def test_extract_prints_json_on_stdout(local_site: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", local_site, "--single-page", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pagesScraped"] == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["extract", "not a url"], "url must start with http:// or https://"),
        (["extract", "ftp://example.test/"], "url must start with http:// or https://"),
        (["extract", "http://a.test/", "--max-pages", "0"], "--max-pages must be between 1 and"),
        (["extract", "http://a.test/", "--max-pages", "many"], "--max-pages"),
        (["extract", "http://a.test/", "--timeout", "0"], "--timeout must be between"),
        (["extract", "http://a.test/", "--concurrency", "500"], "--concurrency must be between"),
        (["extract", "http://a.test/", "--include", "/docs/**x"], "--include: pattern"),
        (["extract", "http://a.test/", "--exclude", "a b"], "without spaces"),
        (["extract", "http://a.test/", "--urls", "http://b.test/x"], "--urls: http://b.test/x is"),
        (["extract"], "Missing argument"),
        (["extract", "http://a.test/", "--bogus"], "No such option"),
    ],
    ids=[
        "not-a-url", "ftp", "zero-pages", "pages-not-a-number", "zero-timeout",
        "too-much-concurrency", "bad-glob", "spaced-glob", "off-site-urls", "no-url",
        "unknown-option",
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert error.startswith("sitelore: error: ")
    assert message in error


def test_refused_connection_exits_1_naming_the_cause(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert main(["extract", f"http://127.0.0.1:{port}/", "-q", "--timeout", "2"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "Connection refused" in error


def test_timeout_exits_1_with_the_timeout_message(
    web: WebServer, capsys: pytest.CaptureFixture[str]
) -> None:
    web.add_route("127.0.0.1", "*", Response(200, {"Content-Type": "text/html"}, b"", delay=5))
    url = f"http://127.0.0.1:{web.port}/"
    assert main(["extract", url, "-q", "--timeout", "1", "--no-robots"]) == 1
    assert "Connection timeout after 1s" in capsys.readouterr().err


def test_robots_forbidding_the_start_page_exits_1(
    web: WebServer, capsys: pytest.CaptureFixture[str]
) -> None:
    robots = Response(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n")
    web.add_route("127.0.0.1", "/robots.txt", robots)
    url = f"http://127.0.0.1:{web.port}/"
    assert main(["extract", url, "-q"]) == 1
    assert "robots.txt disallows" in capsys.readouterr().err
    assert web.paths("127.0.0.1") == ["/robots.txt"]


def test_no_robots_fetches_what_robots_forbids(web: WebServer, sites: Path) -> None:
    web.add_site("127.0.0.1", sites / "acme")
    robots = Response(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n")
    web.add_route("127.0.0.1", "/robots.txt", robots)
    url = f"http://127.0.0.1:{web.port}/"
    assert main(["extract", url, "-q", "--single-page", "--no-robots"]) == 0
    assert "/" in web.paths("127.0.0.1")
    assert "/robots.txt" not in web.paths("127.0.0.1")


def test_user_agent_is_sent(local_site: str, web: WebServer) -> None:
    assert main(["extract", local_site, "-q", "--single-page", "--user-agent", "probe/1.0"]) == 0
    agents = {
        value
        for request in web.requests
        for name, value in request.headers.items()
        if name.lower() == "user-agent"
    }
    assert agents == {"probe/1.0"}


def test_python_m_sitelore_leaves_out_what_a_quiet_run_never_uses(
    local_site: str, tmp_path: Path
) -> None:
    # Start-up cost: httpx's own command line (click, rich, pygments) is stubbed out by the
    # entry point, and rich is only imported for a progress bar that shows.
    out = tmp_path / "result.json"
    command = [sys.executable, "-X", "importtime", "-m", "sitelore", "extract", local_site,
               "--single-page", "-q", "-o", str(out)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "httpx" in imported
    assert not imported & {"click", "rich", "pygments"}
    assert json.loads(out.read_text(encoding="utf-8"))["pagesScraped"] == 1


def test_explain_prints_a_report_on_stderr_and_adds_the_object_to_the_json(
    local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", local_site, "--max-pages", "3", "-q", "--explain"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    pages, items = result["explain"]["pages"], result["explain"]["items"]
    assert len(items) == len(result["knowledgeItems"]) > 0
    report = captured.err
    assert report.startswith(f"explain: {len(pages)} pages (3 done")
    for page in pages:
        assert f"{page['status']:<10} {page['kind']:<12} {page['url']}" in report
    for item in items:
        assert f"{item['category']:<10} {item['title']}  <{item['source']}>" in report
    assert report.count("\n             category: ") == len(items)
    assert report.count("\n             title: ") == len(items)


def test_without_explain_a_quiet_run_writes_nothing_on_stderr(
    local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", local_site, "--single-page", "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "explain" not in json.loads(captured.out)


def test_version_is_printed_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"sitelore {version('sitelore')}\n"


def test_a_server_that_is_not_there_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    assert main(["extract", "http://a.test/", "--server", server, "--api-key", "k", "-q"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert f"cannot reach the sitelore server at {server}" in error


@pytest.mark.parametrize("where", ["missing/dir/out.json", "."], ids=["no-such-folder", "a-folder"])
def test_an_output_that_cannot_be_written_is_found_before_the_crawl(
    where: str, tmp_path: Path, web: WebServer, local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(web.requests)
    assert main(["extract", local_site, "-q", "-o", str(tmp_path / where)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("sitelore: error: --output: cannot write") and error.count("\n") == 1
    assert len(web.requests) == before  # nothing was fetched


def test_a_writable_output_is_left_alone_until_the_result_is_written(
    tmp_path: Path, local_site: str
) -> None:
    output = tmp_path / "result.json"
    assert main(["extract", local_site, "-q", "--single-page", "-o", str(output)]) == 0
    assert json.loads(output.read_text())["pagesScraped"] == 1


# -- a URL typed without its scheme ----------------------------------------------------------


def test_a_bare_host_and_port_tries_https_then_plain_http_saying_so(
    web: WebServer, sites: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The test web server speaks plain HTTP only: the https attempt (to the same loopback
    # address and port) fails its TLS handshake, and the crawl goes on over http.
    web.add_site("127.0.0.1", sites / "acme")
    bare = f"127.0.0.1:{web.port}"
    status = main(["extract", bare, "--max-pages", "2", "-q", "--urls", f"{bare}/pricing/"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err.startswith(f"sitelore: https://{bare} does not speak TLS (")
    assert captured.err.endswith(f": using http://{bare}/\n")
    assert captured.err.count("\n") == 1
    result = json.loads(captured.out)
    assert result["pagesScraped"] == 1
    assert {item["source"] for item in result["knowledgeItems"]} == {f"http://{bare}/pricing/"}


def test_a_bare_host_that_speaks_no_http_at_all_stays_https_and_fails_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Only a failed TLS handshake means "plain HTTP here": a refused connection does not.
    bare = f"127.0.0.1:{closed_port()}"
    assert main(["extract", bare, "-q", "--timeout", "2"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert error.startswith("sitelore: error: ") and "Connection refused" in error


def test_a_bare_host_for_a_server_is_sent_as_https_saying_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The server needs a scheme and the handshake would be the server's to try: https it is.
    server = f"http://127.0.0.1:{closed_port()}"
    assert main(["extract", "a.test/x", "--server", server, "--api-key", "k", "-q"]) == 1
    first, second = capsys.readouterr().err.splitlines()
    assert first == (
        "sitelore: no scheme in a.test/x: the server is sent https://a.test/x "
        "(write http:// for a site without TLS)"
    )
    assert second.startswith(f"sitelore: error: cannot reach the sitelore server at {server}")


def test_ctrl_c_is_one_line_and_exit_130(web: WebServer, tmp_path: Path) -> None:
    web.add_route("127.0.0.1", "/", Response(body=b"<p>late</p>", delay=60))
    output = tmp_path / "result.json"
    command = [sys.executable, "-m", "sitelore", "extract", f"http://127.0.0.1:{web.port}/",
               "-q", "-o", str(output)]  # fmt: skip
    running = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=child_env())
    eventually(lambda: "/" in web.paths("127.0.0.1"), timeout=30)  # the crawl is under way
    running.send_signal(signal.SIGINT)
    _, error = running.communicate(timeout=30)
    assert running.returncode == 130
    assert error == "sitelore: error: interrupted\n"
    assert not output.exists()

"""A rendered crawl under strain: the browser killed in the middle of a job (that page
fails with a message, the job completes), and a 100-page rendered crawl whose browser
memory stays flat."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from sitelore.models import Event, ExtractRequest, PageScraped
from tests.apikit import eventually
from tests.browserkit import pss_kib
from tests.spakit import extract_rendering
from tests.webserver import Response, StaticResolver, WebServer, html

SHELL = (
    '<!doctype html><html><head><title>Loading…</title><script src="/app.js" defer></script>'
    '</head><body><div id="root"></div></body></html>'
)
# Each page asks the API for its content (/api/<page>.json) and draws it with its links.
APP = b"""
var name = location.pathname.replace(/^\\/|\\/$/g, '').replace(/\\//g, '-') || 'home';
var xhr = new XMLHttpRequest();
xhr.open('GET', '/api/' + name + '.json');
xhr.onload = function () {
  var page = JSON.parse(xhr.responseText);
  document.title = page.title + ' | Brindle Tools';
  document.getElementById('root').innerHTML = '<main><h1>' + page.title + '</h1><p>' +
    page.text + '</p><nav>' + page.links.map(function (l) {
      return '<a href="' + l + '">' + l + '</a>'; }).join(' ') + '</nav></main>';
};
xhr.send();
"""


def serve_tool_shop(web: WebServer, host: str, pages: dict[str, Response]) -> str:
    """A client-rendered site whose pages' content is ``pages`` (by API name)."""
    web.add_route(host, "*", html(SHELL))
    web.add_route(host, "/app.js", Response(200, {"Content-Type": "text/javascript"}, APP))
    for name, answer in pages.items():
        web.add_route(host, f"/api/{name}.json", answer)
    return f"http://{host}/"


def content(title: str, links: list[str], *, delay: float = 0.0) -> Response:
    text = f"{title}: Brindle Tools sharpens and repairs the saws and chisels of joiners."
    body = f'{{"title": "{title}", "text": "{text}", "links": {links!r}}}'.replace("'", '"')
    return Response(200, {"Content-Type": "application/json"}, body.encode(), delay=delay)


def browser_processes() -> list[int]:
    """This process's children that are the browser (each leads its process group)."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"chrom" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def test_a_browser_killed_mid_job_fails_that_page_and_the_job_completes(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_tool_shop(
        web, "brindle.test",
        {"home": content("Home", ["/slow"]), "slow": content("Slow", [], delay=30)},
    )  # fmt: skip

    def kill_when_the_slow_page_renders() -> None:
        eventually(lambda: "/api/slow.json" in web.paths("brindle.test"), timeout=30)
        for pid in browser_processes():
            os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_when_the_slow_page_renders, daemon=True)
    killer.start()
    run = extract_rendering(resolver, ExtractRequest(home, max_pages=3))
    killer.join(timeout=5)
    assert run.rendered() == {home: True}
    slow = next(e for e in run.events if isinstance(e, PageScraped) and e.url.endswith("/slow"))
    assert slow.status == "failed"
    assert slow.error is not None and "browser" in slow.error


def test_a_hundred_page_rendered_crawl_keeps_the_browser_memory_flat(
    web: WebServer, resolver: StaticResolver
) -> None:
    count = 100
    pages = {"home": content("Home", [f"/p/{n}" for n in range(4)])}
    for n in range(count):
        pages[f"p-{n}"] = content(f"Tool {n}", [f"/p/{(n + step) % count}" for step in (4, 5)])
    home = serve_tool_shop(web, "brindle.test", pages)
    memory: dict[int, int] = {}

    def measure(event: Event) -> None:
        if isinstance(event, PageScraped) and event.status == "done":
            done = event.index + 1
            if done in (20, count):
                memory[done] = sum(pss_kib(pid) for pid in browser_processes())

    request = ExtractRequest(home, max_pages=count)
    run = extract_rendering(resolver, request, on_event=measure, max_pages_cap=count)
    assert run.result.pages_scraped == count
    assert all(run.rendered().values())
    assert memory[count] <= memory[20] * 1.5, memory

"""The dashboard's files at ``/ui``: what is served, under which policy, and how to turn
it off. (tests/ui drives the dashboard itself in a real browser.)"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import httpx
import pytest

from sitelore.api.ui import CONTENT_SECURITY_POLICY, MEDIA_TYPES
from sitelore.settings import Settings
from tests.api.conftest import StartApi
from tests.apikit import Api, ServeProcess, error_body

STATIC = resources.files("sitelore").joinpath("ui", "static")
# What would run or style anything from inside a page, which the policy forbids.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
# What would put text from the server or a crawled site into a page as markup.
AS_MARKUP = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"
)
# What would load a script, a style, a font or an image from another origin (a CDN).
ELSEWHERE = re.compile(
    r"""(?:from|import)\s*\(?\s*["'](?:https?:)?//|(?:src|href)=["'](?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import""",
    re.I,
)


def _files(suffix: str) -> dict[str, str]:
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in STATIC.iterdir()
        if entry.name.endswith(suffix)
    }


def _linked(index: str) -> set[str]:
    """The files index.html loads (relative src and href, ``../`` routes left out)."""
    return {name for name in re.findall(r'(?:src|href)="([^"#]+)"', index) if "/" not in name}


def test_the_page_and_every_file_it_loads_are_served_with_the_policy(api: Api) -> None:
    client = api.client(anonymous=True)
    page = client.get("/ui/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    linked = _linked(page.text)
    assert {"app.js", "app.css", "icon.svg"} <= linked
    for name in ["", *sorted(linked)]:
        response = client.get(f"/ui/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == MEDIA_TYPES[Path(name or "x.html").suffix]
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        again = client.get(f"/ui/{name}", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", name


def test_ui_without_its_slash_redirects_and_unknown_files_are_404(api: Api) -> None:
    client = api.client(anonymous=True)
    moved = client.get("/ui")
    assert moved.status_code == 308 and moved.headers["location"] == "ui/"
    root = client.get("/")
    assert root.status_code == 307 and root.headers["location"] == "ui/"
    message = error_body(client.get("/ui/missing.js"), 404)
    assert "missing.js" in message
    error_body(client.get("/ui/static/app.js"), 404)


def test_the_policy_allows_nothing_inline_and_no_other_origin() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    for name in ("default-src", "script-src", "style-src", "connect-src", "form-action"):
        assert directives[name] == "'self'", name
    assert directives["frame-ancestors"] == directives["base-uri"] == "'none'"
    assert directives["img-src"] == "'self' data:"
    assert not re.search(r"https?:|\*", CONTENT_SECURITY_POLICY)


@pytest.mark.parametrize("suffix", [".html", ".js", ".css", ".svg"])
def test_no_file_needs_inline_code_or_builds_markup_from_text(suffix: str) -> None:
    files = _files(suffix)
    assert files, suffix
    for name, text in files.items():
        assert not INLINE.search(text), (name, INLINE.search(text))
        if suffix == ".js":
            assert not AS_MARKUP.search(text), (name, AS_MARKUP.search(text))
            assert "localStorage" not in text, name  # the key stays in its tab
        assert not ELSEWHERE.search(text), (name, ELSEWHERE.search(text))


def test_the_dashboard_can_be_switched_off(start_api: StartApi) -> None:
    api = start_api(ui=False, workers=0)
    client = api.client(anonymous=True)
    error_body(client.get("/ui/"), 404)
    error_body(client.get("/ui/app.js"), 404)
    error_body(client.get("/"), 404)
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("value", "on"), [("off", False), ("0", False), ("on", True)])
def test_sitelore_ui_sets_it(value: str, on: bool) -> None:
    assert Settings.from_env({"SITELORE_UI": value}).ui is on
    assert Settings.from_env({}).ui is True


def test_serve_says_where_the_dashboard_is_and_no_ui_leaves_it_out(
    tmp_path: Path, serve: list[ServeProcess]
) -> None:
    with_ui = ServeProcess(tmp_path / "a", tmp_path / "a.log")
    without = ServeProcess(tmp_path / "b", tmp_path / "b.log", options=["--no-ui"])
    serve += [with_ui, without]
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(with_ui.wait_ready().url + "/ui/").status_code == 200
        assert client.get(without.wait_ready().url + "/ui/").status_code == 404
    assert f"dashboard at {with_ui.url}/ui/" in with_ui.stderr()
    assert "dashboard" not in without.stderr()

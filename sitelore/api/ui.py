"""The dashboard at ``/ui``: the static files of ``sitelore/ui/static``, served by the API
process itself, with a strict Content-Security-Policy.

The dashboard is a client of the public API (the same routes, the same key) written as
plain ES modules: no build step, no CDN, and no inline script or style, so the policy
allows scripts, styles and connections to this origin only. Images may come from any web
origin: a business card shows the logo from the crawled site (loaded without a referrer;
the dashboard shows the name's initial when it cannot be reached). The files are read once,
when the app is built; ``SITELORE_UI=off`` (``sitelore serve --no-ui``) leaves the routes out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePath

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from sitelore.api.errors import StatusError

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Images from this origin only: a crawled site's logo is a link, not loaded by itself,
    # so that reading a result sends no request from the reader's browser to that site.
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
])  # fmt: skip
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Always asked again, answered 304 while the ETag holds: an upgrade shows at once.
    "Cache-Control": "no-cache",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
INDEX = "index.html"


@dataclass(frozen=True)
class Asset:
    """One file of the dashboard, as it is served."""

    body: bytes
    media_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """The dashboard's files by name (the package's ``ui/static`` folder)."""
    folder = resources.files("sitelore").joinpath("ui", "static")
    assets: dict[str, Asset] = {}
    for entry in folder.iterdir():
        media_type = MEDIA_TYPES.get(PurePath(entry.name).suffix)
        if media_type is None or not entry.is_file():
            continue
        body = entry.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        assets[entry.name] = Asset(body, media_type, etag)
    if INDEX not in assets:
        raise RuntimeError(f"the dashboard's {INDEX} is missing from the sitelore package")
    return assets


def ui_router(assets: Mapping[str, Asset]) -> APIRouter:
    """``GET /ui/`` (the page) and ``GET /ui/{name}`` (its files); ``/ui`` and the server's
    root (where a person opening the server's address lands) redirect to it."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/", methods=["GET", "HEAD"])
    async def root() -> Response:
        return RedirectResponse("ui/", status_code=307)

    @router.api_route("/ui", methods=["GET", "HEAD"])
    async def to_dashboard() -> Response:
        # Relative, so that it holds behind a proxy that serves the API under a prefix.
        return RedirectResponse("ui/", status_code=308)

    @router.api_route("/ui/", methods=["GET", "HEAD"])
    async def dashboard(request: Request) -> Response:
        return _answer(assets[INDEX], request)

    @router.api_route("/ui/{name}", methods=["GET", "HEAD"])
    async def dashboard_file(name: str, request: Request) -> Response:
        asset = assets.get(name)
        if asset is None:
            raise StatusError(404, f"the dashboard has no file {name!r}: open /ui/")
        return _answer(asset, request)

    return router


def _answer(asset: Asset, request: Request) -> Response:
    headers = {**HEADERS, "ETag": asset.etag}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)

"""``POST /v1/screenshot``: a PNG of a page, taken by the process's guarded browser.

The answer is ``{url, screenshot}`` (base64 PNG), as the hosted anchor's SDK reads it. The
browser gets no network of its own: its requests go through the crawl's network guard
(:mod:`sitelore.crawl.sources.browser`), so a screenshot reaches nothing an extraction
could not.
"""

from __future__ import annotations

import base64

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictStr
from starlette.responses import Response

from sitelore.api.docs import KEYED, errors
from sitelore.api.errors import StatusError, json_response
from sitelore.api.routes import KeyDep, ServicesDep
from sitelore.core.request import check_url
from sitelore.errors import BrowserUnavailable, FetchError

router = APIRouter()


class ScreenshotBody(BaseModel):
    url: StrictStr = Field(description="the page, starting with `http://` or `https://`")


class Screenshot(BaseModel):
    url: str = Field(description="the page, as it was requested (normalised)")
    screenshot: str = Field(description="a PNG of the page's first screen, base64")


@router.post(
    "/v1/screenshot",
    tags=["extract"],
    response_model=Screenshot,
    response_description="The page's first screen",
    responses=errors(*KEYED, 400, 413, 502),
)
async def screenshot(body: ScreenshotBody, context: ServicesDep, key: KeyDep) -> Response:
    """A PNG of the page's first screen (1280×800), rendered in the server's browser once
    its scripts have run. 503 when the server has no browser installed."""
    url = check_url(body.url, "url", context.policy)
    try:
        if context.renderer is None:
            raise BrowserUnavailable()
        png = await context.renderer.screenshot(url)
    except BrowserUnavailable as error:
        raise StatusError(503, str(error), {"Retry-After": "3600"}) from None
    except FetchError as error:
        raise StatusError(502, str(error)) from None
    return json_response({"url": url, "screenshot": base64.b64encode(png).decode("ascii")})

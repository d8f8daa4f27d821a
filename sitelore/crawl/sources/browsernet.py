"""The browser's network: every request a rendered page makes, fetched by sitelore's client.

The browser has no network of its own (:mod:`sitelore.crawl.sources.cdp`). Each request it
pauses (CDP ``Fetch.requestPaused``) is judged here and, when allowed, fetched with the
crawl's guarded ``httpx`` client: the same resolver, address and port rules, timeout and
size cap as any page. Redirects are not followed here: the 3xx goes back to the browser,
whose next hop is paused and judged again.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from sitelore.crawl.fetcher import read_capped, transport_error
from sitelore.crawl.transport import LOCATION_HEADER
from sitelore.errors import Blocked, ConnectError, FetchError, FetchTimeout, ResponseTooLarge

__all__ = ["Answer", "BrowserNetwork", "Refusal", "fail_reason"]

# Kinds of request a page's text never depends on: refused without a connection.
# EventSource streams never end (the page would never settle); beacons, pings and reports
# only tell the site about the visit.
NEVER_FETCHED = frozenset(
    {"Media", "TextTrack", "EventSource", "WebSocket", "Ping", "CSPViolationReport",
     "Manifest", "SignedExchange", "Prefetch"}
)  # fmt: skip
# Needed to draw the page, not to read it: fetched only for screenshots.
PICTURES = frozenset({"Image", "Font"})
CACHED = frozenset({"Script", "Stylesheet"})
# A render reads a site; it must not change anything on it (PUT, DELETE ...).
METHODS = frozenset({"GET", "HEAD", "POST"})
# Headers the client sets itself (its User-Agent, encodings, cookie jar) or that describe
# one hop of a connection.
REQUEST_HEADERS_DROPPED = frozenset(
    {"host", "connection", "content-length", "cookie", "user-agent", "accept-encoding",
     "transfer-encoding", "keep-alive", "upgrade", "proxy-authorization", "proxy-connection",
     "te", "trailer"}
)  # fmt: skip
# The body handed to the browser is decoded and whole.
RESPONSE_HEADERS_DROPPED = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive",
     LOCATION_HEADER.lower()}
)  # fmt: skip
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """A response to hand to the browser (``Fetch.fulfillRequest``)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    phrase: str = ""

    def fulfil(self, request_id: str) -> dict[str, Any]:
        """The parameters of ``Fetch.fulfillRequest``."""
        params: dict[str, Any] = {
            "requestId": request_id,
            "responseCode": self.status,
            "responseHeaders": [{"name": name, "value": value} for name, value in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
        }
        if self.phrase:
            params["responsePhrase"] = self.phrase
        return params


class Refusal(Exception):
    """The request is not fetched; ``reason`` is the CDP ``errorReason`` to fail it with."""

    def __init__(self, reason: str, error: FetchError | None = None) -> None:
        super().__init__(reason if error is None else str(error))
        self.reason = reason
        self.error = error


def fail_reason(error: FetchError) -> str:
    """The network error the browser is shown for ``error``."""
    if isinstance(error, Blocked | ResponseTooLarge):
        return "BlockedByClient"
    if isinstance(error, FetchTimeout):
        return "TimedOut"
    if isinstance(error, ConnectError):
        return "ConnectionFailed"
    return "Failed"


class BrowserNetwork:
    """Fetches the browser's requests with ``client``; shared by a renderer's pages.

    Scripts and stylesheets are kept (up to ``cache_bytes``): the pages of one site load
    the same bundles, and a job's renderer lives as long as the job.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        max_bytes: int,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.cache_bytes = cache_bytes
        self._cache: dict[str, Answer] = {}
        self._cached_bytes = 0
        self.fetched = 0
        self.cache_hits = 0

    async def answer(self, paused: dict[str, Any], *, pictures: bool = False) -> Answer:
        """The response for one paused request; :class:`Refusal` when it is not fetched."""
        request: dict[str, Any] = paused["request"]
        url: str = request["url"]
        kind = paused.get("resourceType", "Other")
        method = str(request.get("method", "GET")).upper()
        if kind in NEVER_FETCHED or (kind in PICTURES and not pictures):
            raise Refusal("BlockedByClient")
        if method not in METHODS or urlsplit(url).scheme not in ("http", "https"):
            raise Refusal("BlockedByClient")
        cacheable = kind in CACHED and method == "GET"
        if cacheable and url in self._cache:
            self.cache_hits += 1
            return self._cache[url]
        try:
            answer = await self._fetch(method, url, request)
        except FetchError as error:
            raise Refusal(fail_reason(error), error) from error
        if cacheable and answer.status == 200:
            self._keep(url, answer)
        return answer

    async def _fetch(self, method: str, url: str, request: dict[str, Any]) -> Answer:
        headers = {
            name: value
            for name, value in dict(request.get("headers", {})).items()
            if name.lower() not in REQUEST_HEADERS_DROPPED
        }
        self.fetched += 1
        try:
            async with self.client.stream(
                method, url, headers=headers, content=_post_data(request)
            ) as response:
                body = b""
                if not response.is_redirect:
                    body = await read_capped(response, url, self.max_bytes, sniff=False)
                return Answer(
                    response.status_code, _headers(response), body, response.reason_phrase
                )
        except (TimeoutError, httpx.TimeoutException) as error:
            raise FetchTimeout(url, _timeout(self.client)) from error
        except httpx.TransportError as error:
            raise transport_error(error, url) from error
        except (httpx.InvalidURL, httpx.DecodingError) as error:
            raise FetchError(f"Cannot fetch {url}: {error}", url) from error

    def _keep(self, url: str, answer: Answer) -> None:
        if self._cached_bytes + len(answer.body) > self.cache_bytes:
            return
        self._cache[url] = answer
        self._cached_bytes += len(answer.body)


def _headers(response: httpx.Response) -> tuple[tuple[str, str], ...]:
    """The response's headers for the browser: a redirect's Location put back (the client
    hides it, see :func:`~sitelore.crawl.transport.build_client`)."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in RESPONSE_HEADERS_DROPPED
    ]
    location = response.headers.get(LOCATION_HEADER)
    if location is not None:
        headers.append(("Location", location))
    return tuple(headers)


def _post_data(request: dict[str, Any]) -> bytes | None:
    entries = request.get("postDataEntries")
    if entries:
        return b"".join(base64.b64decode(entry.get("bytes", "")) for entry in entries)
    data = request.get("postData")
    return data.encode("utf-8") if isinstance(data, str) else None


def _timeout(client: httpx.AsyncClient) -> float:
    return client.timeout.read or 0.0

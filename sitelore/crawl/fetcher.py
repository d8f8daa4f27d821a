"""Fetch one URL politely and defensively: pages (HTML only) and resources (robots, sitemaps).

Every bound comes from :class:`~sitelore.models.CrawlOptions`: redirects are followed by hand
(each hop re-checked with the caller's ``allow`` and the network policy), 429/503 are
retried honouring ``Retry-After``, each HTTP exchange has one deadline covering connect,
headers and the whole body, and bodies are streamed against a byte cap. Every failure is a
:class:`~sitelore.errors.FetchError` subclass whose ``url`` is the URL that failed (for a
redirect chain, the hop that failed).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.urls import is_hash_route
from sitelore.crawl.charset import (
    HTML_TYPES,
    SNIFF_TYPES,
    decode_html,
    looks_like_html,
    parse_content_type,
)
from sitelore.crawl.transport import LOCATION_HEADER, Resolver, blocked_cause, build_client
from sitelore.errors import (
    Blocked,
    ConnectError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    OffSiteRedirect,
    ResponseTooLarge,
    TooManyRedirects,
)
from sitelore.models import CrawlOptions

__all__ = ["ACCEPT", "FetchedPage", "Fetcher", "Resource", "read_capped", "transport_error"]

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ERROR_BODY_BYTES = 64 * 1024
RETRY_STATUSES = frozenset({429, 503})
FIRST_BACKOFF = 0.5
SNIFF_BYTES = 512

Allow = Callable[[str], bool]


@dataclass(frozen=True)
class FetchedPage:
    """An HTML page. ``redirects`` lists the URLs redirected to, in order (last = final_url).

    ``content_type`` is the lower-case MIME type without parameters; ``encoding`` the Python
    codec the text was decoded with.
    """

    url: str
    final_url: str
    status: int
    content_type: str
    text: str
    encoding: str
    redirects: tuple[str, ...] = ()
    rendered: bool = False  # ``text`` is the DOM a browser built, not the HTTP body


@dataclass(frozen=True)
class Resource:
    """Any successful response body (robots.txt, sitemaps), as bytes."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class _Answer:
    """One HTTP exchange: a redirect, an error status, or a success with its body."""

    url: str
    status: int
    content_type: str
    charset: str | None
    location: str | None
    retry_after: str | None
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names


class Fetcher:
    """Fetches pages and resources with the bounds of ``options``.

    Give either a ``resolver`` (the fetcher builds and owns its client) or a ready ``client``
    from :func:`~sitelore.crawl.transport.build_client` (the caller keeps owning it, and
    builds it with the same ``policy``). With a ``policy`` every URL and redirect hop is
    judged before any connection (:class:`~sitelore.errors.Blocked`), and the client's
    resolver refuses the addresses the policy forbids; ``None`` connects anywhere.
    """

    def __init__(
        self,
        options: CrawlOptions,
        *,
        resolver: Resolver | None = None,
        client: httpx.AsyncClient | None = None,
        policy: NetworkPolicy | None = None,
    ) -> None:
        if client is not None and resolver is not None:
            raise ValueError("pass a resolver or a client, not both: the client has its resolver")
        self._options = options
        self._policy = policy
        self._owns_client = client is None
        if client is None:
            client = build_client(options, resolver, policy=policy)
        self._client = client

    @property
    def options(self) -> CrawlOptions:
        """The bounds this fetcher applies."""
        return self._options

    @property
    def user_agent(self) -> str:
        """The User-Agent header sent with every request."""
        return self._options.user_agent

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this fetcher created it."""
        if self._owns_client:
            await self._client.aclose()

    async def fetch_page(self, url: str, *, allow: Allow) -> FetchedPage:
        """Fetch an HTML page; anything else raises :class:`NotHTML` before its body is read.

        ``allow`` is asked about every redirect target (``url`` itself is the caller's
        choice). Each attempt, including its body, must finish within ``options.timeout``;
        the total may be longer when 429/503 retries or redirects add attempts.
        """
        answer, redirects = await self._follow(
            url, allow, html=True, max_bytes=self._options.max_page_bytes
        )
        text, encoding = decode_html(answer.body, answer.charset)
        # A hash route (#/pricing) is not sent, but it is the page: it stays on the URL,
        # across redirects too, as a browser keeps it.
        route = urldefrag(url).fragment
        final_url = answer.url + (f"#{route}" if is_hash_route(route) else "")
        return FetchedPage(
            url, final_url, answer.status, answer.content_type, text, encoding, redirects
        )

    async def fetch_resource(self, url: str, *, allow: Allow, max_bytes: int) -> Resource:
        """Fetch any content type up to ``max_bytes`` (decoded); error statuses raise."""
        answer, _ = await self._follow(url, allow, html=False, max_bytes=max_bytes)
        return Resource(url, answer.url, answer.status, answer.content_type, answer.body)

    async def _follow(
        self, url: str, allow: Allow, *, html: bool, max_bytes: int
    ) -> tuple[_Answer, tuple[str, ...]]:
        current = urldefrag(url).url
        self._check_policy(current)
        visited = {current}
        redirects: list[str] = []
        while True:
            answer = await self._with_retries(current, html=html, max_bytes=max_bytes)
            if answer.location is None:
                return answer, tuple(redirects)
            current = self._next_hop(answer, visited, len(redirects), allow)
            visited.add(current)
            redirects.append(current)

    def _next_hop(self, answer: _Answer, visited: set[str], hops: int, allow: Allow) -> str:
        assert answer.location is not None
        source = answer.url
        target = urldefrag(urljoin(source, answer.location.strip())).url
        if urlsplit(target).scheme not in ("http", "https"):
            raise OffSiteRedirect(f"Redirect from {source} to {target} leaves the web", source)
        self._check_policy(target)
        if target in visited:
            raise TooManyRedirects(f"Redirect loop: {source} redirects back to {target}", source)
        if hops >= self._options.max_redirects:
            limit = self._options.max_redirects
            raise TooManyRedirects(f"More than {limit} redirects, last {source}", source)
        if not allow(target):
            raise OffSiteRedirect(f"Redirect from {source} to {target} leaves the site", source)
        return target

    def _check_policy(self, url: str) -> None:
        """Refuse ``url`` before connecting when the policy forbids it (a literal address ...)."""
        problem = None if self._policy is None else self._policy.url_problem(url)
        if problem is not None:
            raise Blocked(f"Blocked: {problem}", url)

    async def _with_retries(self, url: str, *, html: bool, max_bytes: int) -> _Answer:
        attempt = 0
        while True:
            answer = await self._exchange(url, html=html, max_bytes=max_bytes)
            if answer.status not in RETRY_STATUSES or attempt >= self._options.max_retries:
                break
            delay = self._retry_delay(answer.retry_after, attempt)
            if delay is None:
                break
            await asyncio.sleep(delay)
            attempt += 1
        if answer.location is None and not 200 <= answer.status < 300:
            body = answer.body.decode(answer.charset or "utf-8", errors="replace")
            raise HTTPStatusError(url, answer.status, body=body, headers=answer.headers)
        return answer

    def _retry_delay(self, retry_after: str | None, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (server asks too much)."""
        cap = self._options.max_retry_after
        asked = parse_retry_after(retry_after)
        if asked is None:
            return float(min(FIRST_BACKOFF * 2**attempt, cap))
        return asked if asked <= cap else None

    async def _exchange(self, url: str, *, html: bool, max_bytes: int) -> _Answer:
        """One request, bounded as a whole by ``options.timeout``."""
        headers = {"Accept": ACCEPT}
        try:
            async with asyncio.timeout(self._options.timeout):
                async with self._client.stream("GET", url, headers=headers) as response:
                    return await _read_answer(response, url, html=html, max_bytes=max_bytes)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchTimeout(url, self._options.timeout) from exc
        except httpx.TransportError as exc:
            raise transport_error(exc, url) from exc
        except (httpx.InvalidURL, httpx.DecodingError) as exc:
            raise FetchError(f"Cannot fetch {url}: {exc}", url) from exc


async def _read_answer(
    response: httpx.Response, url: str, *, html: bool, max_bytes: int
) -> _Answer:
    mime, charset = parse_content_type(response.headers.get("content-type"))
    status = response.status_code
    location = None
    if status in REDIRECT_STATUSES:
        location = response.headers.get(LOCATION_HEADER) or response.headers.get("location")
    retry_after = response.headers.get("retry-after")
    if location is not None:
        return _Answer(url, status, mime, charset, location, retry_after, b"")
    if not 200 <= status < 300:
        # The start of an error page: a bot challenge or a WAF block is told by it.
        body = await _read_error_body(response)
        headers = {name.lower(): value for name, value in response.headers.items()}
        return _Answer(url, status, mime, charset, None, retry_after, body, headers)
    if html and mime not in HTML_TYPES and mime not in SNIFF_TYPES:
        raise NotHTML(f"Not an HTML page ({mime}): {url}", url)
    _check_declared_length(response, url, max_bytes)
    sniff = html and mime in SNIFF_TYPES
    body = await read_capped(response, url, max_bytes, sniff=sniff)
    return _Answer(url, status, mime, charset, None, retry_after, body)


async def _read_error_body(response: httpx.Response) -> bytes:
    """Up to :data:`ERROR_BODY_BYTES` of an error answer's body; b"" when it cannot be read."""
    try:
        return await read_capped(response, str(response.url), ERROR_BODY_BYTES, sniff=False)
    except (FetchError, httpx.HTTPError):
        return b""


def _check_declared_length(response: httpx.Response, url: str, max_bytes: int) -> None:
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"Response of {int(declared)} bytes is over the {max_bytes}-byte cap: {url}", url
        )


async def read_capped(response: httpx.Response, url: str, max_bytes: int, *, sniff: bool) -> bytes:
    """Stream and decode the body ourselves, aborting as soon as it passes ``max_bytes``.

    httpx would inflate each compressed chunk whole (a 64 KB gzip bomb chunk becomes 64 MB
    in memory); inflating with a length limit keeps memory bounded by the cap.
    """
    decoder = _Decoder(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    async for raw in response.aiter_raw():
        for chunk in decoder.feed(raw, max_bytes - len(body) + 1):
            body += chunk
            if len(body) > max_bytes:
                raise ResponseTooLarge(f"Response is over the {max_bytes}-byte cap: {url}", url)
        if sniff and len(body) >= SNIFF_BYTES:
            _require_html(body, url)
            sniff = False
    if sniff:
        _require_html(body, url)
    return bytes(body)


class _Decoder:
    """Content-Encoding undone chunk by chunk, never producing more than asked for."""

    def __init__(self, encoding: str, url: str) -> None:
        self.url = url
        names = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        names = [name for name in names if name != "identity"]
        if any(name not in ("gzip", "x-gzip", "deflate") for name in names):
            raise FetchError(f"Unsupported content encoding {encoding!r}: {url}", url)
        if len(names) > 1:
            raise FetchError(f"Stacked content encodings are not accepted: {url}", url)
        self.name = names[0] if names else ""
        self.raw = False
        self.inflater: Any = None
        if self.name in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.name == "deflate":
            self.inflater = zlib.decompressobj()

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """Decoded bytes of ``data``; stops once ``limit`` bytes have come out."""
        if self.inflater is None:
            yield data
            return
        produced = 0
        pending = data
        while pending and produced < limit:
            try:
                chunk: bytes = self.inflater.decompress(pending, max(limit - produced, 1))
            except zlib.error:
                self._fall_back_to_raw_deflate()
                continue
            produced += len(chunk)
            pending = self.inflater.unconsumed_tail
            if chunk:
                yield chunk
            elif not pending:
                break

    def _fall_back_to_raw_deflate(self) -> None:
        # Some servers send raw deflate (no zlib header) as "deflate"; anything else is corrupt.
        if self.name != "deflate" or self.raw:
            raise FetchError(f"Corrupt {self.name} body: {self.url}", self.url)
        self.raw = True
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)


def _require_html(prefix: bytearray, url: str) -> None:
    if not looks_like_html(bytes(prefix[:SNIFF_BYTES])):
        raise NotHTML(f"Not an HTML page (no content type, body is not HTML): {url}", url)


def transport_error(exc: httpx.TransportError, url: str) -> FetchError:
    host = urlsplit(url).hostname or url
    blocked = blocked_cause(exc)
    if blocked is not None:
        return Blocked(str(blocked), url)
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"Proxy failed to connect to {host}: {exc}", url)
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(str(exc) or f"Could not connect to {host}", url)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        detail = f": {exc}" if str(exc) else ""
        return ConnectError(f"Connection to {host} was reset or broken{detail}", url)
    return FetchError(f"Cannot fetch {url}: {exc}", url)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delay-seconds or HTTP date), None if unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

"""The error tree of sitelore.

Every error a caller can meet is a subclass of :class:`SiteloreError`, and each
name says what the caller should do about it::

    SiteloreError
    ├── InvalidRequest          the request itself is wrong: fix it (HTTP 400, CLI exit 2)
    │   ├── RefusedByGuard      a URL the network guard refuses (a private address, a port):
    │   │                       ``opened_by`` names the guard setting that would allow it
    │   ├── EmptyQuery          (core.query) a search with no word to look for: give one
    │   └── BadCursor           (mcp.paging) an MCP cursor the tools did not give: start over
    ├── FetchError              one URL could not be fetched: that page fails, the job goes on
    │   ├── ConnectError        DNS failure, refused or reset connection
    │   ├── Blocked             the network guard refuses the URL or its address (SSRF)
    │   ├── FetchTimeout        no complete answer within the per-request timeout
    │   ├── HTTPStatusError     the server answered with a non-success status
    │   ├── TooManyRedirects    the redirect chain is longer than allowed, or loops
    │   ├── OffSiteRedirect     a redirect leaves the site being crawled
    │   ├── ResponseTooLarge    the body is over the per-page byte cap
    │   ├── NotHTML             the URL is not an HTML page (PDF, image ...): skipped, not failed
    │   ├── BlockedByChallenge  the page is a bot challenge, a captcha, a firewall's block or a
    │   │                       "verify you are human" page, over HTTP or rendered: never
    │   │                       extracted; a start page that is one fails the job
    │   └── RenderError         the browser could not render the page (it crashed, the page
    │                           outlasted its time budget ...): that page fails
    ├── PageSkipped             a page arrived but yields nothing: it is skipped, the job goes on
    │   ├── EmptyPage           the page has no text at all
    │   └── UnreadablePage      the page's HTML could not be turned into a document: that page
    │       │                   fails (reported ``failed``), the job goes on
    │       ├── PageTooComplex  its element tree is over the caps (elements, nesting depth)
    │       └── PageTimeout     its processing outlasted the per-page time budget
    ├── RobotsDisallowed        robots.txt forbids the URL: do not fetch it
    ├── ExtractionFailed        no page of the site could be extracted: the job fails
    ├── BrowserUnavailable      JavaScript rendering needs a Chromium that is not installed
    │                           (or does not start): install it, or set SITELORE_CHROMIUM
    ├── JobNotFound             (runtime.desk) no job of that id for this owner (another's,
    │                           expired, or never made)
    ├── JobAlreadyFinished      (runtime.desk) a cancel after the job's end: nothing to do
    ├── IdempotencyConflict     (runtime.desk) the idempotency key was used for another
    │                           request: send a new key (HTTP 422)
    ├── KnowledgeNotFound       the local knowledge store has nothing of the site (or there
    │                           is no store yet): ``sitelore extract --save`` fills it
    ├── APIError                a sitelore server answered with an error (the Python client)
    │   ├── AuthenticationError 401: the API key is missing, unknown or revoked
    │   ├── NotFoundError       404: no such job for this key (or it expired)
    │   └── RateLimitError      429: wait ``retry_after`` seconds, then try again
    └── ServerUnreachable       no answer from the sitelore server (refused, unknown host,
                                timeout, connection lost): check its URL, or start it

Every message names the cause and, where there is one, the URL.
"""

from __future__ import annotations

from collections.abc import Mapping


class SiteloreError(Exception):
    """Base class of every error sitelore raises on purpose."""


class InvalidRequest(SiteloreError):
    """The extraction request is malformed or out of range; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RefusedByGuard(InvalidRequest):
    """A URL of the request points where the network guard does not go. ``opened_by`` is
    ``"networks"`` (a private, loopback ... address) or ``"ports"``; the edge that reads the
    settings names the one to change."""

    def __init__(self, message: str, field: str, opened_by: str) -> None:
        super().__init__(message, field)
        self.opened_by = opened_by


class FetchError(SiteloreError):
    """A single URL could not be fetched. It fails that page, never the whole job."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class ConnectError(FetchError):
    """The host could not be resolved or the connection was refused or reset."""


class Blocked(FetchError):
    """The network guard refuses the URL or the address it resolves to; never retried.

    The message says why: ``Blocked: 10.0.0.5 is a private address``.
    """


class FetchTimeout(FetchError):
    """No complete response arrived within the per-request timeout."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(f"Connection timeout after {timeout:g}s", url)
        self.timeout = timeout


class HTTPStatusError(FetchError):
    """The server answered with a status that carries no page (4xx, 5xx)."""

    def __init__(
        self, url: str, status: int, *, body: str = "", headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status} for {url}", url)
        self.status = status
        self.body = body  # the start of the error page (a bot challenge is told by it)
        self.headers = dict(headers or {})


class TooManyRedirects(FetchError):
    """The redirect chain is longer than the limit or comes back to a URL it already visited."""


class OffSiteRedirect(FetchError):
    """A redirect points outside the site being crawled; it is not followed."""


class ResponseTooLarge(FetchError):
    """The response body is larger than the per-page byte cap."""


class NotHTML(FetchError):
    """The URL answers with something that is not an HTML page; it is skipped unread."""


class BlockedByChallenge(FetchError):
    """The page is a bot challenge, a captcha, a firewall's block or a "verify you are
    human" interstitial (:func:`sitelore.core.challenges.challenge_of`), not the site's
    content; ``what`` says which ("a Cloudflare challenge")."""

    def __init__(self, url: str, what: str) -> None:
        super().__init__(f"Blocked by a bot challenge ({what})", url)
        self.what = what


class RenderError(FetchError):
    """The browser could not render the page: it crashed, the page outlasted its time
    budget, or its document could not be loaded. That page fails; the job goes on."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"could not render the page at {url}: {reason}", url)
        self.reason = reason


class PageSkipped(SiteloreError):
    """A page was fetched but gives nothing to extract; it is skipped alone (not a failure)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class EmptyPage(PageSkipped):
    """The page has no text content (an empty file, a script-only shell)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"No text content at {url}", url)


class UnreadablePage(PageSkipped):
    """The page's HTML could not be turned into a document: unlike the other skipped pages,
    a broken page is reported as failed (the job still goes on)."""

    def __init__(self, url: str, error: Exception | str) -> None:
        reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        super().__init__(f"Could not read the page at {url}: {reason}", url)


class PageTooComplex(UnreadablePage):
    """The page's element tree is over a cap (element count, nesting depth): parsing such a
    tree can take minutes, so the page is refused before it is parsed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.reason = reason


class PageTimeout(UnreadablePage):
    """Turning the page into a document (or its share of the result) took longer than the
    per-page time budget; the work was stopped and the page fails alone."""

    def __init__(self, url: str, budget: float) -> None:
        super().__init__(url, f"processing it took longer than the {budget:g}s page time limit")
        self.budget = budget


class RobotsDisallowed(SiteloreError):
    """robots.txt forbids fetching this URL for our user agent."""

    def __init__(self, url: str) -> None:
        super().__init__(f"robots.txt disallows {url}")
        self.url = url


class ExtractionFailed(SiteloreError):
    """Not a single page of the site could be extracted; the message names the cause."""


class BrowserUnavailable(SiteloreError):
    """No Chromium to render JavaScript with: none is installed where sitelore looks, or the
    one found does not start (``detail`` says which)."""

    MESSAGE = (
        "JavaScript rendering needs Chromium: apt-get install chromium-headless-shell "
        "(or set SITELORE_CHROMIUM)"
    )

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(self.MESSAGE if detail is None else f"{self.MESSAGE}; {detail}")
        self.detail = detail


class KnowledgeNotFound(SiteloreError):
    """The local knowledge store has no knowledge of the domain, or there is no store where
    it was looked for (a server says this with :class:`NotFoundError`)."""


class APIError(SiteloreError):
    """An error answer from a sitelore server; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class AuthenticationError(APIError):
    """The server refused the API key (401)."""


class NotFoundError(APIError):
    """The job does not exist for this key, or has expired (404)."""


class RateLimitError(APIError):
    """Too many requests for this key (429); retry after ``retry_after`` seconds."""

    def __init__(self, status: int, message: str, retry_after: float) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class ServerUnreachable(SiteloreError):
    """The client got no answer from the sitelore server: the connection was refused, the
    host is unknown, it timed out or it broke off. Check the URL, or start the server."""

    def __init__(self, base_url: str, error: Exception) -> None:
        reason = str(error) or type(error).__name__
        super().__init__(f"cannot reach the sitelore server at {base_url}: {reason}")
        self.base_url = base_url

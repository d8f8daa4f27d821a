"""What a crawl tells an observer about each page it takes: extracted, failed or skipped,
and why, as one word of a small fixed set (for counters; never the URL or the message).

The crawler calls a :class:`PageObserver` and knows nothing of what it does with the
calls: the job runtime counts them (:mod:`sitelore.jobs.metrics`), the CLI and library
users pass nothing (:class:`Unobserved`).
"""

from __future__ import annotations

from typing import Protocol

from sitelore.errors import (
    Blocked,
    BlockedByChallenge,
    ConnectError,
    EmptyPage,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    OffSiteRedirect,
    PageSkipped,
    PageTimeout,
    PageTooComplex,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    UnreadablePage,
)

# A page fails for one of these reasons: the class of its error.
FAILURE_REASONS: tuple[str, ...] = tuple(
    error.__name__
    for error in (
        ConnectError,
        Blocked,
        FetchTimeout,
        HTTPStatusError,
        TooManyRedirects,
        OffSiteRedirect,
        ResponseTooLarge,
        FetchError,
        RobotsDisallowed,
        UnreadablePage,
        PageTooComplex,
        PageTimeout,
    )
)
BLOCKED_BY_CHALLENGE = BlockedByChallenge.__name__  # a bot challenge or WAF block
RENDER_ERROR = "RenderError"  # the browser could not build the page
FAILURE_REASONS += (BLOCKED_BY_CHALLENGE, RENDER_ERROR)
DUPLICATE = "Duplicate"  # the page repeats one already taken (its URL or its text)
META_REFRESH = "MetaRefresh"  # the page is only a refresh to another
# A page is skipped (fetched, nothing new in it) for one of these.
SKIP_REASONS: tuple[str, ...] = (
    NotHTML.__name__,
    EmptyPage.__name__,
    PageSkipped.__name__,
    DUPLICATE,
    META_REFRESH,
)
OTHER = "other"  # an error class not listed above (a new one): the set stays bounded


def reason_of(error: Exception) -> str:
    """The reason word of a page's error: its class when listed, else ``other``."""
    name = type(error).__name__
    return name if name in FAILURE_REASONS or name in SKIP_REASONS else OTHER


class PageObserver(Protocol):
    def page_done(self) -> None:
        """A page was fetched and extracted."""
        ...

    def page_missed(self, reason: str, *, skipped: bool) -> None:
        """A page gave nothing: skipped (nothing new in it) or failed, for ``reason``."""
        ...


class Unobserved:
    """The observer of a crawl nobody counts."""

    def page_done(self) -> None:
        return None

    def page_missed(self, reason: str, *, skipped: bool) -> None:
        return None

"""robots.txt: parsing with protego, and loading a site's rules through the fetcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from protego import Protego

from sitelore.errors import FetchError

if TYPE_CHECKING:
    from sitelore.crawl.fetcher import Fetcher

__all__ = ["ROBOTS_MAX_BYTES", "RobotsPolicy", "load_robots", "product_token"]

# RFC 9309 asks crawlers to read at least 500 KiB of robots.txt.
ROBOTS_MAX_BYTES = 512 * 1024


def product_token(user_agent: str) -> str:
    """The name robots.txt groups match against: ``sitelore/0.1 (+url)`` → ``sitelore``."""
    token = user_agent.strip().split("/", 1)[0].split(None, 1)
    return token[0] if token else user_agent


class RobotsPolicy:
    """The rules of one site's robots.txt for one user agent."""

    def __init__(self, parser: Protego | None, user_agent: str) -> None:
        self._parser = parser
        self._agent = product_token(user_agent)

    @classmethod
    def parse(cls, text: str, user_agent: str) -> RobotsPolicy:
        """Parse robots.txt ``text``; groups match the product token of ``user_agent``."""
        return cls(Protego.parse(text), user_agent)

    @classmethod
    def allow_all(cls) -> RobotsPolicy:
        """A policy that allows every URL (no robots.txt, or an unreadable one)."""
        return cls(None, "*")

    def can_fetch(self, url: str) -> bool:
        """Whether our user agent may fetch ``url``."""
        if self._parser is None:
            return True
        return bool(self._parser.can_fetch(url, self._agent))

    @property
    def crawl_delay(self) -> float | None:
        """Seconds between requests the site asks for (``Crawl-delay`` or ``Request-rate``).

        When both are given the slower pace wins. Capping it is the crawler's business.
        """
        if self._parser is None:
            return None
        delays: list[float] = []
        delay = self._parser.crawl_delay(self._agent)
        if delay is not None:
            delays.append(float(delay))
        rate = self._parser.request_rate(self._agent)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None

    @property
    def sitemaps(self) -> tuple[str, ...]:
        """``Sitemap:`` URLs in file order, without duplicates (they apply to every agent)."""
        if self._parser is None:
            return ()
        return tuple(dict.fromkeys(str(url).strip() for url in self._parser.sitemaps))


async def load_robots(
    fetcher: Fetcher, origin: str, *, allow: Callable[[str], bool]
) -> RobotsPolicy:
    """Fetch and parse ``<origin>/robots.txt``; never raises for a missing or broken file.

    A 4xx means "no rules" (RFC 9309). A 5xx or a network failure would mean "disallow
    everything" under RFC 9309, but we allow all instead: sitelore reads a handful of pages
    once, on behalf of a user pointing it at the site, and a flaky robots endpoint should not
    make the whole job fail. A file over 512 KiB is treated like a missing one.
    """
    url = origin.rstrip("/") + "/robots.txt"
    user_agent = fetcher.user_agent
    try:
        resource = await fetcher.fetch_resource(url, allow=allow, max_bytes=ROBOTS_MAX_BYTES)
    except FetchError:  # any status error, timeout, refused, too large, off-site redirect
        return RobotsPolicy.allow_all()
    text = resource.body.decode("utf-8", errors="replace").lstrip("\ufeff")
    return RobotsPolicy.parse(text, user_agent)

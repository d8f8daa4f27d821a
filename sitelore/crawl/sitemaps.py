"""Sitemaps: tolerant parsing (XML, gzipped, plain text) and a bounded walk over indexes.

Parsing is by regular expressions rather than an XML parser on purpose: real sitemaps are
often malformed (unclosed tags, stray text, wrong namespaces), and a regex scan can neither
choke on them nor expand entities (no "billion laughs").
"""

from __future__ import annotations

import html
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from sitelore.errors import FetchError
from sitelore.models import CrawlOptions

if TYPE_CHECKING:
    from sitelore.crawl.fetcher import Fetcher

__all__ = ["SitemapDoc", "collect_sitemap_urls", "gunzip_capped", "parse_sitemap"]

GZIP_MAGIC = b"\x1f\x8b"
_DEFAULT_MAX_BYTES = CrawlOptions().max_sitemap_bytes
_CHUNK = 64 * 1024

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Containers (<url>, <sitemap>) and <loc>s, in document order; a prefix like <sm:loc> is
# allowed because some generators put the sitemap namespace under a prefix.
_TOKEN = re.compile(
    r"<(?:[\w.-]+:)?(?P<container>url|sitemap)\b[^>]*>"
    r"|<(?P<prefix>[\w.-]+:)?loc\b[^>]*>(?P<loc>.*?)</(?:[\w.-]+:)?loc\s*>",
    re.IGNORECASE | re.DOTALL,
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_HOSTLIKE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$", re.IGNORECASE)
_FILE_SUFFIXES = frozenset(
    {"html", "htm", "php", "asp", "aspx", "jsp", "xml", "txt", "pdf", "gz", "shtml", "cfm"}
)


@dataclass(frozen=True)
class SitemapDoc:
    """What one sitemap file lists: page URLs and, for an index, child sitemap URLs."""

    urls: tuple[str, ...] = ()
    children: tuple[str, ...] = ()


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip ``data`` to at most ``max_bytes``; a bomb or a broken stream is cut short."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while pending and len(out) < max_bytes:
            out += inflater.decompress(pending, min(_CHUNK, max_bytes - len(out)))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # a truncated or corrupt stream: keep what inflated cleanly
    return bytes(out[:max_bytes])


def parse_sitemap(data: bytes, base_url: str, *, max_bytes: int = _DEFAULT_MAX_BYTES) -> SitemapDoc:
    """Parse a ``<urlset>``, a ``<sitemapindex>`` or a plain-text sitemap, gzipped or not.

    ``base_url`` is the sitemap's own URL: relative and scheme-less ``<loc>``s are read
    against it. Never raises; what cannot be read is left out.
    """
    if data.startswith(GZIP_MAGIC):
        data = gunzip_capped(data, max_bytes)
    text = data[:max_bytes].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return SitemapDoc(urls=_dedupe(_text_line(line, base_url) for line in text.splitlines()))
    return _parse_xml(text, base_url)


def _parse_xml(text: str, base_url: str) -> SitemapDoc:
    is_index = re.search(r"<(?:[\w.-]+:)?sitemapindex\b", text, re.IGNORECASE) is not None
    urls: list[str | None] = []
    children: list[str | None] = []
    container: str | None = None
    taken = False
    for match in _TOKEN.finditer(_COMMENT.sub("", text)):
        if match.group("container"):
            container, taken = match.group("container").lower(), False
            continue
        # Only the first <loc> of an entry counts: later ones are <image:loc> and friends.
        if taken or (container is None and match.group("prefix")):
            continue
        taken = container is not None
        kind = container or ("sitemap" if is_index else "url")
        target = children if kind == "sitemap" else urls
        target.append(_absolute(_loc_text(match.group("loc")), base_url))
    return SitemapDoc(urls=_dedupe(urls), children=_dedupe(children))


def _loc_text(raw: str) -> str:
    text = _CDATA.sub(lambda m: m.group(1), raw)
    return html.unescape(text)


def _absolute(raw: str, base_url: str) -> str | None:
    """An absolute http(s) URL for a ``<loc>``, or None."""
    loc = re.sub(r"[\t\r\n]", "", raw).strip().replace(" ", "%20")
    if not loc or loc.startswith("#"):
        return None
    if "://" not in loc and _starts_with_host(loc):
        loc = f"{urlsplit(base_url).scheme or 'http'}://{loc}"
    # urljoin drops a trailing ";" (legacy path parameters): only relative locs go through it.
    absolute = loc if urlsplit(loc).scheme else urljoin(base_url, loc)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def _text_line(line: str, base_url: str) -> str | None:
    """A plain-text sitemap line: only full URLs (or scheme-less ``host/path``) count."""
    line = line.strip()
    if line.lower().startswith(("http://", "https://")) or _starts_with_host(line):
        return _absolute(line, base_url)
    return None


def _starts_with_host(loc: str) -> bool:
    """``example.com/menu/`` starts with a host; ``menu.html``, ``menu/`` or ``/menu`` do not."""
    first, slash, _ = loc.partition("/")
    if not _HOSTLIKE.match(first):
        return False
    suffix = first.rsplit(":", 1)[0].rsplit(".", 1)[-1].lower()
    return bool(slash) or suffix not in _FILE_SUFFIXES


def _dedupe(urls: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(url for url in urls if url))


async def collect_sitemap_urls(
    fetcher: Fetcher,
    roots: Sequence[str],
    options: CrawlOptions,
    *,
    allow: Callable[[str], bool],
) -> list[str]:
    """Page URLs listed by the sitemaps at ``roots`` and the indexes below them.

    Breadth-first, bounded by ``options.max_sitemaps`` files fetched,
    ``max_sitemap_depth`` levels of nesting (roots are depth 0), ``max_sitemap_urls``
    URLs returned and ``max_sitemap_bytes`` per file. A sitemap that cannot be fetched is
    skipped; this never raises a fetch error. URLs come back deduplicated, in document order.
    Child sitemaps are fetched only if ``allow`` accepts them; page URLs are returned as
    listed, for the crawler to filter.
    """
    queue: deque[tuple[str, int]] = deque((root, 0) for root in dict.fromkeys(roots))
    seen = {root for root, _ in queue}
    found: dict[str, None] = {}
    fetched = 0
    while queue and fetched < options.max_sitemaps and len(found) < options.max_sitemap_urls:
        url, depth = queue.popleft()
        if not allow(url):
            continue
        fetched += 1
        doc = await _fetch_sitemap(fetcher, url, options, allow)
        for page in doc.urls:
            if len(found) >= options.max_sitemap_urls:
                break
            found.setdefault(page)
        if depth < options.max_sitemap_depth:
            fresh = [child for child in doc.children if child not in seen]
            seen.update(fresh)
            queue.extend((child, depth + 1) for child in fresh)
    return list(found)


async def _fetch_sitemap(
    fetcher: Fetcher, url: str, options: CrawlOptions, allow: Callable[[str], bool]
) -> SitemapDoc:
    max_bytes = options.max_sitemap_bytes
    try:
        resource = await fetcher.fetch_resource(url, allow=allow, max_bytes=max_bytes)
    except FetchError:
        return SitemapDoc()
    return parse_sitemap(resource.body, resource.final_url, max_bytes=max_bytes)

"""The crawl frontier: every same-site URL found, ranked by the business knowledge it likely holds.

Pure bookkeeping, no I/O: the crawler feeds it URLs from sitemaps and links and
asks it for the next best page while the budget lasts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sitelore.core.pagetypes import (
    PRIORITY,
    classify_page,
    is_low_value_path,
    path_language,
    path_purpose,
)
from sitelore.core.urls import SiteScope, site_host, url_key

NON_PAGE_EXTENSIONS = frozenset(
    {
        "pdf",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "svg",
        "ico",
        "bmp",
        "tif",
        "tiff",
        "avif",
        "zip",
        "gz",
        "tgz",
        "rar",
        "7z",
        "tar",
        "bz2",
        "xz",
        "dmg",
        "exe",
        "msi",
        "apk",
        "deb",
        "rpm",
        "mp3",
        "mp4",
        "m4a",
        "wav",
        "ogg",
        "webm",
        "mov",
        "avi",
        "mkv",
        "flv",
        "css",
        "js",
        "mjs",
        "json",
        "xml",
        "rss",
        "atom",
        "txt",
        "csv",
        "xls",
        "xlsx",
        "doc",
        "docx",
        "ppt",
        "pptx",
        "odt",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "map",
        "ics",
        "vcf",
    }
)
MAX_CANDIDATES = 20_000
MAX_SAME_PATH_VARIANTS = 3
# Every kind of page first: the second page of a kind ranks below the first of most kinds
# that matter, so ten menu pages or blog posts never take the budget of the contact,
# services or policy page.
KIND_PENALTY = 35.0
NAMED_BONUS = 10.0  # the URL itself names the kind (/pricing): surer than a link's label
NAV_BONUS = 16.0  # linked from the start page's header or navigation
FOOTER_BONUS = 8.0  # ... or its footer, where contact, legal and careers pages sit
OTHER_LANGUAGE_PENALTY = 200.0  # /de/ copies of an English site: only when nothing else is left


@dataclass
class Candidate:
    """A URL the crawl may fetch, with the evidence used to rank it."""

    url: str
    key: str
    order: int
    labels: list[str] = field(default_factory=list)
    from_start: bool = False
    in_nav: bool = False
    in_footer: bool = False
    from_sitemap: bool = False
    hops: int = 1
    other_host: bool = False
    purpose: str = "other"
    named: bool = False  # the purpose comes from the URL, not from link labels
    base_score: float = 0.0

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute purpose and score after new evidence about this URL arrived."""
        path = _ranked_path(self.url, self.other_host)
        self.named = path_purpose(path) is not None
        self.purpose = classify_page(path, self.labels)
        self.base_score = self._score()

    def _score(self) -> float:
        parts = urlsplit(self.url)
        depth = len([s for s in parts.path.split("/") if s])
        score = PRIORITY[self.purpose]
        score += NAV_BONUS if self.in_nav else FOOTER_BONUS if self.in_footer else 0
        score += 8 if self.from_start else 0
        score += NAMED_BONUS if self.named else 0
        score -= 5 * max(0, depth - 1) + 3 * max(0, self.hops - 1)
        score -= 12 if parts.query else 0
        score -= 25 if self.other_host else 0  # docs., community.: apps beside the site
        score -= 45 if is_low_value_path(self.url) else 0
        return score - self.order * 1e-6


class Frontier:
    """Same-site URLs in, the best unfetched one out; knows what was discovered and fetched."""

    def __init__(self, scope: SiteScope, admits: Callable[[str], bool] | None = None) -> None:
        self._scope = scope
        self._home_host = site_host(scope.host)
        self._admits = admits or (lambda _url: True)
        self._candidates: dict[str, Candidate] = {}
        self._taken: set[str] = set()
        self._taken_purposes: Counter[str] = Counter()
        self._path_variants: Counter[str] = Counter()
        self._discovered: set[str] = set()
        self._language: str | None = None

    def set_language(self, code: str | None) -> None:
        """The start page's language: pages under another language's path prefix
        (/de/, /fr-be/) are translations, taken only when nothing else is left."""
        self._language = code

    @property
    def discovered(self) -> int:
        """Distinct same-site URLs seen from any source, fetched or not."""
        return len(self._discovered)

    def add(
        self,
        url: str,
        *,
        label: str = "",
        from_start: bool = False,
        in_nav: bool = False,
        in_footer: bool = False,
        from_sitemap: bool = False,
        hops: int = 1,
    ) -> None:
        """Record a URL found in a sitemap or a link; a candidate if it may be fetched."""
        if not self._scope.contains(url):
            return
        key = url_key(url)
        self._discovered.add(key)
        existing = self._candidates.get(key)
        if existing is not None:
            _merge(existing, label, from_start, in_nav, in_footer, from_sitemap, hops)
            return
        if key in self._taken or not self._fetchable(url, key):
            return
        self._path_variants[key.split("?", 1)[0]] += 1
        self._candidates[key] = Candidate(
            url=url,
            key=key,
            order=len(self._discovered),
            labels=[label] if label else [],
            from_start=from_start,
            in_nav=in_nav,
            in_footer=in_footer,
            from_sitemap=from_sitemap,
            hops=hops,
            other_host=site_host(urlsplit(url).hostname or "") != self._home_host,
        )

    def _fetchable(self, url: str, key: str) -> bool:
        if len(self._candidates) >= MAX_CANDIDATES:
            return False
        last = urlsplit(url).path.rsplit("/", 1)[-1]
        if "." in last and last.rsplit(".", 1)[1].lower() in NON_PAGE_EXTENSIONS:
            return False
        if self._path_variants[key.split("?", 1)[0]] >= MAX_SAME_PATH_VARIANTS:
            return False
        return self._admits(url)

    def mark_taken(self, url: str, purpose: str | None = None) -> None:
        """A URL was fetched (or reached by a redirect): never hand it out again."""
        key = url_key(url)
        self._discovered.add(key)
        if key in self._taken:
            return
        self._taken.add(key)
        self._candidates.pop(key, None)
        if purpose is not None:
            self._taken_purposes[purpose] += 1

    def forget_purpose(self, purpose: str) -> None:
        """A page of this kind failed: it taught nothing, so the kind keeps its rank."""
        if self._taken_purposes[purpose] > 0:
            self._taken_purposes[purpose] -= 1

    def is_taken(self, url: str) -> bool:
        return url_key(url) in self._taken

    def score(self, candidate: Candidate) -> float:
        # Each page of a kind already taken makes the next one of that kind worth less,
        # so a small budget covers pricing, about, contact... rather than ten legal pages.
        return (
            candidate.base_score
            - KIND_PENALTY * self._taken_purposes[candidate.purpose]
            - self._language_penalty(candidate)
        )

    def _language_penalty(self, candidate: Candidate) -> float:
        if self._language is None:
            return 0.0
        prefix = path_language(urlsplit(candidate.url).path)
        return OTHER_LANGUAGE_PENALTY if prefix not in (None, self._language) else 0.0

    def pop(self) -> Candidate | None:
        """The best candidate, now taken; None when there is nothing left."""
        if not self._candidates:
            return None
        best = max(self._candidates.values(), key=self.score)
        self.mark_taken(best.url, best.purpose)
        return best

    def ranked(self, limit: int) -> list[Candidate]:
        """The best ``limit`` candidates in the order they would be taken now."""
        purposes = Counter(self._taken_purposes)
        pool = list(self._candidates.values())
        chosen: list[Candidate] = []
        while pool and len(chosen) < limit:
            best = max(
                pool,
                key=lambda c: (
                    c.base_score - KIND_PENALTY * purposes[c.purpose] - self._language_penalty(c)
                ),
            )
            pool.remove(best)
            chosen.append(best)
            purposes[best.purpose] += 1
        return chosen


def _ranked_path(url: str, other_host: bool) -> str:
    """The path that tells a page's kind; the home of another host of the site
    (docs.acme.com, shop.acme.com) is told by its first label."""
    parts = urlsplit(url)
    if other_host and parts.path.strip("/") == "":
        return "/" + (parts.hostname or "").split(".", 1)[0] + "/"
    return parts.path


def _merge(
    candidate: Candidate,
    label: str,
    from_start: bool,
    in_nav: bool,
    in_footer: bool,
    from_sitemap: bool,
    hops: int,
) -> None:
    if label and label not in candidate.labels and len(candidate.labels) < 8:
        candidate.labels.append(label)
    candidate.from_start |= from_start
    candidate.in_nav |= in_nav
    candidate.in_footer |= in_footer
    candidate.from_sitemap |= from_sitemap
    candidate.hops = min(candidate.hops, hops)
    candidate.refresh()

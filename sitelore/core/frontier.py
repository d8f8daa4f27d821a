"""The crawl frontier: every same-site URL found, ranked by the business knowledge it likely holds.

Pure bookkeeping, no I/O: the crawler feeds it URLs from sitemaps and links and
asks it for the next best page while the budget lasts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sitelore.core.pagetypes import (
    PRIORITY,
    is_low_value_path,
    page_kind,
    path_language,
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
# ... and once every kind is in, more pages of what the business offers come before a
# second policy, job or blog page: one privacy policy tells a lot, its sub-pages little.
SECONDARY_KIND_PENALTY = 70.0
SECONDARY_KINDS = frozenset(
    {"legal", "careers", "news", "archive", "support", "customers", "use_cases", "integrations"}
)
NAMED_BONUS = 10.0  # the URL itself names the kind (/pricing): surer than a link's label
NAV_BONUS = 16.0  # linked from the start page's header or navigation
FOOTER_BONUS = 8.0  # ... or its footer, where contact, legal and careers pages sit
OTHER_LANGUAGE_PENALTY = 1000.0  # /de/ copies of an English site: only when nothing else is left


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
    kind_source: str | None = None  # what told the purpose: see pagetypes.page_kind
    language: str | None = None  # the language its path prefix names (/de/), if any
    site_language: str | None = None  # the start page's: the words its path is read in
    base_score: float = 0.0

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute purpose and score after new evidence about this URL arrived."""
        path = _ranked_path(self.url, self.other_host)
        self.language = path_language(urlsplit(self.url).path)
        self.purpose, self.kind_source = page_kind(path, self.labels, self.site_language)
        self.named = self.kind_source == ""
        self.base_score = self._score()

    def _score(self) -> float:
        return sum(value for _, value in self.score_terms()) - self.order * 1e-6

    def score_terms(self) -> list[tuple[str, float]]:
        """The parts of ``base_score`` that apply, each named (``--explain`` shows them)."""
        parts = urlsplit(self.url)
        depth = len([s for s in parts.path.split("/") if s])
        terms = [(f"kind {self.purpose}", PRIORITY[self.purpose])]
        if self.in_nav:
            terms.append(("a navigation link", NAV_BONUS))
        elif self.in_footer:
            terms.append(("a footer link", FOOTER_BONUS))
        if self.from_start:
            terms.append(("linked from the start page", 8))
        if self.named:
            terms.append(("its URL names its kind", NAMED_BONUS))
        if depth > 1:
            terms.append((f"{depth} path segments deep", -5 * (depth - 1)))
        if self.hops > 1:
            terms.append((f"{self.hops} links from the start page", -3 * (self.hops - 1)))
        if parts.query:
            terms.append(("a query string", -12))
        if self.other_host:
            terms.append(("another host of the site", -25))  # docs., community.: apps beside it
        if is_low_value_path(self.url):
            terms.append(("a dated, paginated or listing path", -45))
        return terms


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
        (/de/, /fr-be/) are translations, taken only when nothing else is left; paths and
        link labels are read in its words (a French "productivite" names no product)."""
        self._language = code
        for candidate in self._candidates.values():
            candidate.site_language = code
            candidate.refresh()

    @property
    def language(self) -> str | None:
        """The start page's language, once it is known."""
        return self._language

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
            site_language=self._language,
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
        return self._score_after(candidate, self._taken_purposes)

    def _score_after(self, candidate: Candidate, taken: Counter[str]) -> float:
        # Each page of a kind already taken makes the next one of that kind worth less,
        # so a small budget covers pricing, about, contact... rather than ten legal pages.
        return (
            candidate.base_score
            - _kind_penalty(candidate.purpose) * taken[candidate.purpose]
            - self._language_penalty(candidate)
        )

    def _language_penalty(self, candidate: Candidate) -> float:
        if candidate.language in (None, self._language) or self._language is None:
            return 0.0
        return OTHER_LANGUAGE_PENALTY

    def score_terms(self, candidate: Candidate) -> list[tuple[str, float]]:
        """The named parts of :meth:`score` now: the candidate's own and the penalties."""
        terms = candidate.score_terms()
        taken = self._taken_purposes[candidate.purpose]
        if taken:
            penalty = _kind_penalty(candidate.purpose) * taken
            terms.append((f"{taken} {candidate.purpose} page(s) taken before", -penalty))
        if self._language_penalty(candidate):
            terms.append(("another language's copy", -OTHER_LANGUAGE_PENALTY))
        return terms

    def pop(self) -> Candidate | None:
        """The best candidate, now taken; None when there is nothing left."""
        taken = self.take()
        return None if taken is None else taken[0]

    def take(self) -> tuple[Candidate, list[tuple[str, float]]] | None:
        """:meth:`pop`, with the terms of the candidate's score when it was taken."""
        if not self._candidates:
            return None
        best = max(self._candidates.values(), key=self.score)
        terms = self.score_terms(best)  # before taking it adds to its kind's penalty
        self.mark_taken(best.url, best.purpose)
        return best, terms

    def ranked(self, limit: int, kinds: Collection[str] | None = None) -> list[Candidate]:
        """The best ``limit`` candidates (of the purposes ``kinds`` only, if given) in the
        order they would be taken now."""
        purposes = Counter(self._taken_purposes)
        pool = [c for c in self._candidates.values() if kinds is None or c.purpose in kinds]
        chosen: list[Candidate] = []
        while pool and len(chosen) < limit:
            best = max(pool, key=lambda c: self._score_after(c, purposes))
            pool.remove(best)
            chosen.append(best)
            purposes[best.purpose] += 1
        return chosen


def _kind_penalty(purpose: str) -> float:
    return SECONDARY_KIND_PENALTY if purpose in SECONDARY_KINDS else KIND_PENALTY


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

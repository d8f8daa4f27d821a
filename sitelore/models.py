"""Shared value types: the request, the crawl options, the result and the events.

Plain frozen dataclasses with no behaviour beyond serialisation, so that every
layer can build them with plain values. JSON uses the camelCase names of API.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

DEFAULT_USER_AGENT = (
    "sitelore/0.1 (+https://github.com/sitelore/sitelore; knowledge extraction bot)"
)

INDUSTRIES: tuple[str, ...] = (
    "Project Management",
    "Collaboration & Productivity",
    "Business Intelligence & Analytics",
    "Developer Tools",
    "DevOps & Cloud Infrastructure",
    "Low-Code & No-Code",
    "Cybersecurity",
    "CRM & Sales",
    "Marketing & Advertising",
    "Customer Support",
    "HR & Recruiting",
    "Finance & Accounting",
    "Payments & Fintech",
    "E-commerce Platforms",
    "Communication",
    "Cloud Storage & File Management",
    "AI & Machine Learning",
    "Design & Creative Tools",
    "Education & E-learning",
    "Healthcare",
    "Legal Services",
    "Real Estate",
    "Travel & Hospitality",
    "Restaurants & Food Service",
    "Food & Beverage",
    "Retail & Online Stores",
    "Media & Publishing",
    "Entertainment & Streaming",
    "Sports & Fitness",
    "Photography",
    "Social Networking & Community",
    "Nonprofit & Government",
    "Manufacturing & Industrial",
    "Logistics & Transportation",
    "Automotive",
    "Energy & Utilities",
    "Construction & Home Services",
    "Professional Services & Consulting",
    "Financial Services & Insurance",
    "Beauty & Personal Care",
    "Telecommunications",
    "Gaming",
    "Other",
)


class ItemCategory(StrEnum):
    """The category of a knowledge item (API.md, "Item categories")."""

    FEATURE = "FEATURE"
    PRODUCT = "PRODUCT"
    SERVICE = "SERVICE"
    PRICING = "PRICING"
    FAQ = "FAQ"
    ABOUT = "ABOUT"
    TEAM = "TEAM"
    CONTACT = "CONTACT"
    LOCATION = "LOCATION"
    POLICY = "POLICY"
    INTEGRATION = "INTEGRATION"
    USE_CASE = "USE_CASE"
    CUSTOMER = "CUSTOMER"
    SUPPORT = "SUPPORT"
    SECURITY = "SECURITY"
    CAREERS = "CAREERS"
    NEWS = "NEWS"
    OTHER = "OTHER"


def iso_millis(moment: datetime) -> str:
    """``2026-03-20T10:00:00.000Z``: UTC, milliseconds, a ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def millis_between(start: datetime, end: datetime) -> int:
    """Whole milliseconds from ``start`` to ``end`` as their ISO strings show them, so that
    ``durationMs`` always equals ``finishedAt - startedAt``."""

    def truncated(moment: datetime) -> datetime:
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    return (truncated(end) - truncated(start)) // timedelta(milliseconds=1)


class RenderMode(StrEnum):
    """When a page is rendered in a browser (``render`` of the request)."""

    AUTO = "auto"  # only pages whose HTML is a script shell (sitelore.core.shells)
    NEVER = "never"  # the HTTP text only
    ALWAYS = "always"  # every page (fails the job when no browser is installed)


class JobTask(StrEnum):
    """What a job does with its request's site (``task`` of a stored request)."""

    EXTRACT = "extract"  # the profile and knowledge items (sitelore.pipeline.extract_site)
    SITEMAP = "sitemap"  # the URLs a crawl would consider, ranked (sitelore.mapping)
    SCRAPE = "scrape"  # one page as Markdown (sitelore.scraping)
    CLASSIFY = "classify"  # the business from its key pages (sitelore.classifying)


@dataclass(frozen=True)
class ExtractRequest:
    """What to extract: the fields of API.md's extraction request (and, for the other
    tasks a job can have, ``task`` and the sitemap's ``limit``)."""

    url: str
    max_pages: int = 10
    single_page: bool = False
    include_patterns: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    urls: tuple[str, ...] | None = None
    callback_url: str | None = None
    explain: bool = False  # add the result's ``explain`` object (why each page and item)
    render: RenderMode = RenderMode.AUTO
    task: JobTask = JobTask.EXTRACT
    limit: int = 100  # the URLs a sitemap task answers at most


@dataclass(frozen=True)
class CrawlOptions:
    """How to crawl: every bound of the crawler, with polite defaults."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    concurrency: int = 4
    max_page_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 10
    obey_robots: bool = True
    max_retries: int = 2
    max_retry_after: float = 30.0
    max_crawl_delay: float = 10.0
    proxy: str | None = None
    trust_env: bool = True
    max_sitemap_urls: int = 50_000
    max_sitemap_bytes: int = 20 * 1024 * 1024
    max_sitemap_depth: int = 3
    max_sitemaps: int = 20
    max_links_per_page: int = 2_000
    max_url_length: int = 2_048


@dataclass(frozen=True)
class BusinessProfile:
    name: str
    domain: str
    category: str
    description: str
    logo: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "domain": self.domain,
            "category": self.category,
            "description": self.description,
            "logo": self.logo,
        }


@dataclass(frozen=True)
class ItemWhy:
    """Why an item got its category and its title, in a few words (``--explain``)."""

    category_reason: str
    title_reason: str


@dataclass(frozen=True)
class KnowledgeItem:
    title: str
    description: str
    content: str
    category: ItemCategory
    source: str
    # Set where the item is made, so that every step that keeps or drops items keeps its
    # explanation with it; never part of equality nor of the item's JSON.
    why: ItemWhy | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "content": self.content,
            "category": self.category.value,
            "source": self.source,
        }


UNVISITED = "unvisited"  # a page ranked but not fetched: the budget went to better ones


@dataclass(frozen=True)
class PageWhy:
    """What became of one page the crawl took (or left), its kind and why (``--explain``)."""

    url: str
    kind: str  # the page's purpose: pricing, about, contact ... other
    status: str  # a PageStatus value, or UNVISITED
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "kind": self.kind, "status": self.status, "reason": self.reason}


UNRECORDED = "not recorded"


@dataclass(frozen=True)
class ExtractResult:
    business: BusinessProfile
    knowledge_items: tuple[KnowledgeItem, ...]
    pages_scraped: int
    urls_discovered: int
    started_at: datetime
    finished_at: datetime
    # Only for a request with ``explain``: without it the result's JSON has no ``explain``.
    explained_pages: tuple[PageWhy, ...] | None = None
    # What the user should know about how the result was made (empty when all is well),
    # e.g. that script-built pages could not be rendered.
    warnings: tuple[str, ...] = ()

    @property
    def duration_ms(self) -> int:
        return millis_between(self.started_at, self.finished_at)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "business": self.business.to_dict(),
            "knowledgeItems": [item.to_dict() for item in self.knowledge_items],
            "pagesScraped": self.pages_scraped,
            "urlsDiscovered": self.urls_discovered,
            "durationMs": self.duration_ms,
            "startedAt": iso_millis(self.started_at),
            "finishedAt": iso_millis(self.finished_at),
            "warnings": list(self.warnings),
        }
        if self.explained_pages is not None:
            data["explain"] = self.explain_dict()
        return data

    def explain_dict(self) -> dict[str, Any]:
        """``{"pages": [...], "items": [...]}``: each page's kind, status and reason, and
        why each item has its category and title, in the order of ``knowledgeItems``."""
        return {
            "pages": [page.to_dict() for page in self.explained_pages or ()],
            "items": [_item_explanation(item) for item in self.knowledge_items],
        }


def _item_explanation(item: KnowledgeItem) -> dict[str, Any]:
    why = item.why
    return {
        "title": item.title,
        "source": item.source,
        "category": item.category.value,
        "categoryReason": why.category_reason if why else UNRECORDED,
        "titleReason": why.title_reason if why else UNRECORDED,
    }


# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPage:
    url: str
    purpose: str


@dataclass(frozen=True)
class PagesPlanned:
    """The crawl plan: sent once robots, sitemaps and the start page are read, then on change."""

    event: ClassVar[str] = "pages_planned"
    pages: tuple[PlannedPage, ...]
    urls_discovered: int

    def data(self) -> dict[str, Any]:
        pages = [{"url": page.url, "purpose": page.purpose} for page in self.pages]
        return {"pages": pages, "urlsDiscovered": self.urls_discovered}


class PageStatus(StrEnum):
    """What became of a fetched URL (``page_scraped``'s ``status``, API.md)."""

    DONE = "done"  # extracted: it fills a slot of the page budget
    FAILED = "failed"  # could not be fetched (network, HTTP status, robots.txt)
    SKIPPED = "skipped"  # fetched, but nothing new: a duplicate, empty, not HTML ...


@dataclass(frozen=True)
class PageScraped:
    """One fetched URL's outcome; ``error`` is the cause (failed) or the reason (skipped)."""

    event: ClassVar[str] = "page_scraped"
    url: str
    index: int
    total: int
    status: str  # a PageStatus value (a plain str when read back from JSON)
    error: str | None = None
    rendered: bool = False  # its HTML came from a browser (a script shell), not HTTP alone
    # How long the page took to fetch and read (a wait for the host's turn included); it
    # varies from run to run, so it is no part of equality.
    duration_ms: int | None = field(default=None, compare=False)

    def data(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "index": self.index,
            "total": self.total,
            "status": str(self.status),
            "error": self.error,
            "rendered": self.rendered,
            "durationMs": self.duration_ms,
        }


@dataclass(frozen=True)
class Progress:
    event: ClassVar[str] = "progress"
    pages_scraped: int
    total_pages: int
    current_step: str

    def data(self) -> dict[str, Any]:
        return {
            "pagesScraped": self.pages_scraped,
            "totalPages": self.total_pages,
            "currentStep": self.current_step,
        }


@dataclass(frozen=True)
class BusinessClassified:
    event: ClassVar[str] = "business_classified"
    business: BusinessProfile

    def data(self) -> dict[str, Any]:
        return {"business": self.business.to_dict()}


Event = PagesPlanned | PageScraped | Progress | BusinessClassified

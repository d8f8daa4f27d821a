"""sitelore: turn a company's website into a business profile and knowledge items.

>>> from sitelore import extract
>>> result = extract("https://example.com")  # doctest: +SKIP
>>> result.business.name  # doctest: +SKIP
"""

from __future__ import annotations

from sitelore.errors import (
    ExtractionFailed,
    FetchError,
    InvalidRequest,
    RobotsDisallowed,
    SiteloreError,
)
from sitelore.models import (
    BusinessClassified,
    BusinessProfile,
    CrawlOptions,
    Event,
    ExtractRequest,
    ExtractResult,
    ItemCategory,
    KnowledgeItem,
    PagesPlanned,
    PageScraped,
    Progress,
)
from sitelore.pipeline import extract, extract_site

__all__ = [
    "BusinessClassified",
    "BusinessProfile",
    "CrawlOptions",
    "Event",
    "ExtractRequest",
    "ExtractResult",
    "ExtractionFailed",
    "FetchError",
    "InvalidRequest",
    "ItemCategory",
    "KnowledgeItem",
    "PageScraped",
    "PagesPlanned",
    "Progress",
    "RobotsDisallowed",
    "SiteloreError",
    "extract",
    "extract_site",
]

"""sitelore: turn a company's website into a business profile and knowledge items.

>>> from sitelore import extract
>>> result = extract("https://example.com")  # doctest: +SKIP
>>> result.business.name  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.errors import (
    Blocked,
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
    PageScraped,
    PagesPlanned,
    Progress,
)

if TYPE_CHECKING:
    from sitelore.client import AsyncClient, Client
    from sitelore.pipeline import extract, extract_site


def __getattr__(name: str) -> Any:
    # The pipeline pulls in httpx and the parser: load it when first asked for, so that
    # importing sitelore (and starting the CLI) stays fast.
    if name in ("extract", "extract_site"):
        from sitelore import pipeline

        return getattr(pipeline, name)
    if name in ("Client", "AsyncClient"):
        from sitelore import client

        return getattr(client, name)
    raise AttributeError(f"module 'sitelore' has no attribute {name!r}")


__all__ = [
    "AsyncClient",
    "Blocked",
    "BusinessClassified",
    "BusinessProfile",
    "Client",
    "CrawlOptions",
    "Event",
    "ExtractRequest",
    "ExtractResult",
    "ExtractionFailed",
    "FetchError",
    "InvalidRequest",
    "ItemCategory",
    "KnowledgeItem",
    "NetworkPolicy",
    "PageScraped",
    "PagesPlanned",
    "Progress",
    "RobotsDisallowed",
    "SiteloreError",
    "extract",
    "extract_site",
]

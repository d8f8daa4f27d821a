"""sitelore: turn a company's website into a business profile and knowledge items.

>>> from sitelore import extract
>>> result = extract("https://example.com")  # doctest: +SKIP
>>> result.business.name  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sitelore.client import AsyncClient, Client
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
        ItemWhy,
        KnowledgeItem,
        PageScraped,
        PagesPlanned,
        PageWhy,
        Progress,
    )
    from sitelore.pipeline import extract, extract_site

# Where each public name lives: modules load when a name is first asked for, so that
# ``import sitelore`` (and starting the CLI) stays fast.
_HOMES = {
    "extract": "sitelore.pipeline",
    "extract_site": "sitelore.pipeline",
    "Client": "sitelore.client",
    "AsyncClient": "sitelore.client",
    "NetworkPolicy": "sitelore.core.netpolicy",
    **dict.fromkeys(
        [
            "Blocked",
            "ExtractionFailed",
            "FetchError",
            "InvalidRequest",
            "RobotsDisallowed",
            "SiteloreError",
        ],
        "sitelore.errors",
    ),
    **dict.fromkeys(
        [
            "BusinessClassified",
            "BusinessProfile",
            "CrawlOptions",
            "Event",
            "ExtractRequest",
            "ExtractResult",
            "ItemCategory",
            "ItemWhy",
            "KnowledgeItem",
            "PageScraped",
            "PagesPlanned",
            "PageWhy",
            "Progress",
        ],
        "sitelore.models",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sitelore' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)


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
    "ItemWhy",
    "KnowledgeItem",
    "NetworkPolicy",
    "PageScraped",
    "PageWhy",
    "PagesPlanned",
    "Progress",
    "RobotsDisallowed",
    "SiteloreError",
    "extract",
    "extract_site",
]

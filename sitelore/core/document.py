"""The clean document a page becomes: metadata, structured data, content blocks and links.

:func:`parse_document` is the per-page hot path: one parse with selectolax, one
walk over the body (:mod:`sitelore.core.blocks`), one pass over the head
(:mod:`sitelore.core.metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from sitelore.core.blocks import walk_body
from sitelore.core.blocktypes import Block, Container, Link
from sitelore.core.lexicon import detect_language
from sitelore.core.maintext import main_blocks
from sitelore.core.metadata import Metadata, jsonld_types, read_metadata
from sitelore.core.pagetypes import path_language
from sitelore.core.treecaps import TreeLimits, check_tree

DEFAULT_LIMITS = TreeLimits()
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "TechArticle",
        "Report",
        "ScholarlyArticle",
        "OpinionNewsArticle",
        "AnalysisNewsArticle",
    }
)


@dataclass
class Document:
    """One page, parsed: everything later stages need, nothing of the DOM."""

    url: str
    metadata: Metadata
    blocks: list[Block]
    links: list[Link]
    logos: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    logo_alts: list[str] = field(default_factory=list)
    containers: dict[int, Container] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.metadata.title

    @property
    def jsonld(self) -> list[dict[str, Any]]:
        return self.metadata.jsonld

    @property
    def declares_article(self) -> bool:
        """Its JSON-LD says it is an article (not og:type: some CMSs set that on every page)."""
        return any(ARTICLE_TYPES.intersection(jsonld_types(node)) for node in self.jsonld)

    def main_blocks(self) -> list[Block]:
        """The blocks of the page's main text (:mod:`sitelore.core.maintext`)."""
        return main_blocks(self.blocks, self.containers)

    def text(self) -> str:
        """The visible text of the content blocks, one block a line."""
        return "\n".join(block.text for block in self.blocks)

    def language(self) -> str | None:
        """The page's language: its URL's language prefix (/de/), its ``lang`` attribute,
        else its text's most frequent words; ``None`` when none of them says."""
        return path_language(urlsplit(self.url).path) or detect_language(
            self.metadata.lang, self.text()
        )


def parse_document(html: str, url: str, limits: TreeLimits | None = None) -> Document:
    """Parse one HTML page fetched from ``url`` (the final URL, after redirects).

    Raises :class:`~sitelore.errors.PageTooComplex` for a page over ``limits`` (by default
    :class:`~sitelore.core.treecaps.TreeLimits`'s), before parsing it."""
    check_tree(html, url, limits or DEFAULT_LIMITS)
    tree = LexborHTMLParser(html)
    metadata = read_metadata(tree, url)
    base = metadata.base_url or url
    walked = walk_body(tree.body, base) if tree.body is not None else None
    if walked is None:
        return Document(url=url, metadata=metadata, blocks=[], links=[])
    logos = list(dict.fromkeys([*metadata.jsonld_logos(url), *walked.logos, *metadata.icons]))
    return Document(
        url=url,
        metadata=metadata,
        blocks=walked.blocks,
        links=walked.links,
        logos=logos,
        emails=walked.emails,
        phones=walked.phones,
        logo_alts=walked.logo_alts,
        containers=walked.containers,
    )

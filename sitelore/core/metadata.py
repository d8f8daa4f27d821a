"""What a page says about itself outside its visible text: title, meta tags, OpenGraph, JSON-LD."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sitelore.core.text import clean_text
from sitelore.core.urls import normalize_url

MAX_JSONLD_BYTES = 1_000_000
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass
class Metadata:
    title: str = ""
    description: str = ""
    lang: str = ""
    canonical: str | None = None
    refresh: str | None = None
    base_url: str | None = None
    og: dict[str, str] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    icons: list[str] = field(default_factory=list)

    @property
    def site_name(self) -> str:
        return self.og.get("og:site_name", "") or self.og.get("application-name", "")

    def jsonld_logos(self, page_url: str) -> list[str]:
        """Logos the page's structured data names, made absolute against the page."""
        logos: list[str] = []
        for node in self.jsonld:
            logo = node.get("logo")
            if isinstance(logo, dict):
                logo = logo.get("url") or logo.get("contentUrl")
            if isinstance(logo, str) and logo.strip():
                absolute = normalize_url(logo, self.base_url or page_url)
                if absolute is not None:
                    logos.append(absolute)
        return logos


def read_metadata(tree: LexborHTMLParser, url: str) -> Metadata:
    meta = Metadata()
    head = tree.head
    if head is not None:
        _read_head(head, url, meta)
    html_node = tree.css_first("html")
    if html_node is not None:
        meta.lang = (html_node.attributes.get("lang") or "").strip().lower()
    if not meta.title:
        title = tree.css_first("title")
        meta.title = clean_text(title.text()) if title is not None else ""
    for script in tree.css('script[type="application/ld+json"]'):
        meta.jsonld.extend(parse_jsonld(script.text()))
    return meta


def _read_head(head: LexborNode, url: str, meta: Metadata) -> None:
    for node in head.iter():
        tag = node.tag
        attrs = node.attributes
        if tag == "title" and not meta.title:
            meta.title = clean_text(node.text())
        elif tag == "meta":
            _read_meta(attrs, url, meta)
        elif tag == "link":
            _read_link(attrs, url, meta)
        elif tag == "base" and attrs.get("href"):
            meta.base_url = normalize_url(attrs["href"] or "", url)


def _read_meta(attrs: dict[str, str | None], url: str, meta: Metadata) -> None:
    content = clean_text(attrs.get("content") or "")
    name = (attrs.get("property") or attrs.get("name") or "").strip().lower()
    if name == "description" and not meta.description:
        meta.description = content
    elif name.startswith(("og:", "twitter:")) or name == "application-name":
        meta.og.setdefault(name, content)
    elif (attrs.get("http-equiv") or "").lower() == "refresh":
        found = _REFRESH_URL.search(attrs.get("content") or "")
        if found:
            meta.refresh = normalize_url(found.group(1).strip(), url)


def _read_link(attrs: dict[str, str | None], url: str, meta: Metadata) -> None:
    rel = (attrs.get("rel") or "").lower().split()
    href = attrs.get("href")
    if not href:
        return
    if "canonical" in rel and meta.canonical is None:
        meta.canonical = normalize_url(href, url)
    elif "apple-touch-icon" in rel or "icon" in rel:
        icon = normalize_url(href, url)
        if icon is not None:
            # A large touch icon is a better logo than a 16-pixel favicon.
            meta.icons.insert(0, icon) if "apple-touch-icon" in rel else meta.icons.append(icon)


def parse_jsonld(raw: str) -> list[dict[str, Any]]:
    """Every JSON-LD node in one script, flattened out of ``@graph`` and lists; junk is skipped."""
    raw = raw.strip()
    if not raw or len(raw) > MAX_JSONLD_BYTES:
        return []
    raw = raw.removeprefix("<!--").removesuffix("-->").strip()
    raw = raw.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        data = json.loads(raw, strict=False)
    except ValueError:
        try:
            data = json.loads(_TRAILING_COMMA.sub(r"\1", raw), strict=False)
        except ValueError:
            return []
    nodes: list[dict[str, Any]] = []
    _flatten(data, nodes, 0)
    return nodes


def _flatten(data: Any, out: list[dict[str, Any]], depth: int) -> None:
    if depth > 6 or len(out) > 200:
        return
    if isinstance(data, list):
        for item in data:
            _flatten(item, out, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            _flatten(graph, out, depth + 1)
        if "@type" in data:
            out.append(data)
            for key in ("mainEntity", "publisher", "provider", "author", "brand", "organizer"):
                if isinstance(data.get(key), dict | list):
                    _flatten(data[key], out, depth + 1)


def jsonld_types(node: dict[str, Any]) -> list[str]:
    """The ``@type`` of a node as a list of bare names (``schema:Dentist`` → ``Dentist``)."""
    raw = node.get("@type")
    types = raw if isinstance(raw, list) else [raw]
    return [str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in types if isinstance(t, str)]

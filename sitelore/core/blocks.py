"""The body walk: HTML elements → content blocks (headings, paragraphs, lists, tables) and links.

Each block remembers its *zone* (main content, navigation, header, footer,
aside) and the repeated *unit* it sits in: cards and tiles that are siblings of
the same shape (pricing plans, feature grids, team members) and question/answer
pairs (``<details>``, ``<dl>``). Later stages turn a unit into one knowledge item.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from sitelore.core.blocktypes import Block, Container, Link, Walked
from sitelore.core.tables import render_list, render_table, table_is_layout
from sitelore.core.tags import HEADINGS, INLINE, SKIP
from sitelore.core.text import EMAIL, clean_lines, clean_text, looks_like_phone
from sitelore.core.units import is_complex, lone_text, price_row, repeated_units
from sitelore.core.urls import normalize_url

LANDMARK_CLASSES = {
    "header": "header",
    "site-header": "header",
    "global-header": "header",
    "masthead": "header",
    "navbar": "nav",
    "nav": "nav",
    "navigation": "nav",
    "main-nav": "nav",
    "main-menu": "nav",
    "nav-menu": "nav",
    "topbar": "nav",
    "top-bar": "nav",
    "footer": "footer",
    "site-footer": "footer",
    "global-footer": "footer",
    "page-footer": "footer",
    "colophon": "footer",
    "sidebar": "aside",
    "modal": "aside",
    "popup": "aside",
}
DROP_MARKERS = (
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "sr-only",
    "screen-reader",
    "visually-hidden",
    "visuallyhidden",
    "skip-link",
    "skiplink",
    "skip-to",
    "breadcrumb",
)
_DROP = re.compile("|".join(re.escape(marker) for marker in DROP_MARKERS))
ROLE_ZONES = {
    "navigation": "nav",
    "banner": "header",
    "contentinfo": "footer",
    "complementary": "aside",
    "dialog": "aside",
    "alertdialog": "aside",
    "search": "drop",
}
# The blocks render_block() reads in one piece (when they qualify) or in a way of their own.
RENDERED = frozenset({*HEADINGS, "ul", "ol", "table", "pre", "blockquote", "details", "dl"})
# Page wrappers whose class names describe the page's widgets ("cookie-consent-on"), not
# themselves: dropping one would drop the page.
NEVER_DROPPED = frozenset({"body", "main", "article"})
WRAPPED_PARAGRAPHS = 3
MAX_ROW_CELLS = 4
MAX_DEPTH = 120
MAX_LINKS = 2_000


def walk_body(body: LexborNode, base_url: str) -> Walked:
    walker = _Walker(base_url)
    walker.visit(body, body.tag or "", 0)
    walker.flush()
    return walker.out


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.out = Walked()
        self.buffer: list[str] = []
        self.zone = "main"
        self.in_content = False
        self.unit = 0
        self.unit_kind = ""
        self.units_made = 0
        self.container = 0
        self.link_chars = 0
        self.calls = False

    # -- emitting ------------------------------------------------------------------------

    def emit(self, kind: str, text: str, markdown: str, level: int = 0) -> None:
        self.out.blocks.append(
            Block(
                kind,
                text,
                markdown,
                level,
                self.zone,
                self.unit,
                self.unit_kind,
                None,
                self.container,
                self.link_chars,
                self.calls,
            )
        )
        self.link_chars = 0
        self.calls = False

    def flush(self) -> None:
        if not self.buffer:
            return
        text = clean_lines("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.emit("text", text, text)
        self.link_chars = 0
        self.calls = False

    # -- the walk ------------------------------------------------------------------------

    def visit(self, node: LexborNode, tag: str, depth: int) -> None:
        """Read one element (or text node) whose tag the caller has already looked up."""
        if tag == "-text":
            self.read_text(node.text_content or "")
            return
        if tag.startswith("-") or tag in SKIP:
            if tag == "button" and _is_toggle(node):
                self.flush()  # an accordion's question: the title of the panel it opens
                self.emit_label(node)
            return
        if tag == "form" and not _wraps_page(node):
            return  # a search box or a sign-up form
        if tag == "br":
            self.buffer.append("\n")
            return
        if tag == "img":
            self.record_image(node)
            return
        if tag in INLINE or tag == "a":
            attrs = node.attributes
            if _dropped(attrs):
                return  # "Skip to content", screen-reader-only text
            if tag in ("strong", "b") and self.at_card_start():
                self.emit_card_title(node)
                return
            if tag == "a":
                self.record_link(node, attrs)
            self.visit_children(node, depth)
            return
        self.visit_block(node, tag, depth)

    def visit_children(self, node: LexborNode, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.buffer.append(" " + node.text(deep=True) + " ")
            return
        text = lone_text(node)
        if text is not None:
            self.read_text(text)  # <a>Pricing</a>: no list of children, no loop
        else:
            self.visit_all(_tagged_children(node), depth + 1)

    def read_text(self, text: str) -> None:
        """Add the text of a text node to the buffer."""
        # Whitespace before anything else in the buffer is stripped by flush() anyway, and
        # many text nodes are the indentation between blocks: skip those early.
        if self.buffer or (text and not text.isspace()):
            # Line breaks in the HTML source are spaces; only <br> breaks a line.
            self.buffer.append(_source_spaces(text))

    def visit_all(
        self, children: list[tuple[LexborNode, str]], depth: int, blanks_skipped: bool = False
    ) -> None:
        """Visit tagged nodes.

        ``blanks_skipped``: the whitespace-only text nodes were left out of ``children``.
        """
        buffer = self.buffer
        for child, tag in children:
            # The space between two inline runs, <b>a</b> <b>b</b>; after a space or a line
            # break flush() would drop it, so the node before is not looked up for nothing.
            if (
                blanks_skipped
                and buffer
                and buffer[-1][-1:] not in (" ", "\n")
                and _follows_blank(child)
            ):
                buffer.append(" ")
            if tag == "-text":
                self.read_text(child.text_content or "")
            else:
                self.visit(child, tag, depth)

    def visit_block(self, node: LexborNode, tag: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            # Pathologically deep markup: keep its text, stop descending (the stack is finite).
            self.buffer.append(" " + node.text(deep=True) + " ")
            return
        attrs = node.attributes
        names = _names(attrs)
        zone = self.zone_for(tag, attrs, names)
        if zone == "drop":
            return
        self.flush()
        saved = (self.zone, self.in_content, self.container)
        self.out.containers[node.mem_id] = Container(self.container, tag, names)
        self.container = node.mem_id
        self.zone = zone
        self.in_content = self.in_content or tag in ("main", "article")
        self.render_block(node, tag, depth)
        self.flush()
        self.zone, self.in_content, self.container = saved

    def render_block(self, node: LexborNode, tag: str, depth: int) -> None:
        if tag not in RENDERED:
            self.visit_container(node, depth)
            return
        level = HEADINGS.get(tag)
        if level is not None:
            self.collect_links(node)
            text = clean_text(text_with_breaks(node))
            if text:
                self.emit("heading", text, "#" * level + " " + text, level)
        elif tag in ("ul", "ol") and not is_complex(node):
            text, markdown = render_list(node)
            if text:
                self.collect_links(node)
                self.emit("list", text, markdown)
            else:  # no <li> of its own (<ul><div>…</div></ul>): read it as a container
                self.visit_container(node, depth)
        elif tag == "table" and not table_is_layout(node):
            self.collect_links(node)
            text, markdown, rows = render_table(node)
            if text:
                self.emit("table", text, markdown)
                self.out.blocks[-1].rows = rows
        elif tag == "pre":
            text = node.text(deep=True).strip("\n")
            if text.strip():
                self.emit("pre", text, f"```\n{text}\n```")
        elif tag == "blockquote" and not is_complex(node):
            self.visit_quote(node)
        elif tag == "details":
            self.visit_details(node, depth)
        elif tag == "dl":
            self.visit_definitions(node, depth)
        else:
            self.visit_container(node, depth)

    def visit_quote(self, node: LexborNode, kind: str = "quote") -> None:
        """A ``<blockquote>``, or (``kind`` "testimonial") what the markup says a client said."""
        self.flush()
        self.collect_links(node)
        text = clean_lines(text_with_breaks(node))
        if text:
            self.emit(kind, text, "> " + text.replace("\n", "\n> "))

    def visit_container(self, node: LexborNode, depth: int) -> None:
        text = lone_text(node)
        if text is not None:
            self.read_text(text)  # <p>Some text.</p>: no list of children, no unit search
            return
        # The blank text nodes, the indentation between blocks, are left out in C: the buffer
        # is flushed before and after a block, so only a blank between two inline runs counts.
        children = _tagged_children(node, skip_blank=True)
        row = price_row(children) if 1 < len(children) <= MAX_ROW_CELLS else None
        if row is not None:
            self.buffer.append(row)  # "Coupe femme 38 €": a name stays next to its price
            return
        units = repeated_units(children) if len(children) > 1 else None
        if not units:
            self.visit_all(children, depth + 1, blanks_skipped=True)
            return
        outer = (self.unit, self.unit_kind)
        for child, tag in children:
            kind = units.get(child.mem_id)
            if kind == "quote":
                self.visit_quote(child, "testimonial")
            elif kind is not None:
                self.flush()
                self.enter_unit(kind)
                self.visit(child, tag, depth + 1)
                self.flush()
                self.leave_unit(outer)
            else:
                self.visit_all([(child, tag)], depth + 1, blanks_skipped=True)

    def at_card_start(self) -> bool:
        """Nothing of the current card has been read yet: a bold lead would be its title."""
        if not self.unit or self.unit_kind != "card" or "".join(self.buffer).strip():
            return False
        return not self.out.blocks or self.out.blocks[-1].unit != self.unit

    def emit_card_title(self, node: LexborNode) -> None:
        self.buffer.clear()
        self.emit_label(node)

    def emit_label(self, node: LexborNode) -> None:
        """A question, term or bold lead that titles the unit it opens (a level-6 heading)."""
        text = clean_text(node.text(deep=True))
        if text:
            self.emit("heading", text, "#### " + text, 6)

    def enter_unit(self, kind: str) -> None:
        self.units_made += 1
        self.unit = self.units_made
        self.unit_kind = kind

    def leave_unit(self, outer: tuple[int, str]) -> None:
        self.unit, self.unit_kind = outer

    def visit_details(self, node: LexborNode, depth: int) -> None:
        outer = (self.unit, self.unit_kind)
        self.enter_unit("faq")
        for child in node.iter(include_text=True):
            tag = child.tag or ""
            if tag == "summary":
                self.emit_label(child)
            else:
                self.visit(child, tag, depth + 1)
        self.flush()
        self.leave_unit(outer)

    def visit_definitions(self, node: LexborNode, depth: int) -> None:
        outer = (self.unit, self.unit_kind)
        for child in node.iter(include_text=False):
            tag = child.tag or ""
            if tag == "dt":
                self.flush()
                question = clean_text(child.text(deep=True)).endswith("?")
                self.enter_unit("faq" if question else "card")
                self.emit_label(child)
            else:
                self.visit(child, tag, depth + 1)
                self.flush()
        self.leave_unit(outer)

    # -- zones -------------------------------------------------------------------------

    def zone_for(self, tag: str, attrs: dict[str, str | None], classes: str) -> str:
        """``classes``: the element's class names and id (:func:`_names`)."""
        if classes and tag not in NEVER_DROPPED and _DROP.search(classes):
            return "drop"
        role = attrs.get("role")
        role_zone = ROLE_ZONES.get(role.lower()) if role else None
        if role_zone == "drop":
            return "drop"
        if self.zone != "main":
            return self.zone
        if role_zone is not None:
            return role_zone
        if tag == "nav":
            return "nav"
        if tag in ("header", "footer") and not self.in_content:
            return tag
        if tag == "aside" or tag == "dialog":
            return "aside"
        for name in classes.split():
            zone = LANDMARK_CLASSES.get(name)
            if zone is not None and not (self.in_content and zone == "header"):
                return zone
        return self.zone

    # -- links, images, contacts -------------------------------------------------------

    def collect_links(self, node: LexborNode) -> None:
        for anchor in node.css("a[href]"):
            self.record_link(anchor, anchor.attributes)

    def record_link(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        href = (attrs.get("href") or "").strip()
        if not href or len(self.out.links) >= MAX_LINKS:
            return
        lowered = href.lower()
        if lowered.startswith(("mailto:", "tel:")):
            self.calls = True
            self.link_chars += len(clean_text(node.text(deep=True)))
        if lowered.startswith("mailto:"):
            address = href[7:].split("?", 1)[0].strip()
            if EMAIL.fullmatch(address) and address not in self.out.emails:
                self.out.emails.append(address)
            return
        if lowered.startswith("tel:"):
            number = clean_text(href[4:])
            if looks_like_phone(number) and number not in self.out.phones:
                self.out.phones.append(number)
            return
        url = normalize_url(href, self.base_url)
        if url is not None:
            text = clean_text(node.text(deep=True))
            self.out.links.append(Link(url, text, self.zone))
            self.link_chars += len(text)

    def record_image(self, node: LexborNode) -> None:
        attrs = node.attributes
        src = attrs.get("src") or attrs.get("data-src") or ""
        hint = f"{src} {attrs.get('alt') or ''} {attrs.get('class') or ''} {attrs.get('id') or ''}"
        if "logo" not in hint.lower() or not src or src.startswith("data:"):
            return
        url = normalize_url(src, self.base_url)
        if url is None:
            return
        alt = clean_text(attrs.get("alt") or "")
        in_template = self.zone in ("header", "nav")
        if in_template:
            self.out.logos.insert(0, url)
        else:
            self.out.logos.append(url)
        if alt:
            self.out.logo_alts.insert(0, alt) if in_template else self.out.logo_alts.append(alt)


def _tagged_children(node: LexborNode, skip_blank: bool = False) -> list[tuple[LexborNode, str]]:
    """The child nodes, text included, each with its tag (read once: it costs a C call).

    ``skip_blank`` leaves out the text nodes of ASCII whitespace only.
    """
    children = node.iter(include_text=True, skip_empty=skip_blank)
    return [(child, child.tag or "") for child in children]


def _follows_blank(node: LexborNode) -> bool:
    """The node comes right after a non-empty text node of ASCII whitespace only."""
    previous = node.prev
    return previous is not None and previous.is_empty_text_node and bool(previous.text_content)


def _is_toggle(node: LexborNode) -> bool:
    """A button that shows or hides a panel (an accordion's question), not an action."""
    attrs = node.attributes
    return "aria-expanded" in attrs or "aria-controls" in attrs


def _wraps_page(form: LexborNode) -> bool:
    """Some sites wrap the whole page in a form (ASP.NET): a form holding an article is kept."""
    if form.css_first("article, main, h1") is not None:
        return True
    return len(form.css("p")) >= WRAPPED_PARAGRAPHS


def _dropped(attrs: dict[str, str | None]) -> bool:
    names = _names(attrs)
    return bool(names) and _DROP.search(names) is not None


def _names(attrs: dict[str, str | None]) -> str:
    """The class names and the id of an element, lower-cased and space-separated, or ""."""
    classes, ident = attrs.get("class"), attrs.get("id")
    if not classes and not ident:
        return ""
    return f"{classes or ''} {ident or ''}".lower()


BREAKING = frozenset({"br", "p", "div", "li", "footer", "cite", "h1", "h2", "h3", "h4", "h5", "h6"})


def text_with_breaks(node: LexborNode) -> str:
    """The text of an element with a line break for each ``<br>`` and block inside it
    (``node.text()`` runs "the week.<br>Maya Lind" together)."""
    parts: list[str] = []
    for child in node.traverse(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(_source_spaces(child.text_content or ""))
        elif tag in BREAKING:
            parts.append("\n")
    return "".join(parts)


def _source_spaces(text: str) -> str:
    """Every run of whitespace one space, the ends included (``\\s+`` to " ", faster)."""
    words = text.split()
    if not words:
        return " " if text else ""
    joined = " ".join(words)
    if text[0].isspace():
        joined = " " + joined
    return joined + " " if text[-1].isspace() else joined

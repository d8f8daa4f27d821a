"""Repeated units: the cards and tiles among a container's children, and the lists and
quotes that are laid out content rather than a list.

A unit is a run of siblings of one shape (same tag, mostly the same classes), most of
them titled (a heading, a bold lead or a class that names a title) and of card length:
pricing plans, feature grids, team members. Later stages turn a unit into one item. A row
of boxes ending in a price is one line ("Coupe femme 38 €").
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from sitelore.core.tags import HEADINGS, INLINE, SKIP
from sitelore.core.text import PRICE

TITLE_CLASS_HINTS = ("title", "name", "heading", "question")
_TITLE_CLASS = re.compile("|".join(TITLE_CLASS_HINTS), re.IGNORECASE)
MAX_ROW_CELL = 80
MAX_QUOTE = 1500
ROW_CELLS = frozenset({"div", "span"})  # boxes; a <strong> or <p> lead is a card title


def is_complex(node: LexborNode) -> bool:
    """A list or quote whose items hold headings, tables or long blocks is laid out content."""
    if node.css_first("h1, h2, h3, h4, h5, h6, table, dl, details") is not None:
        return True
    if node.tag not in ("ul", "ol"):
        return False
    items = [child for child in node.iter(include_text=False) if child.tag == "li"]
    # Half the items or more must hold two such blocks each: one query over the whole list
    # (it matches the list itself too, when it is a <ul>) rules out most lists, menus above
    # all, without one query per item.
    if len(items) < 2 or len(node.css("div, p, ul")) < len(items):
        return False
    rich = [item for item in items if len(item.css("div, p, ul")) >= 2]
    return len(rich) * 2 >= len(items) and looks_like_card(rich[0])


NOT_UNITS = INLINE | HEADINGS.keys() | {"p", "a", "br", "img"} | SKIP


def repeated_units(children: list[tuple[LexborNode, str]]) -> dict[int, str]:
    """Children that are cards (siblings of one shape, each with a title of its own) or
    quotations (siblings of one shape that the markup calls testimonials): ``mem_id`` →
    ``"card"`` or ``"quote"``.

    ``children`` are a container's child nodes with their tags, text nodes included.
    """
    # Text, comments, inline and heading-like children never form a unit, and a unit
    # needs two siblings: most containers are done here, before any attribute is read.
    candidates = [
        (child, tag) for child, tag in children if tag not in NOT_UNITS and tag[:1] != "-"
    ]
    if len(candidates) < 2:
        return {}
    groups: list[list[tuple[str, set[str], LexborNode]]] = []
    for child, tag in candidates:
        tokens = set((child.attributes.get("class") or "").split())
        for group in groups:
            first_tag, first_tokens, _ = group[0]
            if first_tag == tag and _similar(first_tokens, tokens):
                group.append((tag, tokens, child))
                break
        else:
            groups.append([(tag, tokens, child)])
    units: dict[int, str] = {}
    for group in groups:
        if len(group) >= 2:
            members = [child for _, _, child in group]
            cards = _cards(members)
            if cards:
                units.update(dict.fromkeys(cards, "card"))
            elif _quoted(members[0]):
                units.update(dict.fromkeys((member.mem_id for member in members), "quote"))
    return units


# Class names that themes give a testimonial ("testimonial", "quote-item", "icon-quotes").
_QUOTE_HINTED = ", ".join(f'[class*="{hint}" i]' for hint in ("testimonial", "quote"))


def _quoted(member: LexborNode) -> bool:
    """A carousel of what clients said: the markup says so, on the member or inside it, and
    the member is short prose (no heading: a titled one is a card)."""
    names = f"{member.attributes.get('class') or ''} {member.attributes.get('id') or ''}"
    hinted = "testimonial" in names.lower() or "quote" in names.lower()
    if not hinted and member.css_first(_QUOTE_HINTED) is None:
        return False
    return 15 <= len(member.text(deep=True).strip()) <= MAX_QUOTE


def _cards(members: list[LexborNode]) -> list[int]:
    """The ``mem_id`` of the cards among a group of siblings when at least two of them and
    at least three fifths of the group are cards, else none. Stops looking as soon as too
    many members have turned out not to be cards."""
    allowed_misses = min(len(members) - 2, len(members) * 2 // 5)
    cards: list[int] = []
    misses = 0
    for member in members:
        if looks_like_card(member):
            cards.append(member.mem_id)
        else:
            misses += 1
            if misses > allowed_misses:
                return []
    return cards


def _similar(a: set[str], b: set[str]) -> bool:
    if not a and not b:
        return True
    return len(a & b) * 2 >= len(a | b)


_TITLE_HINTED = ", ".join(f'[class*="{hint}" i]' for hint in TITLE_CLASS_HINTS)


def looks_like_card(node: LexborNode) -> bool:
    """Titled (a heading, a bold lead or a class naming a title) and of card length."""
    if node.css_first("h1, h2, h3, h4, h5, h6") is None:
        first = node.child
        while first is not None and first.tag == "-text" and not (first.text_content or "").strip():
            first = first.next
        bold_lead = first is not None and first.tag in ("strong", "b", "dt")
        # A class naming a title, matched case-insensitively by the selector engine.
        if not bold_lead and node.css_first(_TITLE_HINTED) is None:
            return False
    length = len(node.text(deep=True).strip())
    return 15 <= length <= 4000


def lone_text(node: LexborNode) -> str | None:
    """The text of an element whose one child is a text node, else None."""
    child = node.first_child
    if child is not None and child.next is None and child.is_text_node:
        return child.text_content or ""
    return None


def price_row(children: list[tuple[LexborNode, str]]) -> str | None:
    """The one line of a price-list row laid out as boxes (``<div>Coupe femme</div>
    <div>38 €</div>``): a few short text-only cells, the last of them a price."""
    if any(tag not in ROW_CELLS for _, tag in children):
        return None  # the common case, decided on the tags already read
    texts = [lone_text(child) for child, _ in children]
    if any(text is None or len(text) > MAX_ROW_CELL for text in texts):
        return None
    cells = [text.strip() for text in texts if text is not None]
    if not PRICE.search(cells[-1]) or any(PRICE.search(cell) for cell in cells[:-1]):
        return None
    if any(_TITLE_CLASS.search(child.attributes.get("class") or "") for child, _ in children):
        return None  # a card's title cell: the card reads its title apart
    return " ".join(cells)

"""Lists and tables rendered as Markdown, so that structure survives into knowledge items."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from sitelore.core.text import clean_text

MAX_ROWS = 300
MAX_COLUMNS = 30
MAX_LIST_DEPTH = 6


def render_list(node: LexborNode, depth: int = 0) -> tuple[str, str]:
    """(plain text, Markdown) of a ``<ul>``/``<ol>``, nested lists indented."""
    ordered = node.tag == "ol"
    texts: list[str] = []
    lines: list[str] = []
    number = 0
    for item in node.iter(include_text=False):
        if item.tag != "li":
            continue
        own, nested = _split_item(item)
        if not own and not nested:
            continue
        number += 1
        marker = f"{number}." if ordered else "-"
        if own:
            texts.append(own)
            lines.append("  " * depth + f"{marker} {own}")
        for child in nested:
            if depth < MAX_LIST_DEPTH:
                text, markdown = render_list(child, depth + 1)
                if text:
                    texts.append(text)
                    lines.append(markdown)
    return "\n".join(texts), "\n".join(lines)


def _split_item(item: LexborNode) -> tuple[str, list[LexborNode]]:
    parts: list[str] = []
    nested: list[LexborNode] = []
    for child in item.iter(include_text=True):
        tag = child.tag
        if tag in ("ul", "ol"):
            nested.append(child)
        elif tag == "-text":
            parts.append(child.text_content or "")
        elif tag in ("script", "style", "svg", "button", "template", "noscript"):
            continue
        elif not (tag or "").startswith("-"):
            parts.append(" " + child.text(deep=True) + " ")
    return clean_text("".join(parts)), nested


def table_is_layout(node: LexborNode) -> bool:
    """Tables used for page layout hold other tables or a single column of text."""
    if len(node.css("table")) > 1:  # css() matches the node itself too
        return True
    widest = max((_cell_count(row) for row in node.css("tr")), default=0)
    return widest <= 1


def _cell_count(row: LexborNode) -> int:
    return sum(1 for cell in row.iter(include_text=False) if cell.tag in ("td", "th"))


def table_rows(node: LexborNode) -> list[list[str]]:
    """The cell texts of a data table, row by row, padded to the same width."""
    rows: list[list[str]] = []
    for row in node.css("tr")[:MAX_ROWS]:
        cells = [
            _cell_text(cell) for cell in row.iter(include_text=False) if cell.tag in ("td", "th")
        ]
        if any(cells):
            rows.append(cells[:MAX_COLUMNS])
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _cell_text(cell: LexborNode) -> str:
    text = clean_text(cell.text(deep=True, separator=" "))
    if text:
        return text
    # Comparison tables mark what a plan includes with an icon and no text.
    icon = cell.css_first("svg, img, i, span[class]")
    if icon is None:
        return ""
    hints = " ".join(
        f"{element.attributes.get('class') or ''} {element.attributes.get('alt') or ''} "
        f"{element.attributes.get('aria-label') or ''}"
        for element in cell.css("*")
    ).lower()
    if any(word in hints for word in ("cross", "times", "close", "minus", "no-", "unavailable")):
        return "✗"
    if any(word in hints for word in ("check", "yes", "tick", "included", "available")):
        return "✓"
    return "✓" if cell.css_first("svg") is not None else ""


def render_table(node: LexborNode) -> tuple[str, str, list[list[str]]]:
    """(plain text, Markdown table, rows) of a data table; the first row is the header."""
    rows = table_rows(node)
    if not rows:
        return "", "", []
    width = len(rows[0])
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    text = "\n".join(" | ".join(cell for cell in row if cell) for row in rows)
    markdown = markdown_table(rows)
    caption = node.css_first("caption")
    if caption is not None and clean_text(caption.text()):
        title = clean_text(caption.text())
        return f"{title}\n{text}", f"{title}\n\n{markdown}", rows
    return text, markdown, rows


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * len(rows[0]))
    return "\n".join(lines)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")

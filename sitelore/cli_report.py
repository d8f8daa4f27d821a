"""``sitelore extract --explain``: the result's ``explain`` object as a report for people.

It is read from the result JSON (not from the pipeline's objects), so a run on a server
(``--server``) prints the same report as a local one.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

WIDTH = 100
INDENT = " " * 13
STATUS_ORDER = ("done", "skipped", "failed", "unvisited")


def explain_report(result: Mapping[str, Any]) -> str:
    """Per page its status, kind and why; then per item its category and title and why."""
    explain = result.get("explain")
    if not isinstance(explain, Mapping):
        return "explain: the result has no explain object (a server without --explain?)\n"
    pages: Sequence[Mapping[str, Any]] = explain.get("pages") or []
    items: Sequence[Mapping[str, Any]] = explain.get("items") or []
    lines = [_summary(pages, items), "", "Pages"]
    for page in pages:
        lines.append(f"  {page['status']:<10} {page['kind']:<12} {page['url']}")
        lines.extend(_wrapped(page["reason"]))
    lines += ["", "Items"]
    for item in items:
        lines.append(
            f"  {item['category']:<10} {item['title'] or '(no title)'}  <{item['source']}>"
        )
        lines.extend(_wrapped(f"category: {item['categoryReason']}"))
        lines.extend(_wrapped(f"title: {item['titleReason']}"))
    return "\n".join(lines) + "\n"


def _summary(pages: Sequence[Mapping[str, Any]], items: Sequence[Mapping[str, Any]]) -> str:
    counts = Counter(str(page["status"]) for page in pages)
    known = [f"{counts[status]} {status}" for status in STATUS_ORDER if counts[status]]
    other = [f"{n} {status}" for status, n in counts.items() if status not in STATUS_ORDER]
    return f"explain: {len(pages)} pages ({', '.join(known + other) or 'none'}), {len(items)} items"


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT, break_long_words=False
    )

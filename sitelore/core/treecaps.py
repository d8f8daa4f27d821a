"""Caps on a page's element tree, checked on the raw HTML before it is parsed.

An HTML parser closes each end tag by searching the stack of open elements, so a page of
deeply nested elements costs time quadratic in its depth: 20,000 nested ``<div>`` take
~0.5 s to parse, 150,000 (a 1.6 MB page) take minutes, in C code that nothing can
interrupt. A page over a cap is refused with a clear reason instead. The cheap counts come
first; the depth is measured only where the counts say the parse could be slow.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sitelore.errors import PageTooComplex

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
# Elements that never hold others.
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()  # noqa: SIM905
)
# Elements whose start tag closes an open one of the same name (<li>a<li>b are siblings).
_SIBLINGS = frozenset(
    "p li dt dd tr td th option optgroup rt rp thead tbody tfoot".split()  # noqa: SIM905
)
# End tags × tags below this cannot make the parse slow (it stays under ~50 ms), so the
# depth is not measured: the common page pays two str.count calls.
_SAFE_WORK = 50_000_000


@dataclass(frozen=True)
class TreeLimits:
    """The most elements, and the deepest nesting, a page may have."""

    max_elements: int = 200_000
    max_depth: int = 5_000


def check_tree(html: str, url: str, limits: TreeLimits) -> None:
    """Raise :class:`~sitelore.errors.PageTooComplex` when ``html`` is over ``limits``."""
    tags = html.count("<")
    end_tags = html.count("</")
    elements = tags - end_tags
    if elements > limits.max_elements:
        raise PageTooComplex(
            url, f"it has more than {limits.max_elements:,} HTML elements (the limit per page)"
        )
    if tags * end_tags > _SAFE_WORK and nesting_depth(html) > limits.max_depth:
        raise PageTooComplex(
            url, f"it nests elements more than {limits.max_depth:,} deep (the limit per page)"
        )


def nesting_depth(html: str) -> int:
    """The deepest nesting of elements in ``html``, as a parser would build it (roughly:
    stray end tags are ignored and the siblings' implied end tags are honoured)."""
    open_now: Counter[str] = Counter()
    depth = deepest = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if name in _VOID:
            continue
        if match.group(1):
            if open_now[name]:
                open_now[name] -= 1
                depth -= 1
        elif not (name in _SIBLINGS and open_now[name]):
            open_now[name] += 1
            depth += 1
            deepest = max(deepest, depth)
    return deepest

"""The main text of a page: the blocks of its article body, without the page's furniture.

Readability's idea, on the block stream of :mod:`sitelore.core.blocks` instead of the DOM:
every prose block scores the element it sits in and that element's ancestors (less the
farther up). An element's score is then weighed by its tag and class names (``article``,
``content`` up; ``comment``, ``share`` down), by the share of its text that is link text,
and by the share of the page's prose it holds, so that a small box with a promising class
name cannot beat the body of the article. The best element and those of its siblings that
score close to it are the main text. Subtrees unlikely to be content (comments, share bars,
related stories, bylines) are left out first, unless one of them holds most of the page's
prose: a whole page may sit in ``<div class="has-sidebar">``.

Pure: no DOM, no I/O; the walk records what this needs (:class:`Container`,
``Block.container``, ``Block.link_chars``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from sitelore.core.blocktypes import Block, Container

PROSE_KINDS = frozenset({"text", "quote", "testimonial", "pre"})
MIN_PROSE_CHARS = 25
TEMPLATE_ZONES = frozenset({"nav", "header", "footer"})
# A heading's id is usually its own text as a slug ("why-we-recommend-it"), not a role.
NEVER_UNLIKELY = frozenset({"body", "html", "main", "article", "h1", "h2", "h3", "h4", "h5", "h6"})
ANCESTOR_LEVELS = 5
SIBLING_SHARE = 0.2  # a sibling scoring a fifth of the best joins it (readability's rule)
MIN_SIBLING_SCORE = 10.0
PROSE_SHARE_FOR_FULL_SCORE = 0.25
LINK_TEXT_LIMIT = 0.5
LINKED_SENTENCE_CHARS = 100

POSITIVE_NAMES = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story"
)
NEGATIVE_NAMES = re.compile(
    r"-ad-|hidden|banner|combx|comment|contact|foot|footnote|gdpr|masthead|media|meta|"
    r"outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|"
    r"tags|tool|widget"
)
UNLIKELY_NAMES = re.compile(
    r"-ad-|ad-break|agegate|author|banner|breadcrumbs|byline|caption|combx|comment|"
    r"community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|more-stories|"
    r"most-popular|newsletter|pager|pagination|popup|promo|read-more|readmore|recommend|"
    r"related|remark|replies|rss|share|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"subscribe|supplemental|tags|trending"
)
MAYBE_CONTENT_NAMES = re.compile(r"and|article|body|column|content|main|shadow")
TAG_SCORES = {
    "div": 5,
    "article": 5,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "th": -5,
    **{f"h{level}": -5 for level in range(1, 7)},
}


class _Text(NamedTuple):
    chars: int
    link_chars: int
    prose: int


def main_blocks(blocks: Sequence[Block], containers: Mapping[int, Container]) -> list[Block]:
    """The blocks of the page's main text, in page order; the content zones if it has no prose.

    ``containers`` maps an element's key to its :class:`Container`, parents before children
    (the walk's order); a block's ``container`` is the key of the element it sits in.
    """
    content = [block for block in blocks if block.zone not in TEMPLATE_ZONES]
    page_text = _text_per_container(content, containers)
    total_prose = page_text[0].prose if 0 in page_text else 0
    left_out = _subtrees(_unlikely(containers, page_text, total_prose), containers)
    usable = [block for block in content if block.container not in left_out]
    scores = _scores(usable, containers, page_text, total_prose)
    if not scores:
        return [block for block in blocks if block.zone in ("main", "aside")]
    kept = _subtrees(_best_with_siblings(scores, containers), containers)
    return [block for block in usable if block.container in kept and not _mostly_links(block)]


def _mostly_links(block: Block) -> bool:
    """A list of links or a "Read more: ..." line; a sentence around one long link is kept."""
    if block.kind == "heading" or block.link_chars <= LINK_TEXT_LIMIT * len(block.text):
        return False
    return block.kind != "text" or len(block.text) < LINKED_SENTENCE_CHARS


def _subtrees(roots: set[int], containers: Mapping[int, Container]) -> set[int]:
    """The roots and every container below them."""
    inside = set(roots)
    for key, container in containers.items():
        if container.parent in inside:
            inside.add(key)
    return inside


def _is_prose(block: Block) -> bool:
    return block.kind in PROSE_KINDS and len(block.text) >= MIN_PROSE_CHARS


def _text_per_container(
    blocks: Sequence[Block], containers: Mapping[int, Container]
) -> dict[int, _Text]:
    """Characters, link characters and prose characters under every container (0: the page)."""
    sums: dict[int, list[int]] = {}
    for block in blocks:
        counts = sums.setdefault(block.container, [0, 0, 0])
        counts[0] += len(block.text)
        counts[1] += block.link_chars
        counts[2] += len(block.text) if _is_prose(block) else 0
    for key in reversed(list(containers)):  # children before parents
        below = sums.get(key)
        if below is not None:
            totals = sums.setdefault(containers[key].parent, [0, 0, 0])
            totals[0] += below[0]
            totals[1] += below[1]
            totals[2] += below[2]
    return {key: _Text(*counts) for key, counts in sums.items()}


def _unlikely(
    containers: Mapping[int, Container], text: Mapping[int, _Text], total_prose: int
) -> set[int]:
    """Containers named like furniture, unless they hold half of the page's prose."""
    unlikely = set()
    for key, container in containers.items():
        held = text.get(key)
        if held is None or container.tag in NEVER_UNLIKELY or held.prose * 2 >= total_prose:
            continue  # no text under it, or most of the page: the layout, not furniture
        if UNLIKELY_NAMES.search(container.names) and not MAYBE_CONTENT_NAMES.search(
            container.names
        ):
            unlikely.add(key)
    return unlikely


def _scores(
    usable: Sequence[Block],
    containers: Mapping[int, Container],
    page_text: Mapping[int, _Text],
    total_prose: int,
) -> dict[int, float]:
    """Readability's score of every container holding prose, weighed by :func:`_weight`."""
    usable_text = _text_per_container(usable, containers)
    raw: dict[int, float] = {}
    for block in usable:
        if not _is_prose(block):
            continue
        points = 1 + block.text.count(",") + min(len(block.text) // 100, 3)
        key = block.container
        for level in range(ANCESTOR_LEVELS):
            if key == 0:
                break
            if key not in raw:
                raw[key] = _prior(containers[key])
            raw[key] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            key = containers[key].parent
    return {
        key: score * _weight(usable_text[key], page_text[key].prose, total_prose)
        for key, score in raw.items()
    }


def _prior(container: Container) -> float:
    score = float(TAG_SCORES.get(container.tag, 0))
    if NEGATIVE_NAMES.search(container.names):
        score -= 25
    if POSITIVE_NAMES.search(container.names):
        score += 25
    return score


def _weight(held: _Text, prose: int, total_prose: int) -> float:
    """Less for link text; less for a container holding little of the page's prose."""
    link_density = held.link_chars / held.chars if held.chars else 0.0
    prose_share = prose / (PROSE_SHARE_FOR_FULL_SCORE * total_prose) if total_prose else 0.0
    return (1 - link_density) * min(1.0, prose_share)


def _best_with_siblings(
    scores: Mapping[int, float], containers: Mapping[int, Container]
) -> set[int]:
    best = max(scores, key=lambda key: scores[key])
    parent = containers[best].parent
    threshold = max(MIN_SIBLING_SCORE, scores[best] * SIBLING_SHARE)
    return {best} | {
        key
        for key, score in scores.items()
        if score >= threshold and containers[key].parent == parent
    }

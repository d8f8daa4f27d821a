"""Chunks → knowledge items: one per plan, feature, question, policy; categorized and sized.

Pricing comparison tables become one item per plan (column). Chunks too small to
stand alone are merged with their siblings under the heading they share; very
long ones are split at block boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from sitelore.core.blocktypes import Block
from sitelore.core.categories import Verdict, judge, names_role
from sitelore.core.chunks import QUOTES, Chunk
from sitelore.core.industry import industry_evidence
from sitelore.core.text import AMOUNT, PRICE, visible_length
from sitelore.core.titles import item_description, item_title
from sitelore.models import ItemCategory, ItemWhy, KnowledgeItem

MIN_ITEM_CHARS = 45
MIN_CARD_CHARS = 38  # content of at least 40 non-space characters: a sentence
MAX_ITEM_CHARS = 6000
MIN_QUESTIONS = 3
MAX_COMBINED = 1500  # sibling cards combined past this would be a lump, not one item
NAME_WORDS = (2, 4)  # a person's name: "Jana Petrović" to "Dr. K. M. Brandt"
_QUOTED = re.compile('[“”„«»"]')
NOT_SOFTWARE = "a business that sells no software"
UNITS = frozenset({"card", "plan"})  # kinds of draft that are one unit whatever their title
EMPTY_CELLS = frozenset({"", "-", "–", "—", "✗", "x", "no", "n/a"})
# A table of records: a price on at least 4 rows of 5 in one column, on at most 1 in another.
MIN_RECORDS, PRICED_COLUMN, UNPRICED_COLUMN = 3, 0.8, 0.2


@dataclass
class Draft:
    title: str
    parents: tuple[str, ...]
    text: str
    markdown: str
    kind: str = ""
    from_table: bool = False
    standalone: bool = False  # an item even when small (a plan card)

    @cached_property
    def size(self) -> int:
        """Visible characters of title and text (both are set once, at construction)."""
        return visible_length(self.title) + visible_length(self.text)


@dataclass(frozen=True)
class PageContext:
    url: str
    purpose: str
    title: str = ""
    default: ItemCategory | None = None
    industry: str = ""
    offer: ItemCategory = ItemCategory.FEATURE  # what the business sells: see offer_category
    language: str | None = None  # the site's, for the phrases that hint at a category


def page_items(chunks: list[Chunk], page: PageContext) -> list[KnowledgeItem]:
    """The knowledge items of one page, in document order."""
    drafts: list[Draft] = []
    for chunk in chunks:
        drafts.extend(_chunk_drafts(chunk, page))
    _mark_questions(drafts)
    drafts = _absorb_labels(drafts)
    items: list[KnowledgeItem] = []
    for draft in _split_large(_merge_small(drafts)):
        if draft.size >= MIN_ITEM_CHARS or draft.standalone:
            items.append(_to_item(draft, page))
    return items


def _mark_questions(drafts: list[Draft]) -> None:
    """Several answered questions on one page are an FAQ even without FAQ markup."""
    questions = [d for d in drafts if d.title.rstrip().endswith("?") and d.text]
    if len(questions) >= MIN_QUESTIONS:
        for draft in questions:
            draft.kind = "faq"


def _absorb_labels(drafts: list[Draft]) -> list[Draft]:
    """Sub-headings that only label part of a section ("How it works:", repeated under every
    service) stay with the section they belong to rather than standing alone."""
    counts: dict[str, int] = {}
    for draft in drafts:
        counts[draft.title.casefold()] = counts.get(draft.title.casefold(), 0) + 1
    kept: list[Draft] = []
    for draft in drafts:
        # A card is a unit whatever its title: "Solo" twice is a monthly and a yearly plan.
        # An untitled one (a quotation, a paragraph) labels nothing.
        titled = bool(draft.title.strip()) and draft.kind not in QUOTES
        repeated = titled and counts[draft.title.casefold()] > 1 and draft.kind not in UNITS
        label = draft.title.rstrip().endswith(":") or repeated
        owner = kept[-1] if kept else None
        if (
            label
            and draft.parents
            and owner is not None
            and not owner.from_table
            and (*owner.parents, owner.title) == draft.parents
        ):
            kept[-1] = _absorb(owner, draft)
        else:
            kept.append(draft)
    return kept


def _chunk_drafts(chunk: Chunk, page: PageContext) -> list[Draft]:
    tables = [b for b in chunk.blocks if b.rows and _is_plan_table(b.rows, chunk, page)]
    if not tables:
        return [_draft(chunk.title, chunk.parents, chunk.blocks, chunk.kind)]
    drafts: list[Draft] = []
    rest = [b for b in chunk.blocks if b not in tables]
    if rest:
        drafts.append(_draft(chunk.title, chunk.parents, rest, chunk.kind))
    context = (*chunk.parents, chunk.title) if chunk.title else chunk.parents
    for table in tables:
        plans = _plan_drafts(table.rows or [], context)
        if all(plan.size >= MIN_CARD_CHARS for plan in plans):
            drafts.extend(plans)
        else:  # columns too thin to stand alone: the table is the unit
            drafts.append(_draft(chunk.title, chunk.parents, [table], "table"))
    return drafts


def _draft(title: str, parents: tuple[str, ...], blocks: list[Block], kind: str) -> Draft:
    text = "\n".join(block.text for block in blocks)
    markdown = "\n\n".join(block.markdown for block in blocks)
    return Draft(title=title, parents=parents, text=text, markdown=markdown, kind=kind)


def _is_plan_table(rows: list[list[str]], chunk: Chunk, page: PageContext) -> bool:
    """A comparison table: plans across the top, features down the side, prices inside."""
    if len(rows) < 3 or len(rows[0]) < 3:
        return False
    plans = [cell for cell in rows[0][1:] if cell]
    if len(plans) < 2 or len(plans) != len(rows[0]) - 1:
        return False
    has_price = any(PRICE.search(cell) for row in rows[1:] for cell in row[1:])
    return (has_price or page.purpose == "pricing") and not _is_record_table(rows)


def _is_record_table(rows: list[list[str]]) -> bool:
    """A table of records, one per row ("Service | Price | What it's for"): one column holds
    a price on (nearly) every row and another holds none, where a comparison has its prices
    along a row, one per plan."""
    body = rows[1:]
    if len(body) < MIN_RECORDS:
        return False
    shares = [
        sum(bool(AMOUNT.search(row[column])) for row in body) / len(body)
        for column in range(1, len(rows[0]))
    ]
    return max(shares) >= PRICED_COLUMN and min(shares) <= UNPRICED_COLUMN


def _plan_drafts(rows: list[list[str]], context: tuple[str, ...]) -> list[Draft]:
    # The first column labels the rows, unless it is priced like the others: then it is a
    # plan too, and the table has no labels ("Unlimited | 10 days | 5 days" across the top).
    labelled = not any(PRICE.search(row[0]) for row in rows[1:])
    first = 1 if labelled else 0
    drafts = []
    for column in range(first, len(rows[0])):
        lines: list[str] = []
        for row in rows[1:]:
            label, value = (row[0], row[column]) if labelled else ("", row[column])
            if all(cell.strip().lower() in EMPTY_CELLS for cell in row[1:]):
                # A row named and nothing else (ticks drawn as images): every plan has it.
                if row[0]:
                    lines.append(f"**{row[0]}**")
            elif value.strip().lower() not in EMPTY_CELLS:
                lines.append(f"- {label}: {value}" if label else f"- {value}")
        title = rows[0][column]
        text = "\n".join(line.strip("*- ") for line in lines)
        drafts.append(Draft(title, context, text, "\n".join(lines), from_table=True))
    return drafts


def _merge_small(drafts: list[Draft]) -> list[Draft]:
    """Runs of small siblings (a feature grid of one-liners) become one item under their heading."""
    merged: list[Draft] = []
    run: list[Draft] = []

    def close_run() -> None:
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            merged.append(_combine(run))
        run.clear()

    for draft in _group_cards(drafts):
        if draft.size >= MIN_ITEM_CHARS or draft.from_table or draft.standalone:
            close_run()
            merged.append(draft)
        elif run and _joins(run[0], draft):
            run.append(draft)
        elif not run and merged and _absorbs(merged[-1]) and _joins(merged[-1], draft):
            merged[-1] = _absorb(merged[-1], draft)
        else:
            close_run()
            run.append(draft)
    close_run()
    return merged


def _absorbs(draft: Draft) -> bool:
    """Only a plain section takes in what follows it: a plan, a card or an answer is whole."""
    return not draft.from_table and not draft.kind


def _absorb(item: Draft, small: Draft) -> Draft:
    """A small child or sibling section becomes the end of the item before it."""
    text = f"{small.title}: {small.text}" if small.title else small.text
    markdown = f"**{small.title}**\n\n{small.markdown}" if small.title else small.markdown
    return Draft(
        item.title,
        item.parents,
        f"{item.text}\n{text}",
        f"{item.markdown}\n\n{markdown}",
        item.kind,
    )


def _group_cards(drafts: list[Draft]) -> list[Draft]:
    """Sibling cards are treated alike: each its own item when most of them could stand
    alone (or each is a priced plan), else all combined into one (unless that makes a
    lump); never two plans merged and the third alone. Cards of people are a team."""
    grouped: list[Draft] = []
    index = 0
    while index < len(drafts):
        end = index + 1
        if drafts[index].kind == "card":
            while (
                end < len(drafts)
                and drafts[end].kind == "card"
                and drafts[end].parents == drafts[index].parents
            ):
                end += 1
        group = drafts[index:end]
        index = end
        if len(group) < 2:
            grouped.extend(group)
            continue
        people = _is_people(group)
        big = sum(d.size >= MIN_ITEM_CHARS for d in group)
        priced = all(PRICE.search(d.title) or PRICE.search(d.text) for d in group)
        plans = _amounts_count(group) * 2 >= len(group)
        if all(d.size >= MIN_CARD_CHARS for d in group) and (priced or big * 2 >= len(group)):
            for draft in group:
                draft.standalone = True
                if plans:
                    # Plans side by side, most with an amount: "Enterprise — contact sales"
                    # is a plan too.
                    draft.kind = "plan"
            made = group
        elif sum(d.size for d in group) <= MAX_COMBINED:
            made = [_combine(group)]
        else:
            made = _combine_small_runs(group)
        for draft in made if people else ():
            draft.kind = "person"
        grouped.extend(made)
    return grouped


def _is_people(group: list[Draft]) -> bool:
    """Cards titled with people's names, most of them giving a role ("Jane Roe — Founder"):
    a team, wherever it stands. A price makes it a menu or a plan, not people."""
    if any(PRICE.search(d.text) or not looks_like_name(d.title) for d in group):
        return False
    if any(_QUOTED.search(d.text) for d in group):
        return False  # "“It doubled our sales” — CEO, Acme": customers speaking, not a team
    roles = sum(names_role(d.text) for d in group)
    return roles * 2 >= len(group)


def looks_like_name(title: str) -> bool:
    """Two to four capitalised words of letters ("Jana Petrović", "Dr. K. Brandt"), not a
    shouted heading ("OUR SKILLS") nor a phrase with figures in it."""
    words = title.split()
    if not NAME_WORDS[0] <= len(words) <= NAME_WORDS[1]:
        return False
    return all(
        word[0].isupper()
        and word.replace(".", "").replace("-", "").replace("'", "").replace("’", "").isalpha()
        and not (word.isupper() and len(word) > 3)
        for word in words
    )


def _combine_small_runs(group: list[Draft]) -> list[Draft]:
    """Cards of one parent too different to be one item (a page builder's sections, a
    figures strip, a text block): the big ones alone, each run of small ones together."""
    out: list[Draft] = []
    run: list[Draft] = []
    for draft in group:
        if draft.size >= MIN_ITEM_CHARS:
            out.extend([_combine(run)] if len(run) > 1 else run)
            run = []
            draft.standalone = True
            out.append(draft)
        else:
            run.append(draft)
    out.extend([_combine(run)] if len(run) > 1 else run)
    return out


def _amounts_count(group: list[Draft]) -> int:
    """How many drafts give an amount of money, stopping once most of them cannot."""
    count = 0
    for number, draft in enumerate(group):
        if count * 2 + (len(group) - number) * 2 < len(group):
            break  # even if every other draft had one, fewer than half would
        count += AMOUNT.search(draft.title) is not None or AMOUNT.search(draft.text) is not None
    return count


def _joins(first: Draft, draft: Draft) -> bool:
    """Siblings under one heading, or the children of the run's first draft."""
    return draft.parents in (first.parents, (*first.parents, first.title))


def _combine(run: list[Draft]) -> Draft:
    title = run[0].parents[-1] if run[0].parents else run[0].title
    parents = run[0].parents[:-1] if run[0].parents else ()
    texts, markdowns = [], []
    for draft in run:
        if draft.title and draft.title != title:
            texts.append(f"{draft.title}: {draft.text}" if draft.text else draft.title)
            markdowns.append(f"- **{draft.title}** {draft.markdown}".rstrip())
        elif draft.text:
            texts.append(draft.text)
            markdowns.append(draft.markdown)
    return Draft(title, parents, "\n".join(texts), "\n".join(markdowns))


def _split_large(drafts: list[Draft]) -> list[Draft]:
    out: list[Draft] = []
    for draft in drafts:
        if visible_length(draft.markdown) <= MAX_ITEM_CHARS:
            out.append(draft)
            continue
        parts = _cut(draft.markdown.split("\n\n"), MAX_ITEM_CHARS)
        for number, part in enumerate(parts, start=1):
            title = f"{draft.title} ({number}/{len(parts)})" if draft.title else ""
            out.append(Draft(title, draft.parents, part, part, draft.kind))
    return out


def _cut(pieces: list[str], limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        if current and size + len(piece) > limit:
            parts.append("\n\n".join(current))
            current, size = [], 0
        current.append(piece)
        size += len(piece)
    if current:
        parts.append("\n\n".join(current))
    return parts


def _to_item(draft: Draft, page: PageContext) -> KnowledgeItem:
    title, title_reason = item_title(
        draft.title, draft.parents, draft.text, page.title, page.purpose
    )
    heading = f"## {title}\n\n" if title else ""
    verdict = judge(
        draft.title,
        draft.parents,
        draft.text,
        draft.kind,
        page.purpose,
        _default_category(draft, page),
        draft.from_table,
        page.language,
    )
    verdict = _for_the_business(verdict, page)
    return KnowledgeItem(
        title=title,
        description=item_description(draft.text, title),
        content=(heading + draft.markdown).strip(),
        category=verdict.category,
        source=page.url,
        why=ItemWhy(verdict.reason, title_reason),
    )


def _for_the_business(verdict: Verdict, page: PageContext) -> Verdict:
    """Integrations, features and security are words of software. For a business that
    sells none, partners (a coworking space's sponsors) say who it works with, what has no
    price on its pricing page (the insurers it takes, how to pay) is about its prices, and
    safety rules ("life jackets are mandatory") are its policy."""
    if page.offer is ItemCategory.FEATURE:
        return verdict
    category = verdict.category
    if category is ItemCategory.INTEGRATION:
        return Verdict(ItemCategory.ABOUT, f"{verdict.reason}; partners of {NOT_SOFTWARE}")
    if category is ItemCategory.FEATURE and page.purpose == "pricing":
        return Verdict(ItemCategory.PRICING, f"on the pricing page of {NOT_SOFTWARE}")
    if category is ItemCategory.SECURITY:
        return Verdict(ItemCategory.POLICY, f"{verdict.reason}; safety rules of {NOT_SOFTWARE}")
    return verdict


def _default_category(draft: Draft, page: PageContext) -> ItemCategory | None:
    """A local business's home page describes the place (ABOUT) or what it offers: a grid
    of cards, or text in its industry's own words, is the offer. A page of no known kind
    elsewhere on the site is about the offer (the rooms of a guesthouse, the treatments of
    a clinic)."""
    if page.purpose == "other":
        return page.offer
    if page.default is ItemCategory.ABOUT:
        needed = 1 if draft.kind == "card" else 2
        if industry_evidence(draft.text, page.industry) >= needed:
            return page.offer
    return page.default

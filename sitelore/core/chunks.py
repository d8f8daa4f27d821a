"""Content blocks → chunks: the candidate units of knowledge on one page.

A chunk is a heading and what follows it up to the next heading, or one repeated
card, or one question with its answer. Each chunk keeps the headings above it,
which say what the chunk is part of ("Pricing" above a plan called "Pro").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise

from sitelore.core.blocktypes import Block
from sitelore.core.text import visible_length

MAX_QUESTION_LENGTH = 200
QUOTES = frozenset({"quote", "testimonial"})  # a blockquote; what the markup says a client said
# A question of a few words at the start of a paragraph, then at least a sentence of answer.
_OPENING_QUESTION = re.compile(r"([^?\n]{8,200}\?)\s+(?=\S.{20,})", re.DOTALL)


@dataclass
class Chunk:
    title: str = ""
    level: int = 7
    kind: str = ""  # "card" | "faq" | "" (a plain section)
    unit: int = 0
    parents: tuple[str, ...] = ()
    blocks: list[Block] = field(default_factory=list)
    kicker: Block | None = None  # the block the title was taken from (a unit's)

    @property
    def body_text(self) -> str:
        return "\n".join(block.text for block in self.blocks)

    @property
    def body_markdown(self) -> str:
        return "\n\n".join(block.markdown for block in self.blocks)

    def size(self) -> int:
        return visible_length(self.title) + sum(visible_length(b.text) for b in self.blocks)

    @property
    def is_question(self) -> bool:
        return self.kind == "faq" or self.title.rstrip().endswith("?")


def split_chunks(blocks: Iterable[Block]) -> list[Chunk]:
    """Cut a page's content blocks into chunks, in document order."""
    return _Splitter().run(_unwrap_heading_units(list(blocks)))


def _unwrap_heading_units(blocks: list[Block]) -> list[Block]:
    """A "unit" that holds nothing but a heading is no card: page builders wrap every
    heading and every paragraph in a widget of the same shape. Such a heading heads the
    section that follows, and the unit right after it, if it has no heading of its own,
    is that section's text ("Question?" widget, then its answer widget)."""
    shapes: dict[int, list[str]] = {}
    for block in blocks:
        if block.unit:
            shapes.setdefault(block.unit, []).append(block.kind)
    bare = {unit for unit, kinds in shapes.items() if set(kinds) == {"heading"}}
    if not bare:
        return blocks
    freed = set(bare)
    for before, after in pairwise(blocks):
        follows_bare = before.unit in bare and after.unit and after.unit not in bare
        if follows_bare and "heading" not in shapes[after.unit]:
            freed.add(after.unit)
    return [replace(block, unit=0, unit_kind="") if block.unit in freed else block
            for block in blocks]  # fmt: skip


class _Splitter:
    def __init__(self) -> None:
        self.chunks: list[Chunk] = []
        self.stack: list[tuple[int, str]] = []
        self.current = Chunk()

    def run(self, blocks: list[Block]) -> list[Chunk]:
        asked = _asked_paragraphs(blocks)
        for index, block in enumerate(blocks):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if index in asked:
                self.take_asked(block, asked[index])
            else:
                self.take(block, following)
        self.close()
        return [chunk for chunk in self.chunks if chunk.blocks]

    def take(self, block: Block, following: Block | None) -> None:
        if block.unit:
            self.take_in_unit(block)
        elif block.kind == "heading":
            self.start_section(block)
        elif block.kind in QUOTES:
            self.close()
            self.current = Chunk(
                title=_attribution(block.text), kind=block.kind, parents=self.parents(7)
            )
            self.current.blocks.append(block)
            self.close()
        elif _is_question(block, following):
            self.close()
            self.current = Chunk(title=block.text, level=7, kind="faq", parents=self.parents(7))
        else:
            if self.current.unit:
                self.close()
                self.current = Chunk(parents=self.parents(7))
            self.current.blocks.append(block)

    def take_asked(self, block: Block, question: str) -> None:
        """A paragraph that opens with its question ("Is there parking? Yes, …")."""
        self.close()
        self.current = Chunk(title=question, level=7, kind="faq", parents=self.parents(7))
        answer = block.text[len(question) :].strip()
        self.current.blocks.append(replace(block, text=answer, markdown=answer))
        self.close()

    def take_in_unit(self, block: Block) -> None:
        if block.unit != self.current.unit:
            self.close()
            self.current = Chunk(kind=block.unit_kind, unit=block.unit, parents=self.parents(7))
        current = self.current
        if block.kind == "heading" and (
            not current.title or (current.kicker and block.level < current.level)
        ):
            if current.kicker is not None:
                # A line or a smaller heading above the card's heading ("Public and private"
                # over "Cloud & Kubernetes") is a kicker: the bigger heading names the card.
                current.blocks.append(replace(current.kicker, kind="text"))
            current.title, current.level, current.kicker = block.text, block.level, block
            self.end_smaller_sections(block.level)
        elif not current.title and block.kind == "text" and len(block.text) <= 80:
            current.title, current.kicker = block.text, block
        else:
            current.blocks.append(block)

    def start_section(self, heading: Block) -> None:
        self.close()
        while self.stack and self.stack[-1][0] >= heading.level:
            self.stack.pop()
        parents = tuple(text for _, text in self.stack)
        self.stack.append((heading.level, heading.text))
        self.current = Chunk(title=heading.text, level=heading.level, parents=parents)

    def end_smaller_sections(self, level: int) -> None:
        """A card whose heading outranks the section it follows ends that section (an h2
        card after an h3 "About us"), as a heading of that rank outside a card would."""
        if self.stack and self.stack[-1][0] > level:
            while self.stack and self.stack[-1][0] > level:
                self.stack.pop()
            self.current.parents = self.parents(7)

    def parents(self, level: int) -> tuple[str, ...]:
        return tuple(text for lvl, text in self.stack if lvl < level)

    def close(self) -> None:
        if self.current.blocks or self.current.title:
            self.chunks.append(self.current)
        self.current = Chunk(parents=self.parents(7))


def _is_question(block: Block, following: Block | None) -> bool:
    """A short line ending in "?" that an answer follows: an FAQ without FAQ markup."""
    if block.kind != "text" or len(block.text) > MAX_QUESTION_LENGTH:
        return False
    if not block.text.rstrip().endswith("?") or "\n" in block.text.strip():
        return False
    return (
        following is not None
        and following.kind != "heading"
        and not (following.kind == "text" and following.text.rstrip().endswith("?"))
    )


def _asked_paragraphs(blocks: list[Block]) -> dict[int, str]:
    """Index → question of the paragraphs that open with a question and go on with its
    answer, when at least two such paragraphs follow each other (an FAQ written as bold
    questions in running text; a lone rhetorical question is left alone)."""
    found = {}
    for index, block in enumerate(blocks):
        if block.kind == "text" and not block.unit:
            match = _OPENING_QUESTION.match(block.text)
            if match is not None:
                found[index] = match.group(1)
    return {
        index: question
        for index, question in found.items()
        if index - 1 in found or index + 1 in found
    }


def _attribution(quote: str) -> str:
    """Who said it: the last short line of a testimonial ("Jane Doe, CEO, Acme")."""
    lines = [line.strip(" -–—") for line in quote.split("\n") if line.strip()]
    if len(lines) > 1 and len(lines[-1]) <= 80:
        return lines[-1]
    return ""

"""What the body walk produces: content blocks, links, the containers it entered.

A block is one heading, paragraph, list, table, preformatted text or quotation, with
its zone (main, nav, header, footer, aside) and the repeated unit it sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from sitelore.core.lexicon import cta_words, fold

CTA_LINK_SHARE = 0.8
_WORD = re.compile(r"[^\W_]+")
_NOT_AN_ACTION = re.compile(r"[\d@]")  # a number, a date, an address: what a link says
CTA_WORDS = 3


@dataclass(slots=True)
class Block:
    kind: str  # "heading" | "text" | "list" | "table" | "pre" | "quote" | "testimonial"
    text: str
    markdown: str
    level: int = 0
    zone: str = "main"
    unit: int = 0
    unit_kind: str = ""  # "card" | "faq" | ""
    rows: list[list[str]] | None = None  # the cells, for tables
    container: int = 0  # the key of the element it sits in (see Container)
    link_chars: int = 0  # how much of its text is link text
    calls: bool = False  # it holds a phone or e-mail link (tel:, mailto:)

    def is_call_to_action(self) -> bool:
        """Link text and nothing else, a few words a line: "Read more →", or a list of
        "Call us / Email us / Find us" with a phone or e-mail link among them. The number or
        the address itself ("+49 30 123 45", "hello@acme.test") is a fact, not an action."""
        if self.kind not in ("text", "list") or self.link_chars < CTA_LINK_SHARE * len(self.text):
            return False
        lines = self.text.split("\n")
        if any(len(line.split()) > CTA_WORDS or _NOT_AN_ACTION.search(line) for line in lines):
            return False
        if len(lines) > 1:
            return self.calls
        # One linked line is an action when it says so in the words of calls to action
        # ("Read more", "En savoir plus"); a linked name ("Docker", "Pro plan") is content.
        noise = cta_words()
        return any(word in noise for word in _WORD.findall(fold(lines[0])))


@dataclass(slots=True)
class Link:
    url: str
    text: str
    zone: str


class Container(NamedTuple):
    """A block-level element the walk entered: enough of it to tell an article from furniture."""

    parent: int  # the key of the enclosing element; 0 for the body's
    tag: str
    names: str  # class and id, lower-cased


@dataclass
class Walked:
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    logos: list[str] = field(default_factory=list)
    logo_alts: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    containers: dict[int, Container] = field(default_factory=dict)  # parents first

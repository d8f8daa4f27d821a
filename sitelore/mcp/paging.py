"""Answers that fit a budget, and cursors that continue them.

Every tool answer is measured as the compact JSON an agent reads, in characters, and cut to
the budget of :class:`OutputLimits`: lists keep the entries that fit (at least one, so
that paging always moves on), long texts are cut into pieces at a line end where one is
near. What was left out is reached with a :class:`Cursor`: which tool made it, what it
pages (a job, a domain, a search) and where the next page starts.

Pure: no I/O; the tools build and read the cursors, the service never sees them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sitelore.errors import InvalidRequest

MIN_CHARS = 2_000  # below this, an answer's own fields would not fit
CURSOR_ROOM = 400  # what the cursor itself and a few counters take in an answer
LINE_END_SEARCH = 0.2  # a piece ends at the last line end in its final fifth, if any


@dataclass(frozen=True)
class OutputLimits:
    """The character budget of one answer (``max_chars``, at least :data:`MIN_CHARS`);
    one item's text is cut to a tenth of it, so that a page holds several."""

    max_chars: int = 25_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_chars", max(self.max_chars, MIN_CHARS))

    @property
    def item_chars(self) -> int:
        return max(self.max_chars // 10, 200)


def json_size(value: Any) -> int:
    """The characters of ``value`` as compact JSON (as the answer's text carries it)."""
    return len(compact(value))


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def clip(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut); True if cut."""
    if len(text) <= limit:
        return text, False
    return text[: max(limit - 1, 0)].rstrip() + "…", True


def fitting(entries: Sequence[Any], budget: int) -> int:
    """How many of ``entries``, from the first, fit in ``budget`` characters of JSON
    (at least one when there is one, so that every page moves on)."""
    used = 0
    for count, entry in enumerate(entries):
        used += json_size(entry) + 1  # the comma
        if used > budget and count > 0:
            return count
    return len(entries)


def text_piece(text: str, start: int, budget: int) -> str:
    """The part of ``text`` from ``start`` whose JSON string fits ``budget`` characters,
    ending at a line end when one is near the cut."""
    piece = text[start : start + budget]
    while piece and json_size(piece) > budget:
        # Escapes (quotes, new lines) make the JSON longer than the text: shrink in step.
        piece = piece[: max(len(piece) * budget // json_size(piece) - 1, 1)]
    if start + len(piece) < len(text):
        line_end = piece.rfind("\n")
        if line_end >= len(piece) * (1 - LINE_END_SEARCH):
            piece = piece[: line_end + 1]
    return piece


class BadCursor(InvalidRequest):
    """A cursor this tool did not give (or a cut or edited one)."""

    def __init__(self, tool: str) -> None:
        super().__init__(
            f"cursor is not one {tool} gave: pass the nextCursor of its last answer as it is",
            field="cursor",
        )


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: ``kind`` says which tool reads it, ``subject`` what is
    paged (a job id; a domain or search and its filters), ``offset`` the first entry (or
    character) of the page."""

    kind: str
    subject: tuple[str, ...]
    offset: int

    def encode(self) -> str:
        raw = compact([self.kind, list(self.subject), self.offset]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, kind: str, tool: str) -> Cursor:
        """The cursor ``text`` encodes, if it is one of ``kind``; else :class:`BadCursor`."""
        try:
            raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
            found, subject, offset = json.loads(raw)
        except (binascii.Error, ValueError, TypeError):
            raise BadCursor(tool) from None
        if (
            found != kind
            or not isinstance(subject, list)
            or not all(isinstance(part, str) for part in subject)
            or not isinstance(offset, int)
            or offset < 0
        ):
            raise BadCursor(tool)
        return cls(kind, tuple(subject), offset)

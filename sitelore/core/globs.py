"""Path globs for ``includePatterns`` / ``excludePatterns``.

``*`` matches within one path segment, ``**`` (a whole segment) any number of
segments including none, ``?`` one character. Patterns match the URL path only
and ignore a trailing slash on either side.

Matching never backtracks: a ``**`` splits a pattern into runs of segments, and a ``*``
splits a segment into pieces, each of fixed length; the runs (and the pieces) are found
leftmost first, which is exact for wildcards that take anything, so a path is read
about once per piece. Patterns are compiled once; a :class:`PathFilter` remembers its
verdicts, since the same links recur on every page of a site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from sitelore.errors import InvalidRequest

MAX_PATTERN_LENGTH = 256
MAX_WILDCARDS = 16  # per pattern: each costs a check per distinct path segment
MAX_VERDICTS = 100_000  # paths a filter remembers (a few MB at most)
_FORBIDDEN = frozenset("[]{}\\")


class PathGlob:
    """One compiled pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        runs = "/".join(_split(_check(pattern))).split("**")
        self._runs = [_Run([_Segment(token) for token in _split(run)]) for run in runs]

    def matches(self, path: str) -> bool:
        return _match_runs(self._runs, _split(unquote(path)))

    def __repr__(self) -> str:
        return f"PathGlob({self.pattern!r})"


def _check(pattern: str) -> str:
    if not pattern or not pattern.strip():
        raise InvalidRequest("a pattern is empty", field="patterns")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidRequest(
            f"pattern is longer than {MAX_PATTERN_LENGTH} characters", field="patterns"
        )
    if "://" in pattern:
        raise InvalidRequest(
            f"pattern {pattern!r} must be a URL path like /blog/**, not a URL", field="patterns"
        )
    if any(char.isspace() or char in _FORBIDDEN for char in pattern):
        raise InvalidRequest(
            f"pattern {pattern!r} may only use *, ** and ? as wildcards, without spaces",
            field="patterns",
        )
    wildcards = pattern.count("?") + pattern.count("*") - pattern.count("**")
    if wildcards > MAX_WILDCARDS:
        raise InvalidRequest(
            f"pattern {pattern!r} uses {wildcards} wildcards; at most {MAX_WILDCARDS} are allowed",
            field="patterns",
        )
    for segment in pattern.split("/"):
        if "**" in segment and segment != "**":
            raise InvalidRequest(
                f"pattern {pattern!r}: ** must be a whole path segment, as in /docs/**",
                field="patterns",
            )
    return pattern if pattern.startswith("/") else "/" + pattern


def _split(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match_runs(runs: Sequence[_Run], path: Sequence[str]) -> bool:
    """``runs`` joined by ``**``: the first at the start, the last at the end, the others
    leftmost in between (the ``**`` around them take whatever is left)."""
    first, last = runs[0], runs[-1]
    if len(runs) == 1:
        return len(path) == first.size and first.at(path, 0)
    end = len(path) - last.size
    if end < first.size or not first.at(path, 0) or not last.at(path, end):
        return False
    position = first.size
    for run in runs[1:-1]:
        found = run.find(path, position, end)
        if found < 0:
            return False
        position = found + run.size
    return True


class _Run:
    """Segments with no ``**`` between them. :meth:`find` is a bit-parallel scan (one bit
    per segment of the run, one step per path segment), so it reads the path once."""

    def __init__(self, segments: list[_Segment]) -> None:
        self.segments = segments
        self.size = len(segments)
        self._literal: dict[str, int] = {}
        self._wild: list[tuple[int, _Segment]] = []
        for index, segment in enumerate(segments):
            if segment.literal is not None:
                self._literal[segment.literal] = self._literal.get(segment.literal, 0) | 1 << index
            else:
                self._wild.append((1 << index, segment))

    def at(self, path: Sequence[str], position: int) -> bool:
        return all(s.matches(path[position + i]) for i, s in enumerate(self.segments))

    def find(self, path: Sequence[str], start: int, end: int) -> int:
        """The first position in ``path[start:end]`` where the run matches, or -1."""
        if not self.size:
            return start
        done = 1 << (self.size - 1)
        masks: dict[str, int] = {}
        state = 0
        for position in range(start, end):
            text = path[position]
            mask = masks.get(text)
            if mask is None:
                mask = masks[text] = self._mask(text)
            state = ((state << 1) | 1) & mask
            if state & done:
                return position - self.size + 1
        return -1

    def _mask(self, text: str) -> int:
        """A bit for each segment of the run that ``text`` matches."""
        mask = self._literal.get(text, 0)
        for bit, segment in self._wild:
            if segment.matches(text):
                mask |= bit
        return mask


class _Segment:
    """One segment of a pattern: fixed pieces between its ``*``; ``?`` is any character."""

    def __init__(self, token: str) -> None:
        pieces = token.split("*")
        self.exact = len(pieces) == 1
        self.literal = token if self.exact and "?" not in token else None
        self.head, self.tail = _Piece(pieces[0]), _Piece(pieces[-1])
        self.inner = [_Piece(piece) for piece in pieces[1:-1] if piece]

    def matches(self, text: str) -> bool:
        if self.exact:
            return len(text) == self.head.size and self.head.at(text, 0)
        end = len(text) - self.tail.size
        if end < self.head.size or not self.head.at(text, 0) or not self.tail.at(text, end):
            return False
        position = self.head.size
        for piece in self.inner:
            found = piece.find(text, position, end)
            if found < 0:
                return False
            position = found + piece.size
        return True


class _Piece:
    """Characters of fixed length, ``?`` standing for any one of them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        wild = "?" in text
        self._pattern = re.compile(re.escape(text).replace(r"\?", "."), re.S) if wild else None

    def at(self, text: str, position: int) -> bool:
        if self._pattern is None:
            return text.startswith(self.text, position)
        return self._pattern.match(text, position) is not None

    def find(self, text: str, start: int, end: int) -> int:
        if self._pattern is None:
            return text.find(self.text, start, end)
        found = self._pattern.search(text, start, end)
        return -1 if found is None else found.start()


class PathFilter:
    """Include and exclude globs together: exclude wins, and no includes admits everything."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.patterns = (tuple(include), tuple(exclude))
        self.include = tuple(PathGlob(pattern) for pattern in include)
        self.exclude = tuple(PathGlob(pattern) for pattern in exclude)
        self._verdicts: dict[str, bool] = {}

    @property
    def admits_all(self) -> bool:
        return not self.include and not self.exclude

    def admits(self, url: str) -> bool:
        path = urlsplit(url).path or "/"
        verdict = self._verdicts.get(path)
        if verdict is None:
            verdict = self._judge(path)
            if len(self._verdicts) < MAX_VERDICTS:
                self._verdicts[path] = verdict
        return verdict

    def knows(self, url: str) -> bool:
        return (urlsplit(url).path or "/") in self._verdicts

    def verdicts(self, urls: Iterable[str]) -> dict[str, bool]:
        """Whether each URL's path is admitted (to judge links off the event loop)."""
        return {urlsplit(url).path or "/": self.admits(url) for url in urls}

    def remember(self, verdicts: dict[str, bool]) -> None:
        """Take verdicts judged elsewhere (:meth:`verdicts`, in a page process)."""
        room = MAX_VERDICTS - len(self._verdicts)
        self._verdicts.update(dict(list(verdicts.items())[: max(room, 0)]))

    def _judge(self, path: str) -> bool:
        if any(glob.matches(path) for glob in self.exclude):
            return False
        return not self.include or any(glob.matches(path) for glob in self.include)

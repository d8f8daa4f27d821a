"""Path globs for ``includePatterns`` / ``excludePatterns``.

``*`` matches within one path segment, ``**`` (a whole segment) any number of
segments including none, ``?`` one character. Patterns match the URL path only
and ignore a trailing slash on either side. Matching is a dynamic programme over
segments and characters, so no pattern can make it backtrack exponentially.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from sitelore.errors import InvalidRequest

MAX_PATTERN_LENGTH = 256
_FORBIDDEN = frozenset("[]{}\\")


class PathGlob:
    """One compiled pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._segments = _split(_check(pattern))

    def matches(self, path: str) -> bool:
        return _match_segments(self._segments, _split(unquote(path)))

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
    for segment in pattern.split("/"):
        if "**" in segment and segment != "**":
            raise InvalidRequest(
                f"pattern {pattern!r}: ** must be a whole path segment, as in /docs/**",
                field="patterns",
            )
    return pattern if pattern.startswith("/") else "/" + pattern


def _split(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match_segments(pattern: Sequence[str], path: Sequence[str]) -> bool:
    # reachable[j]: the pattern read so far can match the first j path segments.
    reachable = [True] + [False] * len(path)
    for token in pattern:
        if token == "**":
            for j in range(1, len(path) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
            continue
        nxt = [False] * (len(path) + 1)
        for j in range(len(path)):
            if reachable[j] and _match_segment(token, path[j]):
                nxt[j + 1] = True
        reachable = nxt
    return reachable[len(path)]


def _match_segment(token: str, text: str) -> bool:
    """Wildcard match of one segment: the classic two-pointer walk, O(len·len) at worst."""
    t = s = 0
    star = -1
    mark = 0
    while s < len(text):
        if t < len(token) and token[t] == "*":  # a wildcard even where the path has a "*"
            star, mark = t, s
            t += 1
        elif t < len(token) and (token[t] == "?" or token[t] == text[s]):
            t += 1
            s += 1
        elif star >= 0:
            t = star + 1
            mark += 1
            s = mark
        else:
            return False
    while t < len(token) and token[t] == "*":
        t += 1
    return t == len(token)


class PathFilter:
    """Include and exclude globs together: exclude wins, and no includes admits everything."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include = tuple(PathGlob(pattern) for pattern in include)
        self.exclude = tuple(PathGlob(pattern) for pattern in exclude)

    def admits(self, url: str) -> bool:
        path = urlsplit(url).path or "/"
        if any(glob.matches(path) for glob in self.exclude):
            return False
        return not self.include or any(glob.matches(path) for glob in self.include)

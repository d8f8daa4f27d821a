"""Path globs of includePatterns / excludePatterns (API.md: `*` one segment, `**` any depth)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitelore.core.globs import PathFilter, PathGlob
from sitelore.errors import InvalidRequest


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        pytest.param("/blog/*", "/blog/hello", True, id="star-one-segment"),
        pytest.param("/blog/*", "/blog/2024/hello", False, id="star-not-two-segments"),
        pytest.param("/docs/*/intro", "/docs/v2/intro", True, id="star-in-middle"),
        pytest.param("/docs/*/intro", "/docs/v2/beta/intro", False, id="star-middle-not-deeper"),
        pytest.param("/*.html", "/team.html", True, id="star-within-segment"),
        pytest.param("/*", "/a/b", False, id="root-star-not-deep"),
        pytest.param("/blog/**", "/blog/2024/05/hello", True, id="globstar-deep"),
        pytest.param("/blog/**", "/blog", True, id="globstar-none"),
        pytest.param("/blog/**", "/blogging", False, id="globstar-is-whole-segment"),
        pytest.param("/**/pricing", "/pricing", True, id="leading-globstar-none"),
        pytest.param("/**/pricing", "/en/us/pricing", True, id="leading-globstar-deep"),
        pytest.param("/a/**/b", "/a/b", True, id="inner-globstar-none"),
        pytest.param("/a/**/b", "/a/x/y/b", True, id="inner-globstar-deep"),
        pytest.param("/a/**/b", "/a/x/y/c", False, id="inner-globstar-wrong-end"),
        pytest.param("/**", "/", True, id="globstar-root"),
        pytest.param("/pricing*", "/pricing", True, id="api-example-bare"),
        pytest.param("/pricing*", "/pricing/", True, id="api-example-slash"),
        pytest.param("/pricing*", "/pricing-enterprise", True, id="star-suffix"),
        pytest.param("/pricing/", "/pricing", True, id="slash-on-pattern"),
        pytest.param("/pricing", "/pricing/", True, id="slash-on-path"),
        pytest.param("pricing", "/pricing", True, id="leading-slash-optional"),
        pytest.param("/p?icing", "/pricing", True, id="question-one-char"),
        pytest.param("/p?icing", "/picing", False, id="question-exactly-one"),
        pytest.param("/Blog/*", "/blog/x", False, id="case-sensitive"),
        pytest.param("/caf*", "/caf%C3%A9", True, id="decoded-path"),
        pytest.param("/about", "/about-us", False, id="literal-is-whole"),
    ],
)
def test_glob_matches(pattern: str, path: str, matches: bool) -> None:
    assert PathGlob(pattern).matches(path) is matches


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   ", "empty", id="blank"),
        pytest.param("https://acme.test/blog/*", "not a URL", id="full-url"),
        pytest.param("/blog /*", "without spaces", id="space"),
        pytest.param("/[ab]log", "wildcards", id="brackets"),
        pytest.param("/{blog,news}/*", "wildcards", id="braces"),
        pytest.param("/blog\\x", "wildcards", id="backslash"),
        pytest.param("/blog**", "whole path segment", id="globstar-glued"),
        pytest.param("/**x/y", "whole path segment", id="globstar-prefix"),
        pytest.param("/" + "a" * 300, "longer than", id="too-long"),
        pytest.param("/*a" * 17, "uses 17 wildcards; at most 16", id="too-many-wildcards"),
        pytest.param("/**/?" * 9, "uses 18 wildcards", id="too-many-globstars-and-marks"),
    ],
)
def test_invalid_pattern_raises_with_a_message_naming_the_problem(pattern: str, words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        PathGlob(pattern)
    assert words in str(caught.value)
    assert caught.value.field == "patterns"


def test_pathological_pattern_completes_and_is_correct() -> None:
    glob = PathGlob("/" + "*a" * 16)
    assert glob.matches("/" + "a" * 3000)
    assert not glob.matches("/" + "a" * 3000 + "b")
    assert not glob.matches("/" + "a" * 15)


def test_many_globstars_against_a_deep_path_complete_and_are_correct() -> None:
    glob = PathGlob("/**" * 16 + "/x")
    assert glob.matches("/a" * 300 + "/x")
    assert not glob.matches("/a" * 300 + "/y")


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        # Each would take ~10^5 segment comparisons per path with a backtracking search.
        pytest.param("/**/" + "a*/" * 14 + "b/**", "/a" * 1000, id="run-of-stars"),
        pytest.param("/**/" + "a/" * 120 + "b/**", "/a" * 1000, id="long-literal-run"),
        pytest.param("/**/" + "?/" * 14 + "a/" * 50 + "b/**", "/a" * 1000, id="run-of-marks"),
        pytest.param("/" + "*a" * 15 + "b", "/" + "a" * 2000, id="stars-in-a-segment"),
    ],
)
def test_hostile_patterns_against_long_paths_are_read_once(pattern: str, path: str) -> None:
    """100 such patterns against one long link took seconds; a link is judged in one pass
    per pattern now (the figure: bench/hostile.py)."""
    path_filter = PathFilter([pattern] * 100)
    assert not path_filter.admits("http://acme.test" + path)
    assert path_filter.admits("http://acme.test" + path + "/b") == pattern.endswith("/**")


def _reference(pattern: str, path: str) -> bool:
    """The definition, by dynamic programming over segments and characters (slow, simple)."""

    def segment(token: str, text: str) -> bool:
        if not token:
            return not text
        if token[0] == "*":
            return any(segment(token[1:], text[i:]) for i in range(len(text) + 1))
        return bool(text) and token[0] in ("?", text[0]) and segment(token[1:], text[1:])

    tokens = [t for t in pattern.split("/") if t]
    parts = [t for t in path.split("/") if t]
    reachable = [True] + [False] * len(parts)
    for token in tokens:
        if token == "**":
            for j in range(1, len(parts) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
            continue
        step = [False] * (len(parts) + 1)
        for j, part in enumerate(parts):
            step[j + 1] = reachable[j] and segment(token, part)
        reachable = step
    return reachable[len(parts)]


_TOKENS = st.sampled_from(["a", "b", "ab", "*", "a*", "*b", "?", "a?b", "*a*", "**"])
_PARTS = st.sampled_from(["a", "b", "ab", "ba", "aab", "abb", "x"])


@given(
    pattern=st.lists(_TOKENS, min_size=1, max_size=6).map(lambda t: "/" + "/".join(t)),
    path=st.lists(_PARTS, max_size=8).map(lambda p: "/" + "/".join(p)),
)
@settings(max_examples=400, deadline=None)
def test_the_one_pass_matcher_agrees_with_the_definition(pattern: str, path: str) -> None:
    if pattern.count("*") + pattern.count("?") - pattern.count("**") > 16:
        return
    assert PathGlob(pattern).matches(path) is _reference(pattern, path)


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        pytest.param("https://acme.test/blog/hello", True, id="included"),
        pytest.param("https://acme.test/blog", True, id="included-bare"),
        pytest.param("https://acme.test/blog/drafts/secret", False, id="exclude-wins"),
        pytest.param("https://acme.test/blog/drafts", False, id="exclude-wins-bare"),
        pytest.param("https://acme.test/about", False, id="not-included"),
        pytest.param("https://acme.test/blog/hello?page=2", True, id="query-ignored"),
        pytest.param("https://acme.test/", False, id="root-not-included"),
    ],
)
def test_path_filter_include_and_exclude(url: str, admitted: bool) -> None:
    assert PathFilter(["/blog/**"], ["/blog/drafts/**"]).admits(url) is admitted


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        pytest.param("https://acme.test/", True, id="root"),
        pytest.param("https://acme.test/pricing", True, id="other"),
        pytest.param("https://acme.test/legal/terms", False, id="excluded"),
        pytest.param("https://acme.test/legal", True, id="parent-of-excluded"),
    ],
)
def test_path_filter_without_includes_admits_all_but_excluded(url: str, admitted: bool) -> None:
    assert PathFilter([], ["/legal/*"]).admits(url) is admitted


def test_path_filter_reports_the_bad_pattern_among_good_ones() -> None:
    with pytest.raises(InvalidRequest, match="must be a whole path segment"):
        PathFilter(["/blog/**", "/docs**"])

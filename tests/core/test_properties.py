"""Property tests of the pure core: hostile HTML, URLs, globs and requests never crash it.

Bounded for CI (``EXAMPLES`` cases a property, no deadline). ``bench/fuzz.py`` runs the same
properties (``PROPERTIES``) with many more examples.

The regression tests of bugs these properties found sit next to the property that found them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitelore.core.assemble import CrawledPage, assemble
from sitelore.core.document import parse_document
from sitelore.core.globs import PathGlob
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.core.text import clean_lines, shingles, visible_length, words
from sitelore.core.urls import MAX_URL_LENGTH, _normalize, normalize_url, url_key
from sitelore.errors import InvalidRequest
from sitelore.models import ExtractRequest, ItemCategory, KnowledgeItem

EXAMPLES = 60
SURROGATES = True
LITERAL_STARS = True
CI_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # CI runs the same cases every time; bench/fuzz.py explores
    database=None,
)

Property = tuple[Callable[..., None], dict[str, st.SearchStrategy[Any]]]
# What bench/fuzz.py runs with more examples: name → (the undecorated check, its strategies).
PROPERTIES: dict[str, Property] = {}


def prop(
    name: str, **strategies: st.SearchStrategy[Any]
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a property for bench/fuzz.py and make it a bounded hypothesis test for CI."""

    def register(check: Callable[..., None]) -> Callable[..., None]:
        PROPERTIES[name] = (check, strategies)
        return CI_SETTINGS(given(**strategies)(check))

    return register


# -- strategies -------------------------------------------------------------------------------

# Text a page can hold: any code point but lone surrogates (a decoded page never has them).
PAGE_CHARS = st.characters(exclude_categories=["Cs"])
ANY_CHARS = st.characters() if SURROGATES else PAGE_CHARS
WORDS = st.sampled_from(
    [
        "Pricing", "plan", "per month", "$49", "Features", "FAQ", "How do I cancel?", "team",
        "Contact us", "hello@acme.test", "+1 555 0100 123", "12 Wharf Street, Leeds LS2 7EQ",
        "Mon-Fri 9:00-17:00", "Acme", "privacy", "cookie", "©", "integrations", "security",
        "careers", "blog", "customers", "support", "about us", "Our mission is simple.",
    ]
)  # fmt: skip
TEXT = st.one_of(
    st.text(PAGE_CHARS, max_size=40),
    st.lists(WORDS, min_size=1, max_size=12).map(" ".join),
    st.sampled_from(["", " ", "\n", "\u00a0", "\u200b", "\ufeff", "&amp;", "&#0;", "&nbsp;", "<"]),
)
HREFS = st.one_of(
    st.sampled_from(
        [
            "/", "/pricing", "/about/", "#top", "?a=1", "mailto:hello@acme.test", "tel:+15550100",
            "javascript:void(0)", "//other.test/x", "https://acme.test/faq", "http://[::1", "",
            "https://acme.test:99999/", "data:text/html,hi", "../../../../etc/passwd",
        ]
    ),
    st.text(PAGE_CHARS, max_size=30),
)  # fmt: skip
ATTRIBUTES = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            ' class="plan"', ' class="card"', ' class="footer"', ' class="cookie-banner"',
            ' role="navigation"', ' itemprop="name"', ' hidden', ' id="faq"', ' class="nav"',
            ' aria-hidden="true"', ' class="sr-only"', ' role="banner"', ' class="sidebar"',
        ]
    ),
)  # fmt: skip
CONTAINERS = ["div", "p", "ul", "li", "ol", "table", "tr", "td", "th", "details", "summary",
              "nav", "footer", "header", "main", "section", "article", "aside", "strong", "dl",
              "dt", "dd", "blockquote", "pre", "span"]  # fmt: skip
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tag = st.sampled_from(CONTAINERS + HEADINGS)
    inner = st.lists(children, max_size=5).map("".join)
    plain = st.builds(lambda t, a, i: f"<{t}{a}>{i}</{t}>", tag, ATTRIBUTES, inner)
    unclosed = st.builds(lambda t, i: f"<{t}>{i}", tag, inner)  # the parser must repair it
    link = st.builds(lambda h, i: f'<a href="{h}">{i}</a>', HREFS, inner)
    return st.one_of(plain, unclosed, link)


LEAVES = st.one_of(
    TEXT,
    st.just("<br>"),
    st.builds(lambda t: f"<script>{t}</script>", TEXT),
    st.builds(lambda t: f"<style>{t}</style>", TEXT),
    st.builds(lambda h: f'<img src="{h}" alt="logo">', HREFS),
    st.sampled_from(["<!-- c -->", "</div>", "</p></td>", "<![CDATA[x]]>", "<td>", "<li>"]),
)
FRAGMENTS = st.recursive(LEAVES, _element, max_leaves=40)
HEADS = st.one_of(
    st.just(""),
    st.builds(lambda t: f"<title>{t}</title>", TEXT),
    st.builds(lambda h: f'<base href="{h}">', HREFS),
    st.builds(lambda h: f'<link rel="canonical" href="{h}">', HREFS),
    st.builds(lambda t: f'<meta name="description" content="{t}">', TEXT),
    st.builds(lambda t: f'<meta property="og:site_name" content="{t}">', TEXT),
    st.builds(lambda t: f'<script type="application/ld+json">{t}</script>', TEXT),
    st.sampled_from(
        [
            '<script type="application/ld+json">{"@type":"Organization","name":"Acme",'
            '"logo":{"url":"/logo.png"},"address":{"streetAddress":"1 Main St"},'
            '"contactPoint":[{"email":"a@acme.test"},null,3]}</script>',
            '<script type="application/ld+json">[{"@type":"FAQPage","mainEntity":[{"name":'
            '"Q?","acceptedAnswer":{"text":"A"}},{}]}, 1, "x"]</script>',
            '<script type="application/ld+json">{"@graph": [{"@type": ["Product"], "offers":'
            ' {"price": "NaN"}}], "logo": 5}</script>',
            '<meta http-equiv="refresh" content="0; url=/elsewhere">',
            '<link rel="icon" href="/favicon.ico">',
        ]
    ),
)
PAGES = st.builds(
    lambda head, body: f"<!doctype html><html><head>{head}</head><body>{body}</body></html>",
    st.lists(HEADS, max_size=4).map("".join),
    st.lists(FRAGMENTS, max_size=6).map("".join),
)
HTML = st.one_of(PAGES, FRAGMENTS, st.text(PAGE_CHARS, max_size=300))
PATHS = st.lists(
    st.one_of(
        st.sampled_from(["", "pricing", "about", "faq", "contact", "blog", "index.html", ".."]),
        st.text(PAGE_CHARS, max_size=8),
    ),
    max_size=4,
).map(lambda segments: "/" + "/".join(segments))
PAGE_URLS = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}{path}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(["acme.test", "www.acme.test", "shop.acme.test", "127.0.0.1:8080"]),
    PATHS,
).map(lambda url: normalize_url(url) or "https://acme.test/")

# URLs: a grammar-shaped part (so most cases get past the scheme) and raw text.
HOST_SPELLINGS = [
    "ACME.test", "acme.test.", "[::1]", "[fe80::1%25eth0]", "127.0.0.1", "xn--", "localhost",
    "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "①②⑦.0.0.1", "[::ffff:10.0.0.1]", "0x",
    "1.2.3.4.5", "9" * 50, "a.localhost", "10.0.0.5", "[64:ff9b::7f00:1]", "8.8.8.8",
]  # fmt: skip
LABEL = st.text(st.sampled_from("abcxyz09-_é"), min_size=1, max_size=6)
HOSTS = st.one_of(
    st.lists(LABEL, min_size=1, max_size=3).map(".".join),
    st.sampled_from(HOST_SPELLINGS),
    st.text(ANY_CHARS, max_size=10),
)
URL_PARTS = st.sampled_from(
    ["/", "/a/../b", "/./c/", "//x", "/index.html", "/%7euser", "/%2F", "/%zz", "/a b", "/é",
     "?utm_source=x&b=2&a=1", "?a", "?a=1&a=2", "?q=a+b&q=%20", "#frag", ":80", ":443", ":0",
     ":99999", ":", "/%25", "/;p", "@", "\\", "\t", "\x00", "?" + "x" * 50]
)  # fmt: skip
URLS = st.one_of(
    st.builds(
        lambda scheme, userinfo, host, parts: f"{scheme}{userinfo}{host}{''.join(parts)}",
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "//", "https:/", " "]),
        st.sampled_from(["", "", "", "user:pw@", "@"]),
        HOSTS,
        st.lists(st.one_of(URL_PARTS, st.text(ANY_CHARS, max_size=6)), max_size=5),
    ),
    st.text(ANY_CHARS, max_size=60),
)

# -- parse_document ---------------------------------------------------------------------------


@prop("parse_document", html=HTML, url=PAGE_URLS)
def test_parse_document_never_raises(html: str, url: str) -> None:
    document = parse_document(html, url)
    for block in document.blocks:
        assert isinstance(block.text, str)
        assert isinstance(block.markdown, str)
    for link in document.links:
        assert urlsplit(link.url).scheme in ("http", "https"), link
    assert isinstance(document.text(), str)


SPACES = st.text(st.sampled_from(" \t\n\r\f\v\x1c\x1f\x85\xa0\u1680\u2000\u200b\u2028\u3000ab"))


@prop("clean_lines", text=st.one_of(SPACES, st.text(ANY_CHARS, max_size=60)))
def test_clean_lines_agrees_with_its_regex_definition(text: str) -> None:
    """clean_lines takes a str.split() shortcut when no odd white space is present: the
    answer must be what the space class and the line-break regex give."""
    spaced = re.sub(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+", " ", text)
    expected = (re.sub(r"\s*\n\s*", "\n", spaced) if "\n" in spaced else spaced).strip()
    assert clean_lines(text) == expected


@prop("shingles", text=st.one_of(SPACES, st.text(ANY_CHARS, max_size=80)))
def test_words_and_shingles_agree_with_their_plain_definitions(text: str) -> None:
    """Words are the runs left between runs of non-word characters and underscores; a
    shingle is five consecutive words (a text of fewer words is one shingle)."""
    tokens = re.sub(r"[\W_]+", " ", text.casefold()).split()
    assert words(text) == tokens
    expected = {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}
    assert shingles(text) == (expected if len(tokens) >= 5 else {tuple(tokens)} - {()})


# -- assemble ---------------------------------------------------------------------------------

PAGE_INPUTS = st.lists(
    st.tuples(HTML, PAGE_URLS, st.booleans(), st.booleans()), min_size=1, max_size=4
)


@prop("assemble", inputs=PAGE_INPUTS)
def test_assemble_never_raises_and_items_are_well_formed(
    inputs: list[tuple[str, str, bool, bool]],
) -> None:
    pages = [
        CrawledPage(parse_document(html, url), is_start=index == 0 and start, yields_items=yields)
        for index, (html, url, start, yields) in enumerate(inputs)
    ]
    check_items(assemble(pages).items)


def check_items(items: Sequence[KnowledgeItem]) -> None:
    """API.md's item rules: a category of the list, a title, 40+ non-space characters of
    content, an absolute http(s) source."""
    for item in items:
        assert isinstance(item.category, ItemCategory), item
        assert item.title.strip(), item
        assert visible_length(item.content) >= 40, item
        parts = urlsplit(item.source)
        assert parts.scheme in ("http", "https") and parts.hostname, item


def test_a_lone_short_email_makes_no_item_under_forty_characters() -> None:
    page = CrawledPage(parse_document("<div>hello@acme.test", "http://acme.test/"))
    check_items(assemble([page]).items)


def test_a_short_jsonld_question_makes_no_item_under_forty_characters() -> None:
    html = (
        '<script type="application/ld+json">{"@type": "FAQPage", "mainEntity": '
        '[{"name": "Q?", "acceptedAnswer": {"text": "A"}}]}</script>'
    )
    page = CrawledPage(parse_document(html, "http://acme.test/"))
    check_items(assemble([page]).items)


# -- URLs -------------------------------------------------------------------------------------


@prop("normalize_url", url=URLS)
def test_normalize_url_is_idempotent_and_http_only(url: str) -> None:
    once = normalize_url(url)
    if once is None:
        return
    parts = urlsplit(once)
    assert parts.scheme in ("http", "https"), once
    assert parts.hostname, once
    assert not parts.fragment and "@" not in parts.netloc, once
    assert normalize_url(once) == once


@prop("normalize_url_base", url=URLS, base=PAGE_URLS)
def test_normalize_url_against_a_base_is_absolute_or_none(url: str, base: str) -> None:
    joined = normalize_url(url, base)
    if joined is not None:
        assert urlsplit(joined).scheme in ("http", "https"), joined
        assert normalize_url(joined) == joined


@prop("normalize_url_shortcut", url=st.one_of(URLS, HREFS), base=PAGE_URLS)
def test_the_cache_shortcut_joins_like_the_whole_base(url: str, base: str) -> None:
    """normalize_url keys its cache on the origin for root-relative and on nothing for
    absolute URLs: the answer must be what joining with the whole base gives."""
    if len(url) <= MAX_URL_LENGTH and not any(0xD800 <= ord(c) <= 0xDFFF for c in url):
        assert normalize_url(url, base) == _normalize.__wrapped__(url, base)


SITE_HOSTS = st.lists(st.text(st.sampled_from("abcz09-"), min_size=1, max_size=5), min_size=1,
                      max_size=3).map(lambda labels: ".".join([*labels, "test"]))  # fmt: skip
SITE_PATHS = st.lists(st.text(st.sampled_from("abz09-_.~"), min_size=1, max_size=5), max_size=3)
QUERIES = st.sampled_from(["", "?a=1", "?b=2&a=1", "?q=x%20y"])


@prop(
    "url_key",
    scheme=st.sampled_from(["http", "https"]),
    host=SITE_HOSTS.filter(lambda host: not host.startswith("www.")),
    segments=SITE_PATHS,
    query=QUERIES,
)
def test_url_key_ignores_www_and_trailing_slash(
    scheme: str, host: str, segments: list[str], query: str
) -> None:
    path = "/" + "/".join(segments)
    variants = [
        f"{scheme}://{host}{path}{query}",
        f"{scheme}://www.{host}{path}{query}",
        f"{scheme}://{host}{path.rstrip('/')}/{query}",
        f"{scheme}://WWW.{host.upper()}{path.rstrip('/')}/{query}",
    ]
    keys = set()
    for variant in variants:
        normalized = normalize_url(variant)
        assert normalized is not None, variant
        keys.add(url_key(normalized))
    assert len(keys) == 1, (variants, keys)


# -- globs ------------------------------------------------------------------------------------


def reference_glob(pattern: str) -> Callable[[str], bool]:
    """The documented semantics as a regex over the path's segments, each written ``/seg``.

    ``**`` (a whole segment) is any number of segments, none included; ``*`` is ``[^/]*``
    within a segment, ``?`` one character; empty segments (leading, trailing, doubled
    slashes) do not count.
    """
    regex = ""
    for token in (segment for segment in pattern.split("/") if segment):
        if token == "**":
            regex += "(?:/[^/]+)*"
            continue
        regex += "/"
        for char in token:
            regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
    compiled = re.compile(regex, re.DOTALL)

    def matches(path: str) -> bool:
        segments = [segment for segment in unquote(path).split("/") if segment]
        return compiled.fullmatch("".join("/" + segment for segment in segments)) is not None

    return matches


GLOB_TOKENS = st.sampled_from(["a", "b", "ab", "*", "?", "**", "*a", "a*", "?b", "*?*", "."])
GLOB_PATTERNS = st.builds(
    lambda lead, tokens, trail: lead + "/".join(tokens) + trail,
    st.sampled_from(["/", "", "//"]),
    st.lists(GLOB_TOKENS, min_size=1, max_size=5),
    st.sampled_from(["", "/"]),
)
GLOB_PATHS = st.text(st.sampled_from("ab/.%2F*"), max_size=14)
if not LITERAL_STARS:
    GLOB_PATHS = GLOB_PATHS.filter(lambda path: "*" not in unquote(path))


@prop("glob_reference", pattern=GLOB_PATTERNS, path=GLOB_PATHS)
def test_glob_agrees_with_the_reference(pattern: str, path: str) -> None:
    assert PathGlob(pattern).matches(path) == reference_glob(pattern)(path), (pattern, path)


@pytest.mark.parametrize(
    ("pattern", "path"),
    [("/*", "/*x"), ("/a*", "/a*b"), ("/blog/*", "/blog/*new"), ("/*", "/%2Ax")],
    ids=["star", "prefix-star", "blog", "encoded-star"],
)
def test_star_matches_a_literal_star_in_the_path(pattern: str, path: str) -> None:
    assert reference_glob(pattern)(path)
    assert PathGlob(pattern).matches(path)


@prop("glob_any", pattern=st.text(PAGE_CHARS, max_size=300), path=st.text(PAGE_CHARS, max_size=300))
def test_any_glob_is_refused_cleanly_or_matches_without_raising(pattern: str, path: str) -> None:
    try:
        glob = PathGlob(pattern)
    except InvalidRequest as error:
        assert str(error)
        return
    assert isinstance(glob.matches(path), bool)


# -- validate_request -------------------------------------------------------------------------

PATTERN_LISTS = st.lists(
    st.one_of(GLOB_PATTERNS, st.text(ANY_CHARS, max_size=20), st.just("/" + "*a" * 50)),
    max_size=4,
).map(tuple)
REQUESTS = st.builds(
    ExtractRequest,
    url=URLS,
    max_pages=st.one_of(st.integers(-3, 60), st.integers()),
    single_page=st.booleans(),
    include_patterns=PATTERN_LISTS,
    exclude_patterns=PATTERN_LISTS,
    urls=st.one_of(st.none(), st.lists(URLS, max_size=4).map(tuple)),
    callback_url=st.one_of(st.none(), URLS),
)


POLICIES = st.sampled_from([None, NetworkPolicy(), NetworkPolicy.permissive()])


@prop("validate_request", request=REQUESTS, cap=st.sampled_from([1, 10, 50]), policy=POLICIES)
def test_validate_request_returns_a_request_or_raises_invalid_request(
    request: ExtractRequest, cap: int, policy: NetworkPolicy | None
) -> None:
    try:
        checked = validate_request(request, cap, policy)
    except InvalidRequest as error:
        assert str(error)
        return
    assert urlsplit(checked.url).scheme in ("http", "https")
    assert 1 <= checked.max_pages <= cap
    if checked.urls is not None:
        assert 1 <= len(checked.urls) <= checked.max_pages
    if checked.callback_url is not None:
        assert urlsplit(checked.callback_url).scheme in ("http", "https")
    if policy is not None:
        for url in (checked.url, *(checked.urls or ()), checked.callback_url):
            assert url is None or policy.url_problem(url) is None, url
    assert validate_request(checked, cap, policy) == checked  # checking again changes nothing


# -- regressions found by these properties ---------------------------------------------------

SURROGATE_URLS = [
    pytest.param("http://a.test/\ud800", id="path"),
    pytest.param("http://a.test/?q=\udfff", id="query"),
]


@pytest.mark.parametrize("url", SURROGATE_URLS)
def test_lone_surrogate_url_is_not_a_url(url: str) -> None:
    assert normalize_url(url) is None


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(ExtractRequest(url="http://a.test/\ud800"), id="url"),
        pytest.param(
            ExtractRequest(url="http://a.test/", urls=("http://a.test/\udfff",)), id="urls"
        ),
        pytest.param(
            ExtractRequest(url="http://a.test/", callback_url="http://b.test/\ud800"),
            id="callback",
        ),
    ],
)
def test_lone_surrogate_in_a_request_is_invalid_request(request_: ExtractRequest) -> None:
    with pytest.raises(InvalidRequest):
        validate_request(request_)

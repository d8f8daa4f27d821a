"""The caps on a page's element tree: hostile shapes are refused before the parse, real
shapes (deep but bounded, unclosed siblings, big flat pages) are not."""

from __future__ import annotations

import pytest

from sitelore.core.document import parse_document
from sitelore.core.treecaps import TreeLimits, check_tree, nesting_depth
from sitelore.errors import PageTooComplex, UnreadablePage
from tests.sitekit import nested

URL = "http://shapes.test/"


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<div><p>a</p><p>b</p></div>", 2),
        ("<ul><li>a<li>b<li>c</ul>", 2),  # an open <li> closes the one before
        ("<p>a<p>b<p>c", 1),
        ("<div><img src=a><br><hr></div>", 1),  # void elements hold nothing
        ("</div></div><div>x</div>", 1),  # stray end tags are ignored
        ("<DIV><Section>x</SECTION></div>", 2),
        (nested(300), 302),  # with <html> and <body>
    ],
    ids=["paragraphs", "list", "open-p", "void", "stray-end", "case", "nested-300"],
)
def test_nesting_depth_follows_how_a_parser_builds_the_tree(html: str, depth: int) -> None:
    assert nesting_depth(html) == depth


@pytest.mark.parametrize(
    ("html", "limits", "reason"),
    [
        (nested(150_000), TreeLimits(), "nests elements more than 5,000 deep"),
        (nested(20_000), TreeLimits(max_depth=10_000), "nests elements more than 10,000 deep"),
        ("<div>x</div>" * 30_000, TreeLimits(max_elements=20_000), "more than 20,000 HTML"),
    ],
    ids=["150k-nested", "20k-nested", "30k-elements"],
)
def test_a_page_over_a_cap_is_refused_with_its_reason(
    html: str, limits: TreeLimits, reason: str
) -> None:
    with pytest.raises(PageTooComplex, match=reason) as refused:
        check_tree(html, URL, limits)
    assert isinstance(refused.value, UnreadablePage)  # the page fails alone, as a broken one
    assert URL in str(refused.value)


@pytest.mark.parametrize(
    "html",
    [
        nested(4_000),  # deep, but under the default cap
        "<ul>" + "<li>item" * 60_000 + "</ul>",  # unclosed siblings do not nest
        "<table>" + "<tr><td>a<td>b" * 30_000 + "</table>",
        "<div><p>word</p></div>" * 40_000,  # big and flat
    ],
    ids=["4k-nested", "60k-unclosed-li", "30k-table-rows", "80k-flat"],
)
def test_real_shapes_pass_the_caps(html: str) -> None:
    check_tree(html, URL, TreeLimits())


def test_parse_document_refuses_the_hostile_page_before_parsing_it() -> None:
    # 150,000 nested <div>s take minutes to parse; refused, it costs a scan of the text.
    with pytest.raises(PageTooComplex):
        parse_document(nested(150_000), URL)

"""The main text of a page: the article body without menus, share bars, comments or teasers."""

from __future__ import annotations

import pytest

from tests.core.helpers import doc

BODY = (
    "<p>Our river cleanup drew ninety volunteers on Saturday, the largest crowd since the "
    "project began, and they pulled two tonnes of plastic from the banks.</p>"
    "<p>The council has promised bins at every bridge, although the budget, as always, is "
    "still being argued over by the members of the finance committee.</p>"
    "<p>Next month the crews move upstream, where the reeds hide more rubbish, and the "
    "organisers are asking for boots, gloves and a few more boats.</p>"
)
BODY_START = "Our river cleanup drew ninety volunteers"
BODY_END = "a few more boats."
SHARE = (
    '<div class="share-bar"><p>Share this story on Facebook, Twitter or by email today</p></div>'
)
RELATED = (
    '<div class="related-posts"><h3>Related</h3><p>Last year, the cleanup, the boats and '
    "the volunteers: a look back at how it all started, in pictures.</p></div>"
)
COMMENTS = (
    '<section id="comments"><h3>2 comments</h3><p>Great work, everyone, see you at the next '
    "one, I will bring my own gloves and a flask of tea.</p></section>"
)
SIDEBAR_PROSE = (
    '<div class="sidebar"><p>About the author: Kim writes about rivers, boats and the people '
    "who look after them, every week, in this space.</p></div>"
)
NAV = "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
FOOTER = "<footer><p>© River Friends, all rights reserved, registered charity.</p></footer>"


def main_text(body: str) -> str:
    return "\n".join(block.text for block in doc(body, "https://river.test/news/x").main_blocks())


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            f"{NAV}<article><h1>Cleanup</h1>{SHARE}{BODY}{SHARE}{COMMENTS}</article>{FOOTER}",
            id="article-tag-with-share-bars-and-comments",
        ),
        pytest.param(
            f'{NAV}<div class="wrap"><div class="post-content">{BODY}</div>{RELATED}'
            f"{SIDEBAR_PROSE}</div>{FOOTER}",
            id="div-soup-with-related-and-sidebar",
        ),
        pytest.param(
            f'<div class="layout has-sidebar">{NAV}<div>{BODY}</div>{SIDEBAR_PROSE}</div>',
            id="whole-page-in-a-container-named-like-furniture",
        ),
        pytest.param(
            f'<form id="aspnetForm" action="/">{NAV}<div class="story">{BODY}</div>'
            f"{COMMENTS}</form>",
            id="whole-page-in-a-form",
        ),
        pytest.param(
            f'<div class="main"><div class="body">{BODY}</div>'
            '<p class="more">Read more: <a href="/news/a">Bridges</a>, <a href="/news/b">'
            "Boats and the river</a>, <a href='/news/c'>Volunteers</a></p></div>",
            id="link-list-paragraph-after-the-body",
        ),
    ],
)
def test_main_text_is_the_article_body(body: str) -> None:
    text = main_text(body)
    assert text.startswith(BODY_START) or text.split("\n")[1].startswith(BODY_START), text
    assert text.endswith(BODY_END), text
    for furniture in ("Share this story", "Last year", "Great work", "About the author", "©"):
        assert furniture not in text
    assert "Read more" not in text


def test_a_page_without_prose_falls_back_to_its_content_zones() -> None:
    cards = "".join(
        f'<div class="card"><h3>Plan {n}</h3><p>{n} seats</p></div>' for n in ("One", "Two")
    )
    document = doc(f"{NAV}<main>{cards}</main>{FOOTER}")
    assert [block.text for block in document.main_blocks()] == [
        block.text for block in document.blocks if block.zone in ("main", "aside")
    ]


def test_sibling_sections_of_one_article_are_all_kept() -> None:
    second = BODY.replace("river cleanup", "second cleanup").replace("boats.", "ropes.")
    body = f'<div class="article"><section>{BODY}</section><section>{second}</section></div>'
    text = main_text(f"{NAV}{body}{RELATED}{FOOTER}")
    assert "second cleanup" in text and BODY_START in text
    assert "Last year" not in text


@pytest.mark.parametrize(
    ("head", "declared"),
    [
        pytest.param('{"@type": "BlogPosting", "headline": "Cleanup"}', True, id="blog-posting"),
        pytest.param(
            '{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle"}]}', True, id="in-graph"
        ),
        pytest.param('{"@type": "Organization", "name": "River Friends"}', False, id="other"),
    ],
)
def test_a_page_declares_itself_an_article_in_json_ld(head: str, declared: bool) -> None:
    script = f'<script type="application/ld+json">{head}</script>'
    assert doc(BODY, head=script).declares_article is declared


def test_og_type_article_alone_does_not_make_an_article() -> None:
    assert not doc(BODY, head='<meta property="og:type" content="article">').declares_article


def test_a_sentence_around_a_long_link_is_part_of_the_article() -> None:
    linked = (
        '<p>Last spring <a href="/news/bins">the council promised new bins at every bridge '
        "along the river and a second crew for the weekends</a>, as reported here.</p>"
    )
    text = main_text(f"{NAV}<article>{linked}{BODY}</article>{FOOTER}")
    assert "the council promised new bins at every bridge" in text
    assert BODY_START in text

"""The body walk: zones, headings, lists and tables as Markdown, units, links, contacts, logos."""

from __future__ import annotations

import pytest

from sitelore.core.blocktypes import Block
from sitelore.core.document import Document, parse_document
from tests.core.helpers import doc, page


def texts(document: Document, zone: str | None = None) -> list[str]:
    return [b.text for b in document.blocks if zone is None or b.zone == zone]


def only(document: Document, kind: str) -> Block:
    found = [b for b in document.blocks if b.kind == kind]
    assert len(found) == 1, [(b.kind, b.text) for b in document.blocks]
    return found[0]


# --- zones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "zone"),
    [
        pytest.param("<nav><p>Menu words</p></nav>", "nav", id="nav-tag"),
        pytest.param('<div role="navigation"><p>Menu words</p></div>', "nav", id="nav-role"),
        pytest.param('<div class="navbar"><p>Menu words</p></div>', "nav", id="nav-class"),
        pytest.param("<header><p>Menu words</p></header>", "header", id="header-tag"),
        pytest.param('<div role="banner"><p>Menu words</p></div>', "header", id="header-role"),
        pytest.param(
            '<div class="site-header"><p>Menu words</p></div>', "header", id="header-class"
        ),
        pytest.param("<footer><p>Menu words</p></footer>", "footer", id="footer-tag"),
        pytest.param('<div id="footer"><p>Menu words</p></div>', "footer", id="footer-id"),
        pytest.param('<div role="contentinfo"><p>Menu words</p></div>', "footer", id="footer-role"),
        pytest.param("<aside><p>Menu words</p></aside>", "aside", id="aside-tag"),
        pytest.param('<div role="dialog"><p>Menu words</p></div>', "aside", id="dialog-role"),
        pytest.param("<main><p>Menu words</p></main>", "main", id="main"),
        pytest.param("<div><p>Menu words</p></div>", "main", id="plain-div"),
    ],
)
def test_zone_of_a_block(html: str, zone: str) -> None:
    assert [(b.zone, b.text) for b in doc(html).blocks] == [(zone, "Menu words")]


def test_zone_is_inherited_by_everything_inside() -> None:
    document = doc("<footer><div><ul><li>Jobs</li><li>Press</li></ul><p>© Acme</p></div></footer>")
    assert {b.zone for b in document.blocks} == {"footer"}


@pytest.mark.parametrize(
    "html",
    [
        pytest.param('<div class="cookie-banner"><p>We use cookies.</p></div>', id="cookie"),
        pytest.param('<div id="consent-modal"><p>We use cookies.</p></div>', id="consent"),
        pytest.param('<section class="newsletter"><p>Subscribe!</p></section>', id="newsletter"),
        pytest.param('<ol class="breadcrumbs"><li>Home</li><li>Blog</li></ol>', id="breadcrumb"),
        pytest.param('<div role="search"><p>Search the site</p></div>', id="search"),
        pytest.param('<div class="visually-hidden"><p>Skip</p></div>', id="visually-hidden"),
        pytest.param("<script>var x = 'hidden';</script><style>p{}</style>", id="script-style"),
        pytest.param("<form><p>Name</p><input><button>Send now</button></form>", id="form"),
        pytest.param("<template><p>Later</p></template><noscript>Enable JS</noscript>", id="inert"),
    ],
)
def test_template_chrome_is_dropped(html: str) -> None:
    document = doc(f"{html}<main><p>Real content.</p></main>")
    assert texts(document) == ["Real content."]


@pytest.mark.parametrize(
    "html",
    [
        pytest.param('<a class="skip-link" href="#main">Skip to content</a>', id="skip-link"),
        pytest.param('<span class="sr-only">Skip to content</span>', id="screen-reader-span"),
    ],
)
def test_inline_screen_reader_text_is_dropped(html: str) -> None:
    document = doc(
        f"{html}<main><p>Hi <span class='visually-hidden'>Skip to content</span>there.</p></main>"
    )
    assert texts(document) == ["Hi there."]
    assert document.links == []


def test_heading_with_a_line_break_reads_as_one_line() -> None:
    heading = only(doc("<h2>Fresh bread<br>every morning</h2>"), "heading")
    assert heading.text == "Fresh bread every morning"


def test_header_and_footer_inside_an_article_are_content() -> None:
    document = doc(
        "<main><article><header><h2>Release notes</h2></header><p>Now faster.</p>"
        "<footer><p>Posted by Ann</p></footer></article></main>"
    )
    assert {b.zone for b in document.blocks} == {"main"}
    assert texts(document) == ["Release notes", "Now faster.", "Posted by Ann"]


# --- headings, text, lists, tables, quotes, code --------------------------------------


@pytest.mark.parametrize("level", [pytest.param(n, id=f"h{n}") for n in range(1, 7)])
def test_headings_keep_their_level(level: int) -> None:
    heading = only(doc(f"<h{level}>  Our   story </h{level}>"), "heading")
    assert (heading.text, heading.level, heading.markdown) == (
        "Our story",
        level,
        "#" * level + " Our story",
    )


def test_inline_markup_joins_and_br_breaks_lines() -> None:
    text = only(
        doc("<p>Fresh <strong>sourdough</strong> daily.<br>Order by <em>noon</em>.</p>"), "text"
    )
    assert text.text == "Fresh sourdough daily.\nOrder by noon."


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        pytest.param("<ul><li>Rye</li><li>Spelt</li></ul>", "- Rye\n- Spelt", id="bullets"),
        pytest.param("<ol><li>Mix</li><li>Bake</li></ol>", "1. Mix\n2. Bake", id="numbered"),
        pytest.param(
            "<ul><li>Bread<ul><li>Rye</li><li>Spelt</li></ul></li><li>Cakes</li></ul>",
            "- Bread\n  - Rye\n  - Spelt\n- Cakes",
            id="nested",
        ),
        pytest.param(
            "<ul><li><a href='/rye'>Rye</a> <b>loaf</b></li><li></li></ul>",
            "- Rye loaf",
            id="inline-and-empty-item",
        ),
    ],
)
def test_lists_become_markdown(html: str, markdown: str) -> None:
    assert only(doc(html), "list").markdown == markdown


def test_data_table_becomes_a_markdown_table_with_rows() -> None:
    table = only(
        doc(
            "<table><caption>Delivery</caption><tr><th>Zone</th><th>Cost</th></tr>"
            "<tr><td>City | centre</td><td>Free</td></tr>"
            "<tr><td>Suburbs</td><td>$4</td></tr></table>"
        ),
        "table",
    )
    assert table.rows == [["Zone", "Cost"], ["City | centre", "Free"], ["Suburbs", "$4"]]
    assert table.markdown == (
        "Delivery\n\n| Zone | Cost |\n| --- | --- |\n| City \\| centre | Free |\n| Suburbs | $4 |"
    )


def test_comparison_table_keeps_every_row_and_reads_check_and_cross_icons() -> None:
    table = only(
        doc(
            "<table><tr><th></th><th>Solo</th><th>Team</th></tr>"
            "<tr><td>Price</td><td>$9</td><td>$29</td></tr>"
            "<tr><td>Seats</td><td>1</td><td>10</td></tr>"
            '<tr><td>SSO</td><td><span class="icon-cross"></span></td>'
            '<td><svg class="icon-check"></svg></td></tr>'
            '<tr><td>Audit log</td><td><img src="/no.svg" alt="unavailable"></td>'
            '<td><img src="/yes.svg" alt="included"></td></tr></table>'
        ),
        "table",
    )
    assert table.rows == [
        ["", "Solo", "Team"],
        ["Price", "$9", "$29"],
        ["Seats", "1", "10"],
        ["SSO", "✗", "✓"],
        ["Audit log", "✗", "✓"],
    ]


def test_ragged_rows_are_padded() -> None:
    table = only(
        doc("<table><tr><th>A</th><th>B</th><th>C</th></tr><tr><td>1</td></tr></table>"), "table"
    )
    assert table.rows == [["A", "B", "C"], ["1", "", ""]]


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(
            "<table><tr><td><p>Left column words</p></td></tr>"
            "<tr><td><p>More words</p></td></tr></table>",
            id="single-column",
        ),
        pytest.param(
            "<table><tr><td><table><tr><td>Left column words</td><td>More words</td></tr></table>"
            "</td></tr></table>",
            id="nested-tables",
        ),
    ],
)
def test_layout_tables_are_not_data_tables(html: str) -> None:
    document = doc(html)
    assert "Left column words" in "\n".join(texts(document))
    assert all(
        b.kind != "table" or b.rows == [["Left column words", "More words"]]
        for b in document.blocks
    )


def test_preformatted_text_keeps_its_spacing() -> None:
    block = only(doc("<pre>curl -X POST \\\n    https://api.acme.test/v1</pre>"), "pre")
    assert block.markdown == "```\ncurl -X POST \\\n    https://api.acme.test/v1\n```"


def test_blockquote_is_a_quote_block() -> None:
    block = only(
        doc("<blockquote><p>Best rye in town.</p>\n<p>Sam, regular</p></blockquote>"), "quote"
    )
    assert block.text == "Best rye in town.\nSam, regular"
    assert block.markdown == "> Best rye in town.\n> Sam, regular"


@pytest.mark.parametrize(
    "inner",
    [
        pytest.param("{quote}<br>{who}", id="br"),
        pytest.param("<p>{quote}</p><p>{who}</p>", id="adjacent-paragraphs"),
        pytest.param("<p>{quote}</p><footer><cite>{who}</cite></footer>", id="footer-cite"),
    ],
)
def test_blockquote_line_break_separates_the_attribution(inner: str) -> None:
    quote, who = "Crumb bakes the only sourdough we agree on.", "Maya Lind, Fjord Studio"
    block = only(doc(f"<blockquote>{inner.format(quote=quote, who=who)}</blockquote>"), "quote")
    assert block.text.split("\n") == [quote, who]


# --- links, contacts, logos ---------------------------------------------------------------


def test_links_carry_absolute_url_text_and_zone() -> None:
    document = doc(
        '<nav><a href="/pricing">Pricing</a></nav>'
        '<main><p>Read <a href="docs/start#install">the  guide</a> or '
        '<a href="https://partner.test/">our partner</a>. '
        '<a href="javascript:void(0)">x</a></p></main>'
        '<footer><a href="/privacy?utm_source=footer">Privacy</a></footer>',
        "https://acme.test/en/",
    )
    assert [(link.url, link.text, link.zone) for link in document.links] == [
        ("https://acme.test/pricing", "Pricing", "nav"),
        ("https://acme.test/en/docs/start", "the guide", "main"),
        ("https://partner.test/", "our partner", "main"),
        ("https://acme.test/privacy", "Privacy", "footer"),
    ]


def test_links_inside_lists_tables_and_headings_are_kept() -> None:
    document = doc(
        '<ul><li><a href="/a">A</a></li></ul><table><tr><td><a href="/b">B</a></td><td>x</td></tr>'
        '</table><h2><a href="/c">C</a></h2>'
    )
    assert [link.url for link in document.links] == [
        "https://acme.test/a",
        "https://acme.test/b",
        "https://acme.test/c",
    ]


def test_mailto_and_tel_links_are_harvested_not_followed() -> None:
    document = doc(
        '<footer><a href="mailto:orders@crumb.test?subject=Cake">Mail</a>'
        '<a href="MAILTO:orders@crumb.test">Again</a><a href="mailto:not-an-address">Bad</a>'
        '<a href="tel:+44 113 496 0000">Call</a><a href="tel:12">Short</a></footer>'
    )
    assert document.emails == ["orders@crumb.test"]
    assert document.phones == ["+44 113 496 0000"]
    assert document.links == []


def test_logo_candidates_are_absolute_and_template_logo_first() -> None:
    document = doc(
        '<main><img src="/img/partner-logo.png" alt="Partner logo"></main>'
        '<header><a href="/"><img src="/img/crumb-logo.svg" alt="Crumb Bakery"></a></header>'
        '<main><img src="/img/loaf.jpg" alt="A loaf">'
        '<img src="data:image/png;base64,AA" alt="logo">'
        '<img data-src="/img/lazy-logo.webp" alt="Lazy"></main>',
        head='<link rel="icon" href="/favicon.ico">',
    )
    assert document.logos == [
        "https://acme.test/img/crumb-logo.svg",
        "https://acme.test/img/partner-logo.png",
        "https://acme.test/img/lazy-logo.webp",
        "https://acme.test/favicon.ico",
    ]


def test_jsonld_logo_is_the_first_logo_candidate() -> None:
    document = doc(
        '<header><img src="/img/logo.svg" alt="Crumb"></header>',
        head='<script type="application/ld+json">{"@type":"Organization","name":"Crumb",'
        '"logo":"https://cdn.crumb.test/brand.png"}</script>',
    )
    assert document.logos[:2] == [
        "https://cdn.crumb.test/brand.png",
        "https://acme.test/img/logo.svg",
    ]


def test_document_text_is_its_blocks_one_per_line() -> None:
    document = doc("<h1>Crumb</h1><p>Bread.</p><ul><li>Rye</li></ul>")
    assert document.text() == "Crumb\nBread.\nRye"


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("<html><head><title>Only a title</title></head></html>", id="no-body"),
        pytest.param("<p>unclosed <b>tags <div>everywhere", id="broken"),
    ],
)
def test_odd_pages_parse_without_error(html: str) -> None:
    from sitelore.core.document import parse_document

    document = parse_document(html, "https://acme.test/")
    assert document.url == "https://acme.test/"
    assert all(block.text for block in document.blocks)


def test_moderately_deep_markup_keeps_its_text() -> None:
    html = "<div>" * 100 + "<p>Deep down words.</p>" + "</div>" * 100
    assert "Deep down words." in doc(html).text()


def _text_or_crash(html: str) -> str:
    # The crash is turned into a plain value: pytest takes seconds to render a deep traceback.
    try:
        return doc(html).text()
    except RecursionError:
        return "RecursionError"


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<div>" * 400 + "<p>Deep down words.</p>" + "</div>" * 400, id="nested"),
        pytest.param("<div><p>Deep down words.</p>" + "<div>x" * 400, id="unclosed-divs"),
    ],
)
def test_deeply_nested_markup_does_not_crash_the_page(html: str) -> None:
    assert "Deep down words." in _text_or_crash(html)


# --- the walk's shortcuts: blank text nodes, one-text elements, unit and list checks -------
# The walk leaves whitespace-only text nodes out of a block's children and reads an element
# whose only child is text without a loop; these pin that the text reads as before.


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("<div><b>Fresh</b> <i>bread</i></div>", ["Fresh bread"], id="blank-between"),
        pytest.param("<div><b>Fresh</b><i>bread</i></div>", ["Freshbread"], id="no-blank"),
        pytest.param(
            "<div>\n  <span>Fresh</span>\n  <span>bread</span>\n</div>",
            ["Fresh bread"],
            id="indented-inline",
        ),
        pytest.param(
            "<div><span>Fresh</span>&nbsp;<span>bread</span></div>", ["Fresh bread"], id="nbsp"
        ),
        pytest.param(
            "<div>\n  <p>Fresh</p>\n  <p>bread</p>\n</div>",
            ["Fresh", "bread"],
            id="indented-blocks",
        ),
        pytest.param(
            "<div><p>Fresh</p> <span>bread</span> <p>daily</p></div>",
            ["Fresh", "bread", "daily"],
            id="inline-between-blocks",
        ),
        pytest.param("<p>  Fresh \n  bread  </p>", ["Fresh bread"], id="one-text-child"),
        pytest.param(
            "<div><span>Fresh</span> <span class='sr-only'>(current)</span> <span>bread</span>"
            "</div>",
            ["Fresh bread"],
            id="screen-reader-between",
        ),
        pytest.param(
            "<div><span>Fresh</span> <script>var x;</script> <span>bread</span></div>",
            ["Fresh bread"],
            id="script-between",
        ),
        pytest.param(
            "<div><span>Fresh</span><div class='cookie-bar'>Accept</div><span>bread</span></div>",
            ["Freshbread"],
            id="dropped-block-between",
        ),
        pytest.param(
            "<div><span>Fresh</span> <br> <span>bread</span></div>", ["Fresh\nbread"], id="br"
        ),
        pytest.param(
            "<div><a href='/b'>Fresh</a> <a href='/c'><strong>bread</strong> <em>today</em></a>"
            "</div>",
            ["Fresh bread today"],
            id="nested-inline-in-links",
        ),
    ],
)
def test_blank_text_between_inline_runs_is_one_space(html: str, expected: list[str]) -> None:
    assert texts(doc(f"<main>{html}</main>")) == expected


def test_links_inside_inline_runs_are_recorded_with_their_text() -> None:
    document = doc(
        "<main><p>See <a href='/menu'>our <b>menu</b></a> and\n <a href='/hours'>hours</a>"
        "</p></main>"
    )
    assert texts(document) == ["See our menu and hours"]
    assert [(link.url, link.text) for link in document.links] == [
        ("https://acme.test/menu", "our menu"),
        ("https://acme.test/hours", "hours"),
    ]


def test_logo_inside_a_header_link_is_the_first_logo_with_its_alt() -> None:
    document = doc(
        '<header>\n  <a href="/">\n    <img src="/img/logo.svg" alt="Crumb">\n  </a>\n</header>'
        "<main><p>Bread.</p></main>"
    )
    assert document.logos == ["https://acme.test/img/logo.svg"]
    assert document.logo_alts == ["Crumb"]
    assert [link.zone for link in document.links] == ["header"]


# --- page wrappers ---------------------------------------------------------------------

WRAPPED = (
    "<p>The first of three paragraphs that make this page worth reading at all.</p>"
    "<p>The second paragraph, which says a little more about the same thing.</p>"
    "<p>The third paragraph, which ends it.</p>"
)


@pytest.mark.parametrize(
    "body_class",
    ["gdpr-cookie-consent-on", "newsletter-popup-enabled", "has-cookie-banner sr-only-skip"],
)
def test_a_body_class_naming_a_widget_keeps_the_page(body_class: str) -> None:
    html = page(WRAPPED).replace("<body>", f'<body class="{body_class}">')
    assert "The third paragraph" in parse_document(html, "https://acme.test/").text()


@pytest.mark.parametrize(
    ("form", "kept"),
    [
        pytest.param('<form><label>Email</label><input name="e"></form>', False, id="sign-up"),
        pytest.param("<form><p>Name</p><input><button>Send now</button></form>", False, id="one-p"),
        pytest.param(f'<form id="aspnetForm">{WRAPPED}</form>', True, id="page-in-a-form"),
        pytest.param("<form><article><p>A story.</p></article></form>", True, id="article-in-form"),
    ],
)
def test_a_form_is_skipped_unless_it_wraps_the_page(form: str, kept: bool) -> None:
    document = doc(f"{form}<main><p>Outside the form.</p></main>")
    assert (len(texts(document)) > 1) is kept, texts(document)
    assert texts(document)[-1] == "Outside the form."


def test_a_linked_line_is_a_call_to_action_only_in_the_words_of_one() -> None:
    document = doc(
        '<main><p><a href="/blog/1">Read more →</a></p><p><a href="/docker">Docker Swarm</a></p>'
        '<p><a href="tel:+4930123456">+49 30 123456</a></p></main>'
    )
    actions = {block.text: block.is_call_to_action() for block in document.blocks}
    assert actions == {"Read more →": True, "Docker Swarm": False, "+49 30 123456": False}


@pytest.mark.parametrize(
    "button", ["Book a table", "Zarezerwuj", "Réservez", "Jetzt buchen", "Bestill tur"]
)
def test_a_linked_booking_button_is_a_call_to_action(button: str) -> None:
    document = doc(f'<main><p><a href="/book">{button}</a></p></main>')
    assert [block.is_call_to_action() for block in document.blocks] == [True]


def test_a_carousel_the_markup_calls_quotes_is_one_quotation_each() -> None:
    body = """<main><h2>Services</h2><ul><li>Massage</li><li>Yoga</li></ul>
    <div class="slider"><div class="slide client-item"><i class="icon-quote"></i>
    <p>You gave me my back again after ten years of pain.</p></div>
    <div class="slide client-item"><i class="icon-quote"></i>
    <p>Kind people and a calm room. I sleep better now.</p></div></div>
    <div class="boxes"><div class="box"><p>Open every day of the week.</p></div>
    <div class="box"><p>Parking right behind the house.</p></div></div></main>"""
    kinds = [(block.kind, block.text[:20]) for block in doc(body).blocks]
    assert ("testimonial", "You gave me my back ") in kinds
    assert ("testimonial", "Kind people and a ca") in kinds
    assert ("text", "Open every day of th") in kinds  # boxes with no quote in their markup

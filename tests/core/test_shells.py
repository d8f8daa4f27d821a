"""Script shells: which raw pages need a browser (invented pages, and the evaluation kit's)."""

from __future__ import annotations

import pytest

from sitelore.core.shells import needs_rendering
from tests.core.helpers import eval_pages, page

BUNDLE = '<script defer src="/static/js/main.4f2a9c1e.js"></script>'
MODULE = '<script type="module" crossorigin src="/assets/index-8b1d0e7f.js"></script>'
APP_JS = "var state = {};" + "function render(node) { node.textContent = state.title; }" * 50
# A site's frame: what a hybrid page renders on the server around its client-side part.
NAV = (
    "<header><a href='/'>Quillmere Printing Co.</a><nav><a href='/services/'>Services</a>"
    "<a href='/pricing/'>Pricing</a><a href='/samples/'>Samples</a><a href='/about/'>About us</a>"
    "<a href='/contact/'>Contact</a></nav></header>"
)
FOOTER = (
    "<footer><p>Quillmere Printing Co., 14 Tanner Row, Fenwick. Open Monday to Friday, 8 am to "
    "6 pm. Call 0161 555 0199 or write to hello@quillmere.test.</p><p>© 2025 Quillmere Printing "
    "Co. Registered in England, company number 09876543. Privacy policy. Terms of trade.</p>"
    "</footer>"
)
PROSE = (
    "<p>Quillmere prints business cards, letterheads, flyers and posters for small firms in "
    "Fenwick and the villages around it. Every job is proofed by hand before it goes to press, "
    "and most orders are ready within two working days. We use recycled paper by default and "
    "vegetable inks on request, and we deliver free of charge within ten miles of the shop.</p>"
    "<p>Bring your own design or let our two in-house designers lay it out for you: the first "
    "hour of design work is included with every order over fifty pounds.</p>"
)
NEXT_DATA = (
    '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"menu":'
    '[{"name":"Oat porridge","price":6.5}]}},"page":"/menu","query":{},"buildId":"b1",'
    '"nextExport":true,"autoExport":true}</script>'
)
NEXT_CHUNKS = '<script src="/_next/static/chunks/main-2f9e.js" defer></script>'

SHELLS = {
    "create-react-app": (
        page(
            "<noscript>You need to enable JavaScript to run this app.</noscript>"
            '<div id="root"></div>',
            title="React App",
            head=BUNDLE,
        ),
        "no visible text, an empty #root mount point, 'enable JavaScript' in <noscript> and "
        "a script bundle",
    ),
    "vite-vue": (
        page('<div id="app"></div>', title="Harbour Kayaks", head=MODULE),
        "no visible text, an empty #app mount point and a script bundle",
    ),
    "angular": (
        page('<app-root></app-root><script src="main.3c1f.js" type="module"></script>'),
        "no visible text, an empty <app-root> mount point and a script bundle",
    ),
    "inline app": (
        page(f'<div id="mount"></div><script>{APP_JS}</script>'),
        "no visible text and inline JavaScript",
    ),
    "loading spinner": (
        page(
            "<header><a href='/'>Tidewater Bakery</a></header><div class='splash'>"
            "<div class='spinner'></div><p>Loading…</p></div>"
            "<footer>© 2025 Tidewater Bakery Ltd. All rights reserved.</footer>",
            head=BUNDLE,
        ),
        "a 'Loading…' placeholder",
    ),
    "loading in German": (
        page(
            "<p>Bäckerei Gezeiten · Hafenstraße 4 · 24103 Kiel</p><p>Wird geladen ...</p>"
            "<p>© 2025 Bäckerei Gezeiten GmbH</p>",
            head=BUNDLE,
            lang="de",
        ),
        "a 'Loading…' placeholder",
    ),
    "Next.js client-side bailout": (
        page(f'<div id="__next"></div>{NEXT_DATA}', head=NEXT_CHUNKS),
        "no visible text, an empty #__next mount point and a script bundle",
    ),
    "hybrid: server-rendered frame, empty #root": (
        page(f'{NAV}<main><div id="root"></div></main>{FOOTER}', head=BUNDLE),
        "an empty #root mount point with only navigation, header and footer around it",
    ),
}


def _asking(noscript: str, lang: str) -> str:
    """A page with a little text (over 50 characters) whose <noscript> says ``noscript``."""
    body = (
        "<p>Quillmere Printing Co. · 14 Tanner Row · Fenwick · 0161 555 0199</p>"
        f"<noscript><p>{noscript}</p></noscript><div class='view'></div>"
    )
    return page(body, head=BUNDLE, lang=lang)


NOSCRIPTS = {
    "en": "This site doesn't work properly without JavaScript enabled. Please enable it.",
    "de": "Bitte aktivieren Sie JavaScript in Ihrem Browser.",
    "fr": "Veuillez activer JavaScript pour utiliser ce site.",
    "es": "Por favor, habilita JavaScript para ver esta página.",
    "it": "Per favore, attiva JavaScript nel tuo browser.",
    "nl": "Schakel JavaScript in om deze site te gebruiken.",
    "pt": "Por favor, ative o JavaScript no seu navegador.",
    "pl": "Włącz JavaScript w przeglądarce, aby korzystać ze strony.",
    "da": "Aktivér JavaScript i din browser for at bruge siden.",
    "no": "Slå på JavaScript i nettleseren din for å bruke siden.",
    "sv": "Aktivera JavaScript i din webbläsare för att använda sidan.",
}

SERVER_RENDERED = {
    "Next.js SSR with __NEXT_DATA__": page(
        f'<div id="__next">{NAV}<main><h1>Printing for small firms</h1>{PROSE}</main>'
        f"{FOOTER}</div>{NEXT_DATA}",
        head=NEXT_CHUNKS,
    ),
    "Nuxt SSR": page(
        f'<div id="__nuxt" data-server-rendered="true"><h1>Our services</h1>{PROSE}</div>'
        f'<script>window.__NUXT__={{state:{{}}}}</script><script src="/_nuxt/app.3e1.js"></script>'
    ),
    "Gatsby": page(
        f'<div id="___gatsby"><div id="gatsby-focus-wrapper">{NAV}<h1>About us</h1>{PROSE}'
        f'</div></div><script src="/app-7c2d.js" async></script>'
    ),
    "React SSR (data-reactroot)": page(
        f'<div id="root"><div data-reactroot=""><h1>Samples</h1>{PROSE}</div></div>{BUNDLE}'
    ),
    "plain static with jQuery": page(
        f"{NAV}<h1>Contact</h1>{PROSE}{FOOTER}", head='<script src="/js/jquery.min.js"></script>'
    ),
    "300 kB of inline JavaScript beside real text": page(
        f"<h1>Pricing</h1>{PROSE}<script>{APP_JS * 100}</script>"
    ),
    "an empty widget mount inside real content": page(
        f"{NAV}<main><h1>Book a print consultation</h1>{PROSE}"
        f'<div id="app" class="booking-widget"></div></main>{FOOTER}',
        head='<script src="https://widgets.bookingtool.test/embed.js" async></script>',
    ),
    "an empty #root beside content (site builder)": page(
        f'<div id="root"></div><div id="SITE_CONTAINER"><h1>Home</h1>{PROSE}</div>', head=BUNDLE
    ),
    "real text and a <noscript> asking for JavaScript (comments)": page(
        f"<h1>Our paper</h1>{PROSE}<div id='comments'></div><noscript>Please enable "
        "JavaScript to view the comments.</noscript>",
        head=BUNDLE,
    ),
    "a short page with a frame and real content": page(
        "<header><a href='/'>Tidewater Bakery</a></header><main><h1>Opening hours</h1><p>Tuesday"
        " to Saturday, 7 am to 3 pm. Sourdough is baked on Fridays only.</p></main>"
        "<footer>© 2025 Tidewater Bakery Ltd.</footer>",
        head=BUNDLE,
    ),
}

NO_JAVASCRIPT = {
    "plain static": page(f"{NAV}<h1>Contact</h1>{PROSE}{FOOTER}"),
    "a short page without JavaScript": page("<p>Coming soon.</p>"),
    "an empty mount point without a script": page('<div id="root"></div>'),
    "only data in <script> elements": page(
        '<div id="app"></div><script type="application/ld+json">{"@type":"Organization"}</script>'
        f"{NEXT_DATA}"
    ),
    "a small tracking snippet": page(
        "<p>Thanks!</p><script>window.dataLayer = window.dataLayer || [];</script>"
    ),
}


@pytest.mark.parametrize(("html", "reason"), SHELLS.values(), ids=SHELLS.keys())
def test_script_shells_need_rendering(html: str, reason: str) -> None:
    verdict = needs_rendering(html)
    assert verdict.render
    assert verdict.reason == reason


@pytest.mark.parametrize("lang", NOSCRIPTS)
def test_a_noscript_asking_for_javascript_in_each_language(lang: str) -> None:
    verdict = needs_rendering(_asking(NOSCRIPTS[lang], lang))
    assert 50 <= verdict.text_length < 200  # not the rule for pages with no text at all
    assert verdict.render
    assert verdict.reason == "'enable JavaScript' in <noscript>"


@pytest.mark.parametrize("html", SERVER_RENDERED.values(), ids=SERVER_RENDERED.keys())
def test_server_rendered_pages_do_not(html: str) -> None:
    verdict = needs_rendering(html)
    assert not verdict.render
    assert verdict.reason == "server-rendered text"
    assert verdict.text_length >= 50


@pytest.mark.parametrize("html", NO_JAVASCRIPT.values(), ids=NO_JAVASCRIPT.keys())
def test_pages_without_javascript_never_do(html: str) -> None:
    verdict = needs_rendering(html)
    assert not verdict.render
    assert verdict.reason == "no JavaScript"


def test_visible_text_leaves_out_what_nobody_sees() -> None:
    html = page(
        "<p>Forty-two characters of visible text here</p><style>p { color: red }</style>"
        "<template><p>a row template</p></template><svg><text>chart label</text></svg>"
        f"<noscript>Enable JavaScript</noscript>{BUNDLE}"
    )
    verdict = needs_rendering(html)
    assert verdict.text_length == len("Forty-two characters of visible text here")
    assert verdict.render


# Genuine script shells of the kit: a Next.js page that bails out to client-side rendering
# (an empty #__next and the page's data in __NEXT_DATA__), and its copy.
KIT_SHELLS = {"skilletz-cafe/site/tv/index.html", "skilletz-cafe/site/tvrekz/index.html"}


def test_on_the_evaluation_kit_only_true_script_shells_need_rendering() -> None:
    pages = eval_pages()
    flagged = {path for path, html in pages if needs_rendering(html).render}
    assert len(pages) > 1000
    assert flagged == KIT_SHELLS

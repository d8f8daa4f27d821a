"""Bot challenges, captchas and firewall blocks (invented pages), and pages that are none."""

from __future__ import annotations

import pytest

from sitelore.core.challenges import challenge_of
from sitelore.errors import BlockedByChallenge, FetchError
from tests.core.helpers import eval_pages, page

HOST = "quillmere.test"
NAV = (
    "<header><a href='/'>Quillmere Printing Co.</a><nav><a href='/services/'>Services</a>"
    "<a href='/pricing/'>Pricing</a><a href='/contact/'>Contact</a></nav></header>"
)
FOOTER = "<footer>Quillmere Printing Co., 14 Tanner Row, Fenwick. © 2025</footer>"
RECAPTCHA = (
    '<script src="https://www.google.com/recaptcha/api.js" async defer></script>'
    '<div class="g-recaptcha" data-sitekey="6Lc_invented_site_key"></div>'
)
PROSE = (
    "<p>Bot walls are everywhere now. Visit a busy shop during a sale and you may be asked to "
    "verify you are human, or watch a page that says it is checking your browser before it lets "
    "you in. Behind the scenes the vendors keep their state in page globals: Cloudflare's page "
    'sets <code>window._cf_chl_opt</code>, PerimeterX draws into <code>&lt;div id="px-captcha'
    '"&gt;</code> and DataDome frames <code>geo.captcha-delivery.com</code>. Akamai answers '
    "with Access Denied and a Reference #18.2d351ab8.1712345678.1f2e3d4c line.</p>"
    "<p>For a small business the trade-off is real: every challenge costs some visitors, and "
    "a captcha on a contact form stops most spam. We measured both on our own site for three "
    "months and wrote down what we learned, including which settings kept our search ranking "
    "intact and which ones locked out the people who use screen readers.</p>"
)

WALLS = {
    "Cloudflare managed challenge": (
        page(
            '<div class="main-wrapper" role="main"><div class="main-content"><noscript>'
            '<span id="challenge-error-text">Enable JavaScript and cookies to continue</span>'
            "</noscript></div></div><script>(function(){window._cf_chl_opt={cvId:'3',cZone:"
            f"'{HOST}',cType:'managed',cRay:'8f2c1a9b7d6e5f40'}};var cpo=document.createElement("
            "'script');cpo.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray="
            "8f2c1a9b7d6e5f40';document.getElementsByTagName('head')[0].appendChild(cpo);}())"
            "</script>",
            title="Just a moment...",
        ),
        403,
        {"server": "cloudflare"},
        "a Cloudflare challenge",
    ),
    "Cloudflare legacy browser check": (
        page(
            f'<div class="cf-browser-verification"><h1>Checking your browser before accessing '
            f'{HOST}.</h1><form id="challenge-form" action="/?__cf_chl_jschl_tk__=Qx7.invented"'
            ' method="POST"><input type="hidden" name="jschl_vc" value="1f2e">'
            '<input type="hidden" name="jschl_answer" value=""></form></div>'
        ),
        503,
        {},
        "a Cloudflare challenge",
    ),
    "Cloudflare challenge header": (
        "",
        403,
        {"CF-Mitigated": "challenge"},
        "a Cloudflare challenge",
    ),
    "Cloudflare firewall block": (
        page(
            '<div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper">'
            "<h1>Sorry, you have been blocked</h1><h2>You are unable to access "
            f"{HOST}</h2><p>Cloudflare Ray ID: 8f2c1a9b7d6e5f40</p></div></div>",
            title="Attention Required! | Cloudflare",
        ),
        403,
        {"server": "cloudflare"},
        "a Cloudflare block",
    ),
    "DataDome": (
        page(
            "<p id='cmsg'>Please enable JS and disable any ad blocker</p><script>var dd={'rt':'c',"
            "'cid':'AHrlqAAAAAMA_invented','hsh':'2211F522B61E','host':'geo.captcha-delivery.com'}"
            "</script><script src='https://ct.captcha-delivery.com/c.js'></script><iframe src="
            "'https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA_invented' "
            "width='100%' height='100%'></iframe>",
            title=HOST,
        ),
        403,
        {},
        "a DataDome captcha",
    ),
    "PerimeterX (HUMAN) press and hold": (
        page(
            "<h1>Access to this page has been denied</h1><p>Press &amp; Hold to confirm you are"
            ' a human (and not a bot).</p><div id="px-captcha"></div><script>window._pxAppId='
            "'PXa1b2c3d4';</script><script src='/a1b2c3d4/captcha/captcha.js?a=c'></script>",
            title="Access to this page has been denied",
        ),
        403,
        {},
        "a PerimeterX (HUMAN) challenge",
    ),
    "Akamai block": (
        "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't "
        'have permission to access "http&#58;&#47;&#47;quillmere&#46;test&#47;" on this server.'
        "<P>Reference&#32;&#35;18&#46;2d351ab8&#46;1712345678&#46;1f2e3d4c<P>https&#58;&#47;&#47;"
        "errors&#46;edgesuite&#46;net&#47;18&#46;2d351ab8</P></BODY></HTML>",
        403,
        {"server": "AkamaiGHost"},
        "an Akamai block",
    ),
    "Akamai bot manager challenge": (
        page(
            '<div id="sec-if-cpt-container"><div class="sec-text-container">Your request is '
            'being checked.</div></div><script src="/_sec/cp_challenge/sec-cpt-4-1.js"></script>'
        ),
        428,
        {},
        "an Akamai challenge",
    ),
    "Sucuri firewall block": (
        page(
            "<h1>Access Denied - Sucuri Website Firewall</h1><p>Block ID: BNP005</p>",
            title="Sucuri WebSite Firewall - Access Denied",
        ),
        403,
        {"server": "Sucuri/Cloudproxy"},
        "a Sucuri firewall block",
    ),
    "Sucuri JavaScript challenge": (
        page(
            "<script>var S='ZG9jdW1lbnQ=';document.cookie='sucuri_cloudproxy_js='+'d0a1'+"
            "';path=/;max-age=86400';location.reload();</script>"
        ),
        200,
        {},
        "a Sucuri challenge",
    ),
    "Imperva (Incapsula) block": (
        page(
            '<iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=27&xinfo=8-1234-0%20&'
            'incident_id=1234000560123-567&edet=15" frameborder=0 width="100%" height="100%">'
            "Request unsuccessful. Incapsula incident ID: 1234000560123-567</iframe>"
        ),
        200,
        {},
        "an Imperva (Incapsula) block",
    ),
    "AWS WAF challenge": (
        page(
            '<div id="challenge-container"></div><script>window.awsWafCookieDomainList = [];'
            'window.gokuProps = {"key":"AQIDAHj_invented","iv":"CgAGVTNq","context":"x1"};'
            '</script><script src="https://1a2b3c.edge.sdk.awswaf.com/1a2b3c/4d5e/challenge.js">'
            "</script><noscript><h1>JavaScript is disabled</h1></noscript>"
        ),
        202,
        {},
        "an AWS WAF challenge",
    ),
    "AWS WAF captcha header": ("", 405, {"x-amzn-waf-action": "captcha"}, "an AWS WAF captcha"),
    "CloudFront block": (
        page(
            "<h1>403 ERROR</h1><h2>The request could not be satisfied.</h2><hr noshade size='1px'>"
            "Request blocked. We can't connect to the server for this app or website at this "
            "time.<br clear='all'><hr noshade size='1px'><pre>Generated by cloudfront "
            "(CloudFront)\nRequest ID: Ab1Cd2Ef3Gh4_invented==</pre>"
        ),
        403,
        {"server": "CloudFront"},
        "an AWS WAF block",
    ),
    "reCAPTCHA as the page": (
        page(
            "<h1>About this page</h1><p>Our systems have detected unusual traffic from your "
            f"computer network.</p><form action='/sorry/index' method='post'>{RECAPTCHA}"
            "<input type='hidden' name='continue' value='/'><input type='submit'></form>"
        ),
        429,
        {},
        "a captcha (reCAPTCHA)",
    ),
    "hCaptcha as the page": (
        page(
            f"<h1>One more step</h1><p>{HOST}</p><div class='h-captcha' data-sitekey='10000000"
            "-ffff-ffff-ffff-000000000001'></div><script src='https://js.hcaptcha.com/1/api.js'>"
            "</script>"
        ),
        200,
        {},
        "a captcha (hCaptcha)",
    ),
    "Turnstile as the page, rendered": (
        page(
            f'{NAV}<main><div class="wall"><iframe src="https://challenges.cloudflare.com/cdn-cgi/'
            'challenge-platform/h/b/turnstile/if/ov2/av0/rcv0/0/x1" width="300"></iframe></div>'
            f"</main>{FOOTER}"
        ),
        200,
        {},
        "a captcha (Cloudflare Turnstile)",
    ),
}

PHRASES = {
    "en": "Verify you are human by completing the action below.",
    "de": "Bitte bestätigen Sie, dass Sie ein Mensch sind.",
    "fr": "Veuillez confirmer que vous êtes un humain.",
    "es": "Verifique que es un ser humano completando la acción.",
    "it": "Verifica di essere un essere umano completando l’azione.",
    "nl": "Verifiëren dat u een mens bent. Dit kan enkele seconden duren.",
    "pt": "Verificando se você é humano. Isso pode levar alguns segundos.",
    "pl": "Potwierdź, że jesteś człowiekiem.",
    "da": "Bekræft, at du er et menneske.",
    "no": "Bekreft at du er et menneske.",
    "sv": "Verifiera att du är en människa.",
}


def _interstitial(phrase: str, lang: str) -> str:
    return page(
        f"<h1>{HOST}</h1><p>{phrase}</p><div id='verify'></div><p>Ray: 8f2c1a9b7d6e5f40</p>"
        "<script src='/verify.js'></script>",
        title=HOST,
        lang=lang,
    )


SITE_PAGES = {
    "a contact form with a reCAPTCHA": page(
        f"{NAV}<h1>Contact</h1><form action='/send' method='post'><label>Your e-mail "
        "<input type='email' name='email'></label><label>Message <textarea name='message'>"
        f"</textarea></label>{RECAPTCHA}<button>Send</button></form>{FOOTER}"
    ),
    "a login with an hCaptcha": page(
        "<h1>Customer login</h1><form method='post'><input name='user'><input type='password' "
        "name='password'><div class='h-captcha' data-sitekey='s1'></div><button>Log in</button>"
        "</form>"
    ),
    "a rendered contact form with a Turnstile": page(
        f"{NAV}<h1>Contact</h1><form><input name='email'><div class='cf-turnstile'><div id="
        "'cf-chl-widget-x1'><iframe src='https://challenges.cloudflare.com/cdn-cgi/challenge-"
        f"platform/h/b/turnstile/if/ov2/av0/rcv0/0/x1'></iframe></div></div></form>{FOOTER}"
    ),
    "Cloudflare in prose": page(
        f"{NAV}<h1>Hosting</h1><p>Our site is served through Cloudflare, which keeps it fast "
        f"wherever you are. Cloudflare also verifies visitors on our behalf.</p>{FOOTER}"
    ),
    "a security blog post about captchas": page(
        f"{NAV}<article><h1>What a captcha costs a small business</h1>{PROSE}</article>{FOOTER}"
    ),
    "a long security blog post about captchas": page(
        f"{NAV}<article><h1>Bot walls, again</h1>{PROSE * 3}{RECAPTCHA}</article>{FOOTER}"
    ),
    "Cloudflare's script on an ordinary page": page(
        f"{NAV}<h1>Welcome</h1><p>Printing for small firms.</p>{FOOTER}<script>(function(){{"
        "window['__CF$cv$params']={r:'8f2c1a9b7d6e5f40',t:'MTcxMjM0NTY3OA=='};var a=document."
        "createElement('script');a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';"
        "document.head.appendChild(a);}})();</script>"
    ),
    "Imperva's script on an ordinary page": page(
        f"{NAV}<h1>Welcome</h1><p>Printing for small firms.</p>{FOOTER}<script type="
        "'text/javascript' src='/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3'>"
        "</script>"
    ),
    "DataDome's tag on an ordinary page": page(
        f"{NAV}<h1>Welcome</h1><p>Printing for small firms.</p>{FOOTER}<script src="
        "'https://js.datadome.co/tags.js' async></script>"
    ),
    "an invisible reCAPTCHA (v3) on a short page": page(
        f"{NAV}<h1>Thank you</h1><p>We will call you back today.</p>{FOOTER}<script src="
        "'https://www.google.com/recaptcha/api.js?render=6Lc_invented'></script>"
    ),
}

CLOUDFLARE_ORIGIN_ERROR = page(
    '<div id="cf-wrapper"><div id="cf-error-details"><h1>Connection timed out</h1>'
    "<span class='cf-error-code'>522</span></div></div>"
)


@pytest.mark.parametrize(("html", "status", "headers", "what"), WALLS.values(), ids=WALLS.keys())
def test_walls_are_named(html: str, status: int, headers: dict[str, str], what: str) -> None:
    assert challenge_of(html, status, headers) == what


@pytest.mark.parametrize("lang", PHRASES)
def test_verify_you_are_human_in_each_language(lang: str) -> None:
    html = _interstitial(PHRASES[lang], lang)
    assert challenge_of(html, 200, {}) == "a 'verify you are human' interstitial"
    # Served by Cloudflare with its challenge statuses, it is Cloudflare's.
    assert challenge_of(html, 503, {"Server": "cloudflare"}) == "a Cloudflare challenge"


@pytest.mark.parametrize("html", SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_pages_of_the_site_are_not_walls(html: str) -> None:
    assert challenge_of(html, 200, {"server": "cloudflare"}) is None


def test_a_cloudflare_error_page_is_not_a_block() -> None:
    """A 522 (the origin did not answer) is an error of the site, reported by its status."""
    assert challenge_of(CLOUDFLARE_ORIGIN_ERROR, 522, {"server": "cloudflare"}) is None
    assert challenge_of(CLOUDFLARE_ORIGIN_ERROR, 403, {"server": "cloudflare"}) == (
        "a Cloudflare block"
    )


def test_no_page_of_the_evaluation_kit_is_a_wall() -> None:
    pages = eval_pages()
    walls = {path: what for path, html in pages if (what := challenge_of(html, 200, {}))}
    assert len(pages) > 1000
    assert walls == {}


def test_the_error_of_a_page_behind_a_wall_says_which() -> None:
    error = BlockedByChallenge("https://quillmere.test/", "a Cloudflare challenge")
    assert isinstance(error, FetchError)
    assert str(error) == "Blocked by a bot challenge (a Cloudflare challenge)"
    assert (error.url, error.what) == ("https://quillmere.test/", "a Cloudflare challenge")

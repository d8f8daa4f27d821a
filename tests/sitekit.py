"""Fixture sites and a recording runner for the crawler and pipeline tests.

The folder sites live in ``tests/sites`` (all invented companies):

* ``acme`` — Acme, scheduling software for field service crews (``acme.test``, alias
  ``www.acme.test``): JSON-LD Organization, pricing cards, a comparison table, an FAQ,
  robots.txt with ``Disallow: /private/`` and a sitemap.
* ``bistro`` — Little Fig Bistro (``littlefig.test``): no structured data at all; the brand
  is only in the ``Page | Little Fig Bistro`` titles. ``/about/`` is a windows-1252 file.
* ``nimbus`` — Nimbus, a family notes app (``nimbus.test``): robots.txt points to a sitemap
  index whose first child is gzipped (served from a route) and is the only place that
  lists ``/pricing/``.

Nine more folder sites in eight languages and nine verticals (``mirabelle``, ``brandtvogel``,
``calaverda``, ``glicine``, ``tallybird``, ``zwaluw``, ``sorriso``, ``wiosla``, ``fjellstua``) are
:class:`FolderSite` values at the end of this module; ``tests/quality`` pins issue 11's failure
classes on them.

Small single-purpose sites are built from routes with :func:`route_site` and
:func:`page_html`, which wrap content in the same kind of template (cookie banner,
header, nav, footer) as the folder sites.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sitelore.models import (
    BusinessClassified,
    CrawlOptions,
    Event,
    ExtractRequest,
    ExtractResult,
    PageScraped,
    PagesPlanned,
    Progress,
)
from sitelore.pipeline import extract_site
from tests.webserver import Response, StaticResolver, WebServer, html

SITES = Path(__file__).parent / "sites"

ACME = "acme.test"
ACME_HOME = "http://acme.test/"
BISTRO = "littlefig.test"
BISTRO_HOME = "http://littlefig.test/"
NIMBUS = "nimbus.test"
NIMBUS_HOME = "http://nimbus.test/"
OTHER = "other.test"

# Bounded, hermetic defaults: no proxy from the environment, quick timeouts and retries.
OPTIONS = CrawlOptions(
    timeout=5, trust_env=False, max_retries=1, max_retry_after=1, max_crawl_delay=0.5
)

# Paths of the acme site's pages (all linked from somewhere, all in its sitemap).
ACME_PAGES = frozenset({
    "/", "/features/", "/pricing/", "/plans/compare/", "/about/", "/faq/", "/contact/",
    "/legal/privacy/", "/blog/", "/blog/2021/03/winter-scheduling-tips/",
    "/blog/2022/08/introducing-route-optimisation/", "/blog/2023/11/acme-mobile-app-4/",
})  # fmt: skip
ACME_BLOG = frozenset(path for path in ACME_PAGES if path.startswith("/blog/"))

E = TypeVar("E", PagesPlanned, PageScraped, Progress, BusinessClassified)


def serve_acme(web: WebServer) -> None:
    """Serve the acme folder as ``acme.test`` and ``www.acme.test``; ``other.test`` resolves."""
    web.add_site(ACME, SITES / "acme")
    web.add_alias("www." + ACME, ACME)
    serve_other(web)


def serve_bistro(web: WebServer) -> None:
    web.add_site(BISTRO, SITES / "bistro")


def serve_nimbus(web: WebServer) -> None:
    """Serve nimbus, its ``pages.xml.gz`` gzipped on the fly from ``sitemaps/pages.xml``."""
    root = SITES / "nimbus"
    web.add_site(NIMBUS, root)
    packed = gzip.compress((root / "sitemaps" / "pages.xml").read_bytes())
    headers = {"Content-Type": "application/x-gzip"}
    web.add_route(NIMBUS, "/sitemaps/pages.xml.gz", Response(200, headers, packed))
    web.add_host("partner.other.test")


def serve_other(web: WebServer) -> None:
    """An off-site host that answers (so a request to it would show in ``web.requests``)."""
    web.add_route(OTHER, "*", html(page_html("Other", "<h1>Another company</h1>")))


def page_html(title: str, main: str, links: Sequence[str] = (), *, head: str = "") -> str:
    """A page of a route-built site: the template around ``main``, plus plain links.

    ``head`` is markup added to the ``<head>`` (a canonical link, a meta refresh ...).
    """
    anchors = "\n".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Acme</title>{head}</head>
<body>
<div class="cookie-banner"><p>We use cookies to remember your settings.</p></div>
<header><nav><a href="/">Home</a></nav></header>
<main>
{main}
<ul class="links">{anchors}</ul>
</main>
<footer><p>© 2024 Acme Software, Inc.</p></footer>
</body></html>
"""


def links_page(*links: str, title: str = "Home") -> str:
    """A page with a paragraph of its own and the given links."""
    return page_html(title, prose(f"{title} of Acme"), links)


def prose(topic: str) -> str:
    """A paragraph long enough to become a knowledge item, distinct per topic."""
    return (
        f"<h1>{topic}</h1><p>This page explains {topic.lower()} in plain words, with "
        f"enough detail that a support agent could answer a customer's question about it.</p>"
    )


def route_site(
    web: WebServer,
    host: str,
    pages: Mapping[str, str | Response],
    robots: str | None = "User-agent: *\nAllow: /\n",
) -> None:
    """Serve ``pages`` (path → HTML or a Response) on ``host``; everything else is a 404.

    ``robots`` None makes robots.txt a 404 too.
    """
    for path, answer in pages.items():
        web.add_route(host, path, html(answer) if isinstance(answer, str) else answer)
    if robots is not None:
        body = robots.encode()
        web.add_route(host, "/robots.txt", Response(200, {"Content-Type": "text/plain"}, body))
    web.add_route(host, "*", html(page_html("Not found", "<h1>Not found</h1>"), 404))


@dataclass
class Run:
    """One extraction: its result and every event, in order."""

    result: ExtractResult
    events: list[Event]

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    @property
    def scraped(self) -> list[PageScraped]:
        return self.of(PageScraped)

    def failed(self) -> dict[str, str]:
        """URL → error message of every page that failed."""
        return {e.url: e.error or "" for e in self.scraped if e.status == "failed"}

    def sources(self) -> set[str]:
        return {item.source for item in self.result.knowledge_items}


def extract(
    resolver: StaticResolver, request: ExtractRequest, options: CrawlOptions = OPTIONS
) -> Run:
    """Run :func:`extract_site` to the end against the local server, recording events."""
    events: list[Event] = []
    result = asyncio.run(extract_site(request, events.append, options=options, resolver=resolver))
    return Run(result, events)


def page_paths(web: WebServer, host: str | None = None) -> list[str]:
    """Requested targets that are pages: robots.txt and sitemaps left out."""
    return [path for path in web.paths(host) if path != "/robots.txt" and "sitemap" not in path]


def non_space(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


# --- the multilingual sites of issue 11 -----------------------------------------------------


@dataclass(frozen=True)
class FolderSite:
    """A fixture site in ``tests/sites/<folder>``, served on ``host``.

    All invented businesses, in several languages and verticals (issue 11):

    * ``mirabelle`` — Salon Mirabelle, hair salon in Lyon (fr): a price list in four markups
      (div rows, a table, a ``<dl>``, spans), ``<details>`` FAQ, legal notice with question
      headings, hours only in the footer, ``®`` in the logo alt and home title, no JSON-LD.
    * ``brandtvogel`` — Kanzlei Brandt & Vogel, law office in Freiburg (de): one page of six
      h3 practice areas under one h2, team cards, office hours on ``/kontakt/``, Impressum
      with a ``<dl>``, privacy policy with question headings, no JSON-LD.
    * ``calaverda`` — Cala Verda Outdoor, kayak and e-bike rental in Llafranc, Costa Brava
      (es): ``SportsActivityLocation`` JSON-LD, a price table with plans as columns, FAQ as
      h3 questions, hours on ``/donde-estamos/``.
    * ``glicine`` — Trattoria Il Glicine in Bologna (it): six sibling menu pages listed in the
      navigation before ``/chi-siamo/`` and ``/contatti/``, dishes named after people, hours
      in a table, a "Chiamaci / Scrivici / Trovaci" link list, an owner's quote on the home page.
    * ``tallybird`` — Tallybird, invoicing SaaS (en): every page's canonical is the home page,
      12 blog posts linked from every page (mega menu, footer), a sidebar widget on blog pages,
      "Read more" links, monthly and annual price cards, a ``/welcome/`` copy of the home
      page, a German copy under ``/de/`` and a sitemap that lists blog posts first.
    * ``zwaluw`` — B&B De Zwaluw, guesthouse near Ootmarsum (nl): ``BedAndBreakfast`` JSON-LD,
      seasonal rate table, cleaning fee, house rules, check-in times in the footer.
    * ``sorriso`` — Clínica Dentária Sorriso, dental clinic in Porto (pt): treatment cards with
      "Ler mais" links, a two-column price table in €, team cards with roles (médica dentista,
      higienista), h3 FAQ, hours in the header bar, the footer and a table on ``/contactos/``.
    * ``wiosla`` — Kajaki Wiosła, kayak rental on the Krutynia (pl): ``LocalBusiness`` JSON-LD,
      route cards with km and zł, a price table with kayak types as columns, a numbered
      regulamin (life jackets, no alcohol), an FAQ of bold paragraphs, team cards on the home page.
    * ``fjellstua`` — Ravnåsen fjellstue, a nonprofit mountain lodge run by a volunteer
      association in Valdres (nb): ``og:site_name``, member / non-member price table, membership
      price cards in kr, house rules as a list, the board as cards, h3 FAQ, a privacy notice.
    """

    folder: str
    host: str
    language: str
    vertical: str

    @property
    def home(self) -> str:
        return f"http://{self.host}/"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (``/tarifs/``) on this site."""
        return f"http://{self.host}{path}"

    def serve(self, web: WebServer) -> None:
        web.add_site(self.host, SITES / self.folder)


MIRABELLE = FolderSite("mirabelle", "salon-mirabelle.test", "fr", "hair salon")
BRANDT_VOGEL = FolderSite("brandtvogel", "kanzlei-brandt-vogel.test", "de", "law office")
CALA_VERDA = FolderSite("calaverda", "calaverda.test", "es", "outdoor activity rental")
GLICINE = FolderSite("glicine", "trattoriailglicine.test", "it", "restaurant")
TALLYBIRD = FolderSite("tallybird", "tallybird.test", "en", "invoicing software")
ZWALUW = FolderSite("zwaluw", "bb-dezwaluw.test", "nl", "guesthouse")
SORRISO = FolderSite("sorriso", "clinica-sorriso.test", "pt", "dental clinic")
WIOSLA = FolderSite("wiosla", "kajaki-wiosla.test", "pl", "kayak rental")
FJELLSTUA = FolderSite("fjellstua", "ravnasen-fjellstue.test", "nb", "nonprofit mountain lodge")
WORLD_SITES: dict[str, FolderSite] = {
    site.folder: site
    for site in (
        MIRABELLE,
        BRANDT_VOGEL,
        CALA_VERDA,
        GLICINE,
        TALLYBIRD,
        ZWALUW,
        SORRISO,
        WIOSLA,
        FJELLSTUA,
    )
}


def nested(depth: int, tag: str = "div") -> str:
    """A page of ``depth`` nested elements around one word: 150,000 take minutes to parse."""
    return f"<html><body>{f'<{tag}>' * depth}x{f'</{tag}>' * depth}</body></html>"

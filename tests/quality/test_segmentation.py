"""Issue 11, class 3: segmentation — one item per unit of knowledge, nothing else inside it.

One item per sub-section, per question, per plan; a dish or a plan stays next to its price (a
monthly and an annual price are not mixed, a column of a price table keeps its own prices);
link lists, "Read more" links and sidebar widgets end up in no item; no lumps.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from sitelore.models import ExtractRequest, ItemCategory, KnowledgeItem
from tests.quality.kit import (
    crawl,
    describe,
    fresh_crawl,
    full_text,
    items_on,
    norm,
    param_id,
    path_of,
    price_pattern,
)
from tests.sitekit import (
    BRANDT_VOGEL,
    CALA_VERDA,
    GLICINE,
    MIRABELLE,
    TALLYBIRD,
    WORLD_SITES,
    ZWALUW,
    FolderSite,
)
from tests.webserver import StaticResolver, WebServer

PRICE = re.compile(r"(?<![\d.,])(?:€\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?€|\$\d+)")

# /leistungen/: six h3 practice areas under one h2, each with a phrase only it has.
PRACTICE_AREAS = {
    "Arbeitsrecht": "innerhalb von drei Wochen",
    "Mietrecht und WEG-Recht": "Nebenkostenabrechnung",
    "Familienrecht": "Zugewinnausgleich",
    "Erbrecht": "Pflichtteilsansprüche",
    "Verkehrsrecht": "Bußgeldverfahren",
    "Vertragsrecht": "Allgemeine Geschäftsbedingungen",
}

FAQS: dict[tuple[FolderSite, str], dict[str, str]] = {
    (MIRABELLE, "/questions-frequentes/"): {
        "Faut-il prendre rendez-vous ?": "deux créneaux sans rendez-vous",
        "Combien de temps dure une coloration végétale ?": "quarante-cinq minutes",
        "Puis-je venir avec mon enfant ?": "rehausseur adapté",
        "Quels moyens de paiement acceptez-vous ?": "chèques-cadeaux Mirabelle",
        "Que faire si je dois annuler ?": "acompte de 10 €",
    },
    (CALA_VERDA, "/preguntas-frecuentes/"): {
        "Hace falta reservar con antelación?": "sobre todo para los kayaks dobles",
        "Puedo cancelar mi reserva?": "te devolvemos el importe íntegro",
        "Necesito experiencia para alquilar un kayak?": "qué calas son seguras",
        "Pueden venir niños?": "a partir de seis años",
        "Qué pasa si sopla tramontana?": "hacer la ruta en bicicleta",
    },
    (TALLYBIRD, "/faq/"): {
        "Can I try Tallybird for free?": "you do not need a card",
        "Can I switch between monthly and annual billing?": "we credit what is left",
        "Which currencies do you support?": "the Swiss franc",
        "Do my clients need an account to pay?": "without signing up",
        "Can I import invoices from another tool?": "keeps your numbering going",
        "What happens to my data if I cancel?": "for 90 days",
    },
}

# (site, page, name, price): the name and its price as a reader sees them side by side.
PRICED = [
    (MIRABELLE, "/tarifs/", "Coupe femme", "38 €"),  # <div> rows
    (MIRABELLE, "/tarifs/", "Brushing cheveux longs", "32 €"),
    (MIRABELLE, "/tarifs/", "Coupe homme", "24 €"),  # a two-column table
    (MIRABELLE, "/tarifs/", "Coloration végétale", "55 €"),  # <dl>
    (MIRABELLE, "/tarifs/", "Coupe enfant", "16 €"),  # spans in a list
    (GLICINE, "/menu/antipasti/", "Tigelle con pesto modenese", "9 €"),
    (GLICINE, "/menu/primi/", "Tagliatelle al ragù", "14 €"),  # h3 cards, price after
    (GLICINE, "/menu/secondi/", "Filetto alla Rossini", "26 €"),
    (GLICINE, "/menu/dolci/", "Zuppa inglese", "7 €"),
    (GLICINE, "/menu/bevande/", "Birra Giovanni", "5 €"),
    (ZWALUW, "/tarieven/", "Kamer Linde", "€ 105"),
    (ZWALUW, "/tarieven/", "Schoonmaakkosten", "€ 35"),
]

# /precios/: plans are the columns of a table, prices two rows below the header.
COLUMN_PLANS = {
    "Kayak individual": ("25 €", "39 €"),
    "Kayak doble": ("42 €", "68 €"),
    "Bicicleta eléctrica": ("30 €", "48 €"),
}

# /pricing/: a monthly grid and an annual grid of the same three plans.
CARD_PRICES = {
    "Solo": {"month": "$12", "year": "$120"},
    "Studio": {"month": "$29", "year": "$290"},
    "Agency": {"month": "$79", "year": "$790"},
}

# Text that is navigation or a widget, never knowledge.
LEFTOVERS = {
    "tallybird": ("Read more", "Continue reading", "Recent Posts", "Archives", "Latest articles"),
    "glicine": ("Chiamaci", "Scrivici", "Trovaci"),
}
WIDGET_TITLES = {"Recent Posts", "Archives", "Categories", "Latest articles", "From the blog"}


def side_by_side(item: KnowledgeItem, name: str, price: str) -> bool:
    """The price is on the name's line, or the item is the name's own and has one price."""
    pattern = price_pattern(price)
    content = norm(item.content)
    if any(name in line and pattern.search(line) for line in content.splitlines()):
        return True
    return (
        name in item.title
        and bool(pattern.search(content))
        and len(set(PRICE.findall(content))) == 1
    )


class TestSegmentation:
    def test_each_sub_section_of_a_services_page_is_its_own_item(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = crawl(web, resolver, BRANDT_VOGEL)
        page = items_on(run, "/leistungen/")
        assert len(page) >= len(PRACTICE_AREAS), describe(page)
        for area, phrase in PRACTICE_AREAS.items():
            own = [item for item in page if area in item.title]
            assert len(own) == 1, (area, describe(page))
            [item] = own
            assert phrase in item.content, item
            others = [p for a, p in PRACTICE_AREAS.items() if a != area]
            assert not [p for p in others if p in item.content], item

    @pytest.mark.parametrize(("site", "path"), sorted(FAQS, key=str), ids=param_id)
    def test_an_faq_is_one_item_per_question_with_its_answer(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, path: str
    ) -> None:
        questions = FAQS[(site, path)]
        page = items_on(crawl(web, resolver, site), path)
        for question, answer in questions.items():
            matching = [item for item in page if question in norm(item.title)]
            assert len(matching) == 1, (question, describe(page))
            [item] = matching
            assert item.category is ItemCategory.FAQ, item
            assert answer in norm(item.content), item
            others = [a for q, a in questions.items() if q != question]
            assert not [a for a in others if a in norm(item.content)], item

    @pytest.mark.parametrize(("site", "path", "name", "price"), PRICED, ids=param_id)
    def test_a_dish_or_service_stays_next_to_its_price(
        self,
        web: WebServer,
        resolver: StaticResolver,
        site: FolderSite,
        path: str,
        name: str,
        price: str,
    ) -> None:
        page = items_on(crawl(web, resolver, site), path)
        assert any(side_by_side(item, name, price) for item in page), [
            item.content for item in page
        ]

    @pytest.mark.parametrize("plan", sorted(COLUMN_PLANS))
    def test_a_price_table_in_columns_keeps_each_plans_prices(
        self, web: WebServer, resolver: StaticResolver, plan: str
    ) -> None:
        page = items_on(crawl(web, resolver, CALA_VERDA), "/precios/")
        others = [p for name, prices in COLUMN_PLANS.items() if name != plan for p in prices]
        own = [
            item
            for item in page
            if plan in item.title
            and all(price_pattern(p).search(norm(item.content)) for p in COLUMN_PLANS[plan])
            and not any(price_pattern(p).search(norm(item.content)) for p in others)
        ]
        assert own, [(item.title, item.content) for item in page]
        assert all(item.category is ItemCategory.PRICING for item in own), describe(own)

    @pytest.mark.parametrize(
        ("plan", "period"), [(plan, period) for plan in CARD_PRICES for period in ("month", "year")]
    )
    def test_monthly_and_annual_prices_each_stay_with_their_plan(
        self, web: WebServer, resolver: StaticResolver, plan: str, period: str
    ) -> None:
        page = items_on(crawl(web, resolver, TALLYBIRD), "/pricing/")
        price = f"{CARD_PRICES[plan][period]} per {period}"
        own = [i for i in page if plan in i.title and price in norm(i.content)]
        assert own, [(item.title, item.content) for item in page]
        assert all(item.category is ItemCategory.PRICING for item in own), describe(own)

    def test_no_pricing_item_mixes_plans_or_periods(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        page = items_on(crawl(web, resolver, TALLYBIRD), "/pricing/")
        assert page
        for item in page:
            content = norm(item.content)
            plans = {
                plan
                for plan, prices in CARD_PRICES.items()
                if any(price_pattern(amount).search(content) for amount in prices.values())
            }
            assert len(plans) <= 1, (plans, item)
            for prices in CARD_PRICES.values():
                for period, amount in prices.items():
                    found = len(price_pattern(amount).findall(content))
                    kept = content.count(f"{amount} per {period}")
                    assert found == kept, (amount, period, item)

    @pytest.mark.parametrize("folder", sorted(LEFTOVERS))
    def test_link_lists_read_more_and_widgets_are_in_no_item(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        for item in run.result.knowledge_items:
            text = full_text(item)
            assert not [phrase for phrase in LEFTOVERS[folder] if phrase in text], item

    def test_a_blog_sidebar_leaves_nothing_in_the_posts_items(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        posts = ("/blog/", "/blog/vat-for-freelancers/", "/blog/interview-studio-north/")
        urls = (TALLYBIRD.home, *(TALLYBIRD.url(path) for path in posts))
        request = ExtractRequest(TALLYBIRD.home, max_pages=len(urls), urls=urls)
        run = fresh_crawl(web, resolver, TALLYBIRD, request)
        items = [i for i in run.result.knowledge_items if path_of(i.source) in posts]
        assert items
        for item in items:
            assert item.title not in WIDGET_TITLES, item
            text = full_text(item)
            leftovers = LEFTOVERS["tallybird"] + ("Share:",)
            assert not [phrase for phrase in leftovers if phrase in text], item
            # The Categories and Archives widgets' links, as lines of their own: a teaser's
            # date ("18 June 2024") or title ("Getting paid by card …") is fine.
            lines = {line.strip("- *") for line in text.split("\n")}
            assert not lines & {"Getting paid", "June 2024"}, item
            # a post's item does not carry the titles of the other posts (the widget's list);
            # the blog's index lists them as its teasers
            others = ("Invoice numbering rules", "Day rate or project price")
            if path_of(item.source) != "/blog/":
                assert not [title for title in others if title in text], item

    @pytest.mark.parametrize("folder", sorted(WORLD_SITES))
    def test_no_heading_titles_items_all_over_the_site(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        pages_by_title: dict[str, set[str]] = defaultdict(set)
        for item in run.result.knowledge_items:
            pages_by_title[item.title].add(path_of(item.source))
            assert item.title not in WIDGET_TITLES, item
        spread = {title: pages for title, pages in pages_by_title.items() if len(pages) > 2}
        assert not spread, spread

    @pytest.mark.parametrize("folder", sorted(WORLD_SITES))
    def test_no_lumps(self, web: WebServer, resolver: StaticResolver, folder: str) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        for item in run.result.knowledge_items:
            if item.category is not ItemCategory.POLICY:
                assert len(item.content) <= 2000, (len(item.content), item.title, item.source)

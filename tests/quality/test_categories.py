"""Issue 11, class 4: an item's category follows from what the page is for, the heading it sits
under and what the text says, in the site's own language.

Question-shaped headings in a legal notice or a blog interview are not FAQ; a beer named after
someone is not TEAM; a service that names a place is not LOCATION.
"""

from __future__ import annotations

import pytest

from sitelore.models import ExtractRequest, ItemCategory
from tests.quality.kit import (
    assert_category,
    categories,
    crawl,
    describe,
    fresh_crawl,
    holders,
    items_on,
    param_id,
    path_of,
)
from tests.sitekit import (
    BRANDT_VOGEL,
    CALA_VERDA,
    GLICINE,
    MIRABELLE,
    TALLYBIRD,
    ZWALUW,
    FolderSite,
)
from tests.webserver import StaticResolver, WebServer

MENU = "PRODUCT PRICING SERVICE"

# (site, page, facts that together identify the item, the categories it may have)
CASES = [
    (MIRABELLE, "/tarifs/", ["Coupe femme", "38 €"], "PRICING SERVICE"),
    (MIRABELLE, "/tarifs/", ["Coloration végétale", "55 €"], "PRICING SERVICE"),
    (MIRABELLE, "/prestations/", ["Coloration végétale", "indigo"], "SERVICE"),
    (MIRABELLE, "/prestations/", ["Chignons et coiffures de mariée", "à domicile"], "SERVICE"),
    (MIRABELLE, "/questions-frequentes/", ["Faut-il prendre rendez-vous", "créneaux"], "FAQ"),
    (MIRABELLE, "/mentions-legales/", ["Combien de temps conservons-nous", "trois ans"], "POLICY"),
    (MIRABELLE, "/mentions-legales/", ["Qui est responsable du traitement"], "POLICY"),
    (MIRABELLE, "/", ["Un diagnostic offert"], "SERVICE FEATURE ABOUT"),
    (BRANDT_VOGEL, "/leistungen/", ["Arbeitsrecht", "Kündigungen"], "SERVICE"),
    (BRANDT_VOGEL, "/leistungen/", ["Verkehrsrecht", "Bußgeldverfahren"], "SERVICE"),
    (BRANDT_VOGEL, "/leistungen/", ["Mietrecht und WEG-Recht", "Eigentümerversammlung"], "SERVICE"),
    (BRANDT_VOGEL, "/team/", ["Dr. Katharina Brandt", "Fachanwältin für Arbeitsrecht"], "TEAM"),
    (BRANDT_VOGEL, "/team/", ["Jana Petrović", "Sekretariat"], "TEAM"),
    (BRANDT_VOGEL, "/datenschutz/", ["Wie lange speichern wir", "sechs Jahre"], "POLICY"),
    (BRANDT_VOGEL, "/impressum/", ["Partnerschaftsregister"], "POLICY ABOUT"),
    (BRANDT_VOGEL, "/", ["Erstberatung", "190 Euro"], "PRICING SERVICE"),
    (CALA_VERDA, "/actividades/", ["Ruta guiada en kayak", "El Golfet"], "SERVICE PRODUCT PRICING"),
    (CALA_VERDA, "/actividades/", ["Bicicleta eléctrica por el", "Pals"], "SERVICE PRODUCT"),
    (CALA_VERDA, "/precios/", ["Kayak doble", "68 €"], "PRICING"),
    (CALA_VERDA, "/preguntas-frecuentes/", ["Pueden venir niños", "seis años"], "FAQ"),
    (CALA_VERDA, "/aviso-legal/", ["Cuánto tiempo guardamos tus datos"], "POLICY"),
    (GLICINE, "/menu/bevande/", ["Birra Giovanni"], MENU),
    (GLICINE, "/menu/bevande/", ["Birra Teresa"], MENU),
    (GLICINE, "/menu/secondi/", ["Filetto alla Rossini"], MENU),
    (GLICINE, "/menu/primi/", ["Tortelloni della Zia Carla"], MENU),
    (GLICINE, "/menu/vini/", ["Lambrusco di Sorbara"], MENU),
    (GLICINE, "/chi-siamo/", ["Marco Bellini", "cantina"], "TEAM"),
    (GLICINE, "/chi-siamo/", ["Anna Ricci", "Sfoglina"], "TEAM"),
    (GLICINE, "/chi-siamo/", ["nel 1998", "osteria di famiglia"], "ABOUT"),
    (TALLYBIRD, "/features/", ["Recurring invoices", "same day every month"], "FEATURE"),
    (TALLYBIRD, "/features/", ["Expense capture", "receipt"], "FEATURE"),
    (TALLYBIRD, "/integrations/", ["Xero", "accountant"], "INTEGRATION"),
    (TALLYBIRD, "/integrations/", ["Google Drive", "PDF"], "INTEGRATION"),
    (TALLYBIRD, "/security/", ["AES-256"], "SECURITY"),
    (TALLYBIRD, "/security/", ["Two-factor authentication"], "SECURITY"),
    (TALLYBIRD, "/legal/privacy/", ["How long do we keep it", "ninety days"], "POLICY"),
    (ZWALUW, "/tarieven/", ["Schoonmaakkosten", "€ 35"], "PRICING"),
    (ZWALUW, "/tarieven/", ["Kamer Linde", "€ 105"], "PRICING"),
    (ZWALUW, "/tarieven/", ["Annuleren", "kosteloos"], "POLICY PRICING"),
    (ZWALUW, "/huisregels/", ["Huisdieren zijn helaas niet toegestaan"], "POLICY"),
    (ZWALUW, "/huisregels/", ["Roken is alleen toegestaan op het terras"], "POLICY"),
    (ZWALUW, "/kamers/", ["Tuinhuisje", "kitchenette"], "PRODUCT SERVICE PRICING"),
]  # fmt: skip

# Pages with question-shaped headings or <dl> lists that are not FAQs.
NOT_FAQ = [
    (MIRABELLE, "/mentions-legales/"),  # "Qui est responsable du traitement ?"
    (MIRABELLE, "/tarifs/"),  # a price list as a <dl>
    (BRANDT_VOGEL, "/datenschutz/"),  # "Wie lange speichern wir Ihre Daten?"
    (BRANDT_VOGEL, "/impressum/"),  # a <dl> of legal facts
    (BRANDT_VOGEL, "/kontakt/"),  # a <dl> of contact details
    (CALA_VERDA, "/aviso-legal/"),  # "¿Quién es el titular de esta web?"
    (TALLYBIRD, "/legal/privacy/"),  # "What data do we collect?"
    (GLICINE, "/menu/dolci/"),  # a menu as a <dl>
]


class TestCategories:
    @pytest.mark.parametrize(("site", "path", "facts", "accepted"), CASES, ids=param_id)
    def test_item_category(
        self,
        web: WebServer,
        resolver: StaticResolver,
        site: FolderSite,
        path: str,
        facts: list[str],
        accepted: str,
    ) -> None:
        assert_category(crawl(web, resolver, site), path, facts, accepted)

    @pytest.mark.parametrize(("site", "path"), NOT_FAQ, ids=param_id)
    def test_question_headings_and_definition_lists_outside_an_faq_are_not_faq(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, path: str
    ) -> None:
        page = items_on(crawl(web, resolver, site), path)
        assert page, f"no item from {path}"
        faq = [item for item in page if item.category is ItemCategory.FAQ]
        assert not faq, describe(faq)

    def test_questions_in_a_blog_interview_are_not_faq(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        post = TALLYBIRD.url("/blog/interview-studio-north/")
        urls = (TALLYBIRD.home, post, TALLYBIRD.url("/features/"))
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, urls=urls))
        items = [item for item in run.result.knowledge_items if item.source == post]
        assert holders(items, ["What made you switch from spreadsheets"]), describe(items)
        faq = [item for item in items if item.category is ItemCategory.FAQ]
        assert not faq, describe(faq)

    def test_nothing_on_a_menu_page_is_team_or_location(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = crawl(web, resolver, GLICINE)
        menu = [i for i in run.result.knowledge_items if path_of(i.source).startswith("/menu/")]
        assert menu
        wrong = [i for i in menu if i.category in categories("TEAM LOCATION CONTACT")]
        assert not wrong, describe(wrong)

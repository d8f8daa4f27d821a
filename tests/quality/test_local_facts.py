"""Issue 11, class 7: phone numbers, opening hours and addresses of a local business, found in
its header, footer or contact page, become CONTACT / LOCATION items, in every language, once."""

from __future__ import annotations

import pytest

from tests.quality.kit import categories, crawl, describe, has_phone, holders, param_id
from tests.sitekit import BRANDT_VOGEL, CALA_VERDA, GLICINE, MIRABELLE, ZWALUW, FolderSite
from tests.webserver import StaticResolver, WebServer

PLACE = "CONTACT LOCATION"

# (site, facts that together are the opening hours as the site writes them, categories)
HOURS = [
    (MIRABELLE, ["mardi au samedi", "9h-18h"], PLACE),  # the footer only
    (BRANDT_VOGEL, ["Mo–Fr", "8–12 Uhr", "14–17 Uhr"], PLACE),  # /kontakt/ only
    (CALA_VERDA, ["lunes a domingo", "9:00 a 19:00"], PLACE),  # /donde-estamos/ only
    (GLICINE, ["Sabato", "19:00–23:00"], PLACE),  # a table on /contatti/
    (ZWALUW, ["Inchecken vanaf 15:00"], PLACE + " POLICY"),  # the footer only
]
PHONES = [
    (MIRABELLE, "04 78 29 51 63"),
    (BRANDT_VOGEL, "0761 4587 230"),
    (CALA_VERDA, "+34 972 61 48 20"),
    (GLICINE, "051 238 4471"),
    (ZWALUW, "0541 29 83 17"),
]
ADDRESSES = [
    (MIRABELLE, "14 rue des Capucins"),
    (BRANDT_VOGEL, "Kaiser-Joseph-Straße 212"),
    (CALA_VERDA, "Passeig del Far 12"),
    (GLICINE, "Vicolo dei Ciliegi 7"),
    (ZWALUW, "Zwaluwenweg 3"),
]
EMAILS = [
    (MIRABELLE, "bonjour@salon-mirabelle.test"),
    (BRANDT_VOGEL, "kanzlei@kanzlei-brandt-vogel.test"),
    (CALA_VERDA, "reservas@calaverda.test"),
    (GLICINE, "info@trattoriailglicine.test"),
    (ZWALUW, "info@bb-dezwaluw.test"),
]


class TestLocalBusinessFacts:
    @pytest.mark.parametrize(("site", "facts", "accepted"), HOURS, ids=param_id)
    def test_opening_hours_are_in_exactly_one_contact_or_location_item(
        self,
        web: WebServer,
        resolver: StaticResolver,
        site: FolderSite,
        facts: list[str],
        accepted: str,
    ) -> None:
        items = crawl(web, resolver, site).result.knowledge_items
        found = holders(items, facts)
        assert len(found) == 1, (facts, describe(found))
        assert found[0].category in categories(accepted), describe(found)

    @pytest.mark.parametrize(("site", "phone"), PHONES, ids=param_id)
    def test_phone_number_is_in_a_contact_item(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, phone: str
    ) -> None:
        items = crawl(web, resolver, site).result.knowledge_items
        found = [item for item in items if has_phone(item, phone)]
        assert [item for item in found if item.category.value == "CONTACT"], describe(found)

    @pytest.mark.parametrize(("site", "address"), ADDRESSES, ids=param_id)
    def test_address_is_in_a_contact_or_location_item(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, address: str
    ) -> None:
        items = crawl(web, resolver, site).result.knowledge_items
        found = holders(items, [address])
        assert [item for item in found if item.category in categories(PLACE)], describe(found)

    @pytest.mark.parametrize(("site", "email"), EMAILS, ids=param_id)
    def test_email_is_in_a_contact_item(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, email: str
    ) -> None:
        items = crawl(web, resolver, site).result.knowledge_items
        found = holders(items, [email])
        assert [item for item in found if item.category.value == "CONTACT"], describe(found)

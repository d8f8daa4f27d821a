"""Issue 11, class 6: the business profile of a site in any language and vertical.

The name without "®" or a tagline; the industry right for local businesses as much as for
SaaS; a description that says what the business does and where (not the owner's philosophy);
generated texts in the site's language or neutral, never English on a French site.
"""

from __future__ import annotations

import pytest

from sitelore.models import INDUSTRIES
from tests.quality.kit import crawl, norm
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

# (site, name, accepted industries, words of what it does (any), place it is in, not to say)
PROFILES = [
    (MIRABELLE, "Salon Mirabelle", {"Beauty & Personal Care"},
     ("coiff", "salon"), "Lyon", ("®",)),
    (BRANDT_VOGEL, "Kanzlei Brandt & Vogel", {"Legal Services"},
     ("recht", "anwalt", "anwält", "kanzlei"), "Freiburg", ()),
    (CALA_VERDA, "Cala Verda Outdoor", {"Sports & Fitness", "Travel & Hospitality"},
     ("kayak", "bici"), "Llafranc", ()),
    (GLICINE, "Trattoria Il Glicine", {"Restaurants & Food Service"},
     ("trattoria", "cucina", "ristorante"), "Bologna", ("Giulia", "fretta", "sfoglia tirata")),
    (TALLYBIRD, "Tallybird", {"Finance & Accounting"}, ("invoic",), None, ("®",)),
    (ZWALUW, "B&B De Zwaluw", {"Travel & Hospitality"},
     ("bed & breakfast", "b&b", "overnacht", "kamer"), "Ootmarsum", ()),
]  # fmt: skip

# What sitelore writes itself (sitelore/core/contact.py, profile.py), in English.
ENGLISH_TITLES = {"Contact details", "Location and opening hours", "Location"}
ENGLISH_PHRASES = ("How to reach", "Where to find", "Opening hours", "- Phone:", "- Address:")


def columns(*indexes: int) -> list[object]:
    """The given columns of PROFILES, each row's test named after its site."""
    return [pytest.param(*(row[i] for i in indexes), id=row[0].folder) for row in PROFILES]


NOT_ENGLISH = sorted(folder for folder, site in WORLD_SITES.items() if site.language != "en")


class TestProfile:
    @pytest.mark.parametrize(("site", "name"), columns(0, 1))
    def test_name(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, name: str
    ) -> None:
        business = crawl(web, resolver, site).result.business
        assert business.name == name
        assert business.domain == site.host

    @pytest.mark.parametrize(("site", "industries"), columns(0, 2))
    def test_industry(
        self, web: WebServer, resolver: StaticResolver, site: FolderSite, industries: set[str]
    ) -> None:
        assert industries <= set(INDUSTRIES)
        business = crawl(web, resolver, site).result.business
        assert business.category in industries

    @pytest.mark.parametrize(("site", "words", "place", "forbidden"), columns(0, 3, 4, 5))
    def test_description_says_what_and_where(
        self,
        web: WebServer,
        resolver: StaticResolver,
        site: FolderSite,
        words: tuple[str, ...],
        place: str | None,
        forbidden: tuple[str, ...],
    ) -> None:
        description = crawl(web, resolver, site).result.business.description
        assert 20 <= len(description) <= 300, description
        assert "\n" not in description and "; " not in description, description
        assert any(word in description.casefold() for word in words), description
        if place is not None:
            assert place in description, description
        assert not [text for text in forbidden if text in description], description

    @pytest.mark.parametrize("folder", NOT_ENGLISH)
    def test_generated_titles_are_not_english_on_a_site_in_another_language(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        english = [i.title for i in run.result.knowledge_items if i.title in ENGLISH_TITLES]
        assert not english, english

    @pytest.mark.parametrize("folder", NOT_ENGLISH)
    def test_generated_texts_are_not_english_on_a_site_in_another_language(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        for item in run.result.knowledge_items:
            text = norm(f"{item.description}\n{item.content}")
            assert not [phrase for phrase in ENGLISH_PHRASES if phrase in text], item

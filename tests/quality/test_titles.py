"""Issue 11, class 5: a title is the item's own heading or a real phrase from it; a description
is one sentence that says what the item is, not "Title: fragment; fragment; fragment"."""

from __future__ import annotations

import re

import pytest

from sitelore.models import ExtractRequest, KnowledgeItem
from tests.quality.kit import crawl, describe, fresh_crawl, items_on, path_of
from tests.sitekit import BRANDT_VOGEL, TALLYBIRD, WORLD_SITES
from tests.webserver import StaticResolver, WebServer

STEP = re.compile(r"^(step|schritt|étape|paso|passo|stap)\s*#?\s*\d+\W*$", re.IGNORECASE)
LETTER = re.compile(r"[^\W\d_]")


def title_problem(item: KnowledgeItem) -> str | None:
    """Why ``item.title`` is not a title, or None."""
    title = item.title.strip()
    if not LETTER.search(title):
        return "no words (a number, a price, '/')"
    if title.startswith("#"):
        return "Markdown left in"
    if STEP.match(title):
        return "a step number"
    if len(title) > 120:
        return "a paragraph, not a title"
    return None


def description_problem(item: KnowledgeItem) -> str | None:
    """Why ``item.description`` is not one sentence about the item, or None."""
    description = item.description.strip()
    if not description:
        return "empty"
    if "\n" in description or len(description) > 300:
        return "more than a sentence"
    if "; " in description:
        return "fragments joined by '; '"
    if description.startswith(f"{item.title}:") and len(description) > len(item.title) + 1:
        return "'Title: fragment'"
    return None


class TestTitlesAndDescriptions:
    @pytest.mark.parametrize("folder", sorted(WORLD_SITES))
    def test_every_title_is_a_title(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        bad = [(title_problem(i), i.title, path_of(i.source)) for i in run.result.knowledge_items]
        assert not [entry for entry in bad if entry[0]], [entry for entry in bad if entry[0]]

    @pytest.mark.parametrize("folder", sorted(WORLD_SITES))
    def test_every_description_is_one_sentence(
        self, web: WebServer, resolver: StaticResolver, folder: str
    ) -> None:
        run = crawl(web, resolver, WORLD_SITES[folder])
        bad = [
            (description_problem(item), item.title, item.description)
            for item in run.result.knowledge_items
            if description_problem(item)
        ]
        assert not bad, bad

    def test_steps_and_figures_take_their_title_from_their_own_text(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = crawl(web, resolver, TALLYBIRD)
        for path, text in (
            ("/features/", "Pick the work you did"),  # under "Step #2"
            ("/", "freelancers and studios send their invoices"),  # under "12,000+"
        ):
            found = [item for item in items_on(run, path) if text in item.content]
            assert found, (text, describe(items_on(run, path)))
            assert all(title_problem(item) is None for item in found), describe(found)

    def test_a_title_is_not_the_heading_of_another_section(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        # /leistungen/: under h2 "Leistungen" sit six h3 areas; the items are titled by the h3.
        run = crawl(web, resolver, BRANDT_VOGEL)
        page = items_on(run, "/leistungen/")
        kuendigung = [item for item in page if "Kündigungen, Abmahnungen" in item.content]
        assert kuendigung, describe(page)
        assert all("Arbeitsrecht" in item.title for item in kuendigung), describe(kuendigung)

    def test_blog_teasers_are_titled_by_their_post_not_its_date(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        urls = (TALLYBIRD.home, TALLYBIRD.url("/blog/"))
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, urls=urls))
        page = items_on(run, "/blog/")
        for text in ("four-person design studio in Leeds", "what the tax office expects"):
            found = [item for item in page if text in item.content]
            assert found, (text, describe(page))
            dated = [item for item in found if re.search(r"\b20\d\d$", item.title)]
            assert not dated, describe(dated)

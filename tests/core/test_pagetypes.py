"""Page types from the URL path, link labels and titles, and the low-value path test."""

from __future__ import annotations

import pytest

from sitelore.core.pagetypes import (
    CATEGORY,
    PRIORITY,
    classify_page,
    is_low_value_path,
    text_purpose,
)
from sitelore.models import ItemCategory


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        pytest.param("/", "home", id="root"),
        pytest.param("/pricing", "pricing", id="pricing"),
        pytest.param("/pricing/", "pricing", id="pricing-slash"),
        pytest.param("/pricing.html", "pricing", id="pricing-html"),
        pytest.param("/plans", "pricing", id="plans"),
        pytest.param("/de/preise", "pricing", id="german-pricing"),
        pytest.param("/tarifs", "pricing", id="french-pricing"),
        pytest.param("/features", "features", id="features"),
        pytest.param("/about-us", "about", id="about-us"),
        pytest.param("/ueber-uns", "about", id="german-about"),
        pytest.param("/company/team", "team", id="team-under-company"),
        pytest.param("/contact", "contact", id="contact"),
        pytest.param("/kontakt", "contact", id="german-contact"),
        pytest.param("/faq", "faq", id="faq"),
        pytest.param("/haeufige-fragen", "faq", id="german-faq"),
        pytest.param("/integrations/slack", "integrations", id="integration"),
        pytest.param("/security", "security", id="security"),
        pytest.param("/privacy-policy", "legal", id="privacy"),
        pytest.param("/terms-of-service", "legal", id="terms"),
        pytest.param("/impressum", "legal", id="impressum"),
        pytest.param("/careers", "careers", id="careers"),
        pytest.param("/docs/getting-started", "support", id="docs"),
        pytest.param("/customers/harbor-case-study", "customers", id="case-study"),
        pytest.param("/for-agencies", "use_cases", id="use-case"),
        pytest.param("/services/deep-cleaning", "services", id="services"),
        pytest.param("/speisekarte", "menu", id="german-menu"),
        pytest.param("/blog/hello-world", "news", id="blog-post"),
        pytest.param("/blog/pricing-tips", "news", id="blog-owns-pricing-slug"),
        pytest.param("/legal/contact-form-terms", "legal", id="legal-owns-contact-slug"),
        pytest.param("/tag/launches", "archive", id="tag"),
        pytest.param("/xyz-123", "other", id="unknown"),
    ],
)
def test_classify_page_from_path(path: str, purpose: str) -> None:
    assert classify_page(path) == purpose


@pytest.mark.parametrize(
    ("path", "language", "purpose"),
    [
        pytest.param("/productivite/", "fr", "other", id="a-french-word-read-in-french"),
        pytest.param("/impressum/", "en", "legal", id="a-home-country-slug-on-an-english-site"),
        pytest.param("/de/produkte/", "fr", "product", id="the-path-prefix-names-the-language"),
        pytest.param("/tarifs/", "fr", "pricing", id="the-sites-own-words"),
        pytest.param("/pricing/", "fr", "pricing", id="english-words-everywhere"),
        pytest.param("/tarifs/", None, "pricing", id="language-unknown"),
    ],
)
def test_a_path_is_read_in_the_sites_language(path: str, language: str, purpose: str) -> None:
    assert classify_page(path, language=language) == purpose


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        pytest.param("/notes/how-our-team-shares-notes-online/", "other", id="a-post-about-a-team"),
        pytest.param("/start/commencer-carriere-freelance/", "other", id="a-post-about-careers"),
        pytest.param("/pricing-for-small-teams/", "pricing", id="a-section-starts-with-its-kind"),
        pytest.param("/services/desks-to-rent-downtown/", "services", id="the-section-above"),
        pytest.param("/our-team/", "team", id="a-short-slug"),
    ],
)
def test_a_slug_of_many_words_is_an_article_title(path: str, purpose: str) -> None:
    assert classify_page(path, language="en") == purpose


@pytest.mark.parametrize(
    ("labels", "purpose"),
    [
        pytest.param(["Our pricing"], "pricing", id="label"),
        pytest.param(["Learn more", "Meet the team"], "team", id="cta-skipped"),
        pytest.param(["Read more"], "other", id="only-cta"),
        pytest.param(["Häufige Fragen"], "faq", id="german-label"),
        pytest.param([], "other", id="no-label"),
    ],
)
def test_classify_page_from_link_labels_when_path_says_nothing(
    labels: list[str], purpose: str
) -> None:
    assert classify_page("/p/8412", labels) == purpose


def test_path_beats_link_label() -> None:
    assert classify_page("/contact", ["See our prices"]) == "contact"


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        pytest.param("Pricing & Plans", "pricing", id="pricing"),
        pytest.param("FAQ", "faq", id="faq"),
        pytest.param("Contact us", "contact", id="contact"),
        pytest.param("Tags", None, id="archive-word-ignored"),
        pytest.param("Welcome home", None, id="nothing"),
    ],
)
def test_text_purpose(text: str, purpose: str | None) -> None:
    assert text_purpose(text) == purpose


@pytest.mark.parametrize(
    ("url", "low"),
    [
        pytest.param("https://acme.test/blog/2021/03/hello", True, id="dated-path"),
        pytest.param("https://acme.test/news/2020-01-05-launch", True, id="dated-slug"),
        pytest.param("https://acme.test/blog/page/3", True, id="page-segment"),
        pytest.param("https://acme.test/blog?page=2", True, id="page-param"),
        pytest.param("https://acme.test/blog?p=4", True, id="p-param"),
        pytest.param("https://acme.test/pricing", False, id="pricing"),
        pytest.param("https://acme.test/products/2000", False, id="year-like-number"),
    ],
)
def test_low_value_paths(url: str, low: bool) -> None:
    assert is_low_value_path(url) is low


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        pytest.param("pricing", "news", id="pricing-over-blog"),
        pytest.param("about", "news", id="about-over-blog"),
        pytest.param("contact", "archive", id="contact-over-tags"),
        pytest.param("features", "legal", id="features-over-legal"),
        pytest.param("faq", "careers", id="faq-over-careers"),
    ],
)
def test_priority_puts_business_knowledge_first(better: str, worse: str) -> None:
    assert PRIORITY[better] > PRIORITY[worse]


@pytest.mark.parametrize(
    ("purpose", "category"),
    [
        pytest.param("pricing", ItemCategory.PRICING, id="pricing"),
        pytest.param("legal", ItemCategory.POLICY, id="legal"),
        pytest.param("customers", ItemCategory.CUSTOMER, id="customers"),
        pytest.param("news", ItemCategory.NEWS, id="news"),
        pytest.param("support", ItemCategory.SUPPORT, id="support"),
        pytest.param("location", ItemCategory.LOCATION, id="location"),
    ],
)
def test_page_type_is_the_default_item_category(purpose: str, category: ItemCategory) -> None:
    assert CATEGORY[purpose] is category

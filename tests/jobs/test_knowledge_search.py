"""Search over the knowledge store: one meaning on SQLite and PostgreSQL (all words required,
"phrases", accents and case folded, no operators), and no input that makes it fail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from sitelore.core.query import EmptyQuery
from sitelore.errors import InvalidRequest
from sitelore.jobs.knowledge import KnowledgeStore, SearchResult
from sitelore.jobs.store import JobStore
from sitelore.models import ItemCategory
from tests.jobs.conftest import Backend
from tests.jobs.knowledgekit import FAQ, OWNER, PRICING, item, result, run_knowledge

ACME = result(
    item("Single sign-on", "Log in with your identity provider: SAML single sign-on for teams."),
    item("Sign up", "Sign up for a single account on our site."),
    item("Starter plan", "The starter-plan costs 9 euros a month.", ItemCategory.PRICING, PRICING),
    item("Opening hours", "Our Café in München is open every day.", ItemCategory.CONTACT),
    item("C++ SDK", "Our C++ SDK works on Linux.", ItemCategory.INTEGRATION),
    item("Refunds", "Refunds are paid within 30 days.", ItemCategory.FAQ, FAQ),
    item("Pricing", "See the plans below.", ItemCategory.PRICING, PRICING),
    item("Plans", "Every plan includes pricing support."),
)
BAKERY = result(
    item("Crème brûlée", "Our crème brûlée is made daily.", ItemCategory.PRODUCT),
    item("Opening hours", "The bakery opens at 7.", ItemCategory.CONTACT),
    domain="bakery.test",
    name="Bakery",
)


def run_search(backend: Backend, body_: Callable[[KnowledgeStore], Awaitable[None]]) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, ACME, scraped_pages=None, job_id="job_1")
        await knowledge.save_knowledge(OWNER, BAKERY, scraped_pages=None, job_id="job_2")
        await body_(knowledge)

    run_knowledge(backend, body)


def found(answer: SearchResult) -> list[str]:
    return sorted(hit.title for hit in answer.hits)


def test_every_word_is_required_and_a_quoted_phrase_is_a_phrase(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        assert found(await knowledge.search(OWNER, "single sign")) == ["Sign up", "Single sign-on"]
        assert found(await knowledge.search(OWNER, '"single sign"')) == ["Single sign-on"]
        assert found(await knowledge.search(OWNER, "single sign saml")) == ["Single sign-on"]
        assert found(await knowledge.search(OWNER, "single nowhere")) == []
        assert found(await knowledge.search(OWNER, "starter-plan")) == ["Starter plan"]
        assert found(await knowledge.search(OWNER, '"sign single"')) == []

    run_search(backend, body)


def test_accents_and_case_are_folded(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        for query in ("creme brulee", "CRÈME BRÛLÉE", '"Creme Brulee"'):
            assert found(await knowledge.search(OWNER, query)) == ["Crème brûlée"], query
        assert found(await knowledge.search(OWNER, "cafe munchen")) == ["Opening hours"]
        assert found(await knowledge.search(OWNER, "MÜNCHEN")) == ["Opening hours"]

    run_search(backend, body)


def test_hits_carry_their_fields_a_snippet_and_a_score_from_0_to_1(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        answer = await knowledge.search(OWNER, "pricing")
        assert answer.query == "pricing"
        assert answer.hits[0].title == "Pricing"  # in the title: above content-only matches
        assert answer.hits[0].score == 1.0
        assert all(0.0 <= hit.score <= 1.0 for hit in answer.hits)
        assert [hit.score for hit in answer.hits] == sorted(
            (hit.score for hit in answer.hits), reverse=True
        )
        refunds = (await knowledge.search(OWNER, "refunds paid")).hits[0]
        assert (refunds.category, refunds.source, refunds.domain) == (
            ItemCategory.FAQ,
            FAQ,
            "acme.test",
        )
        assert refunds.id.startswith("kn_")
        assert refunds.content == "Refunds are paid within 30 days."
        assert "**paid**" in refunds.snippet

    run_search(backend, body)


def test_category_and_domain_narrow_the_search(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        both = await knowledge.search(OWNER, "opening hours")
        assert sorted(hit.domain for hit in both.hits) == ["acme.test", "bakery.test"]
        bakery = await knowledge.search(OWNER, "opening hours", domain="bakery.test")
        assert [hit.domain for hit in bakery.hits] == ["bakery.test"]
        pricing = await knowledge.search(OWNER, "pricing", category=ItemCategory.PRICING)
        assert found(pricing) == ["Pricing"]
        assert (await knowledge.search(OWNER, "pricing", category=ItemCategory.TEAM)).total == 0

    run_search(backend, body)


def test_total_counts_every_match_beyond_the_limit(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        answer = await knowledge.search(OWNER, "our", limit=1)
        assert len(answer.hits) == 1
        assert answer.total == 4
        with pytest.raises(InvalidRequest, match="limit"):
            await knowledge.search(OWNER, "our", limit=0)

    run_search(backend, body)


# Each gives results (maybe none) or the "no words" error: never another exception.
HOSTILE = [
    "C++",
    "c#",
    "starter-plan",
    "-x",
    "-refunds",
    "refunds -paid",
    "a OR b",
    "refunds AND paid",
    "NOT refunds",
    "NEAR(a b)",
    "NEAR(single sign, 2)",
    "a:b",
    "title:refunds",
    "^refunds",
    "refund*",
    "*",
    '"',
    '""',
    '"unclosed phrase',
    'a "b" "c d',
    "(",
    "(refunds",
    ")",
    "{a b}",
    "[a]",
    "a + b",
    "'; DROP TABLE knowledge_items; --",
    "1' OR '1'='1",
    "%",
    "_",
    "\\",
    "a & b | !c <-> d",
    "refunds:*",
    "東京タワー",
    "Öffnungszeiten",
    "مرحبا بالعالم",
    "🚀🎉",
    "launch 🚀",
    "\x00refunds",
    "\u200b\u200b",
    "",
    "   ",
    "?!.,;",
    "x" * 10_000,
    "refunds " * 1_300,
    " ".join(f"w{n}" for n in range(1_500)),
    "a" * 3_000 + " refunds",
]


def test_no_query_makes_search_fail(backend: Backend) -> None:
    assert len(HOSTILE) >= 30

    async def body(knowledge: KnowledgeStore) -> None:
        for query in HOSTILE:
            try:
                answer = await knowledge.search(OWNER, query)
            except EmptyQuery:
                continue
            assert answer.total >= len(answer.hits), query[:40]
            assert all(0.0 <= hit.score <= 1.0 for hit in answer.hits), query[:40]

    run_search(backend, body)


def test_operators_are_words_on_every_backend(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore) -> None:
        assert found(await knowledge.search(OWNER, "C++ SDK")) == ["C++ SDK"]
        assert found(await knowledge.search(OWNER, "refunds -paid")) == ["Refunds"]
        assert found(await knowledge.search(OWNER, "refunds OR pricing")) == []
        assert found(await knowledge.search(OWNER, "refunds " * 1_300)) == ["Refunds"]
        with pytest.raises(EmptyQuery, match="no words"):
            await knowledge.search(OWNER, "   ")

    run_search(backend, body)

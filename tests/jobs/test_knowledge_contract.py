"""The knowledge store's contract (:class:`~sitelore.jobs.knowledge.KnowledgeStore`): saving,
replacing, reading, deleting, owners, and retention, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.store import JobStore
from sitelore.models import ItemCategory
from tests.jobs.conftest import WORKER, Backend, running
from tests.jobs.knowledgekit import (
    FAQ,
    HOME,
    OTHER_OWNER,
    OWNER,
    PRICING,
    item,
    result,
    run_knowledge,
)

FIRST = result(
    item("Single sign-on", "Log in with your company's SAML identity provider."),
    item("Starter plan", "The starter plan costs 9 euros a month.", ItemCategory.PRICING, PRICING),
    item("Refunds", "Refunds within 30 days.", ItemCategory.FAQ, FAQ),
)


def titles(knowledge: object) -> list[str]:
    return [entry.title for entry in getattr(knowledge, "items", ())]


def test_saved_knowledge_reads_back_with_its_profile_and_stable_ids(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_1")
        stored = await knowledge.get_knowledge(OWNER, "acme.test")
        assert stored is not None
        assert stored.profile == FIRST.business
        assert (stored.domain, stored.job_id) == ("acme.test", "job_1")
        assert titles(stored) == ["Single sign-on", "Starter plan", "Refunds"]
        assert [i.category for i in stored.items] == [i.category for i in FIRST.knowledge_items]
        assert all(i.id.startswith("kn_") and i.job_id == "job_1" for i in stored.items)
        assert len({i.id for i in stored.items}) == 3
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_2")
        again = await knowledge.get_knowledge(OWNER, "acme.test")
        assert again is not None
        assert [i.id for i in again.items] == [i.id for i in stored.items]  # stable
        assert {i.job_id for i in again.items} == {"job_2"}

    run_knowledge(backend, body)


def test_knowledge_is_keyed_by_the_registrable_domain(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        shop = result(item("Shop", "We sell tea."), domain="www.shop.acme.co.uk")
        await knowledge.save_knowledge(OWNER, shop, scraped_pages=None, job_id="job_1")
        assert await knowledge.get_knowledge(OWNER, "acme.co.uk") is not None
        assert await knowledge.get_knowledge(OWNER, "www.shop.acme.co.uk") is None

    run_knowledge(backend, body)


def test_a_full_crawl_replaces_the_items_and_keeps_the_previous_set(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_1")
        assert await knowledge.previous_items(OWNER, "acme.test") is None
        second = result(item("Teams", "Shared workspaces."), name="Acme Inc")
        await knowledge.save_knowledge(OWNER, second, scraped_pages=None, job_id="job_2")
        stored = await knowledge.get_knowledge(OWNER, "acme.test")
        assert stored is not None
        assert titles(stored) == ["Teams"]
        assert stored.profile.name == "Acme Inc"
        previous = await knowledge.previous_items(OWNER, "acme.test")
        assert previous is not None
        assert previous.job_id == "job_1"
        assert titles(previous) == ["Single sign-on", "Starter plan", "Refunds"]
        third = result(item("Audit log", "Every change is logged."))
        await knowledge.save_knowledge(OWNER, third, scraped_pages=None, job_id="job_3")
        previous = await knowledge.previous_items(OWNER, "acme.test")
        assert previous is not None  # one generation: the one before the last save
        assert (previous.job_id, titles(previous)) == ("job_2", ["Teams"])

    run_knowledge(backend, body)


def test_a_partial_job_replaces_only_the_items_of_its_pages(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_1")
        pricing = result(
            item("Pro plan", "The pro plan costs 29 euros.", ItemCategory.PRICING, PRICING),
            name="Pricing | Acme",
        )
        await knowledge.save_knowledge(OWNER, pricing, scraped_pages=[PRICING], job_id="job_2")
        stored = await knowledge.get_knowledge(OWNER, "acme.test")
        assert stored is not None
        assert titles(stored) == ["Single sign-on", "Refunds", "Pro plan"]
        assert stored.profile == FIRST.business  # a page or two do not make a better profile
        assert stored.job_id == "job_2"
        previous = await knowledge.previous_items(OWNER, "acme.test")
        assert previous is not None
        assert titles(previous) == ["Single sign-on", "Starter plan", "Refunds"]
        # A page that yields nothing now loses its items.
        await knowledge.save_knowledge(OWNER, result(), scraped_pages=[FAQ], job_id="job_3")
        stored = await knowledge.get_knowledge(OWNER, "acme.test")
        assert titles(stored) == ["Single sign-on", "Pro plan"]

    run_knowledge(backend, body)


def test_a_partial_job_on_a_new_domain_stores_its_profile(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        page = result(item("Hours", "Open 9 to 5."), domain="bakery.test", name="Bakery")
        await knowledge.save_knowledge(OWNER, page, scraped_pages=[HOME], job_id="job_1")
        stored = await knowledge.get_knowledge(OWNER, "bakery.test")
        assert stored is not None
        assert stored.profile.name == "Bakery"

    run_knowledge(backend, body)


def test_domains_are_listed_in_pages(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        for name in ("delta", "alpha", "charlie", "bravo", "echo"):
            saved = result(item("Hello", f"{name} says hello."), domain=f"{name}.test", name=name)
            await knowledge.save_knowledge(OWNER, saved, scraped_pages=None, job_id="job_1")
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            page, cursor = await knowledge.list_domains(OWNER, 2, cursor)
            seen += [summary.domain for summary in page]
            pages += 1
            if cursor is None:
                break
        assert seen == ["alpha.test", "bravo.test", "charlie.test", "delta.test", "echo.test"]
        assert pages == 3
        first, _more = await knowledge.list_domains(OWNER, 1, None)
        assert (first[0].name, first[0].item_count, first[0].job_id) == ("alpha", 1, "job_1")
        with pytest.raises(ValueError, match="cursor"):
            await knowledge.list_domains(OWNER, 2, "not a cursor!")

    run_knowledge(backend, body)


def test_deleted_knowledge_is_gone(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_1")
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_2")
        assert await knowledge.delete_knowledge(OWNER, "acme.test") is True
        assert await knowledge.get_knowledge(OWNER, "acme.test") is None
        assert await knowledge.previous_items(OWNER, "acme.test") is None
        assert (await knowledge.list_domains(OWNER, 10, None)) == ([], None)
        assert (await knowledge.search(OWNER, "refunds")).total == 0
        assert await knowledge.delete_knowledge(OWNER, "acme.test") is False

    run_knowledge(backend, body)


def test_an_owner_sees_only_its_own_knowledge(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, _: JobStore) -> None:
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id="job_1")
        other = result(item("Other", "Another owner's refunds policy."))
        await knowledge.save_knowledge(OTHER_OWNER, other, scraped_pages=None, job_id="job_2")
        assert titles(await knowledge.get_knowledge(OTHER_OWNER, "acme.test")) == ["Other"]
        hits = (await knowledge.search(OTHER_OWNER, "refunds")).hits
        assert [hit.title for hit in hits] == ["Other"]
        assert await knowledge.delete_knowledge(OTHER_OWNER, "acme.test") is True
        assert await knowledge.get_knowledge(OTHER_OWNER, "acme.test") is None
        assert len(titles(await knowledge.get_knowledge(OWNER, "acme.test"))) == 3
        assert (await knowledge.list_domains(OTHER_OWNER, 10, None)) == ([], None)
        assert (await knowledge.search(OTHER_OWNER, "refunds")).hits == ()

    run_knowledge(backend, body)


def test_knowledge_outlives_job_retention(backend: Backend) -> None:
    async def body(knowledge: KnowledgeStore, store: JobStore) -> None:
        job = await running(store)
        done = await store.finish_job(job.id, WORKER, result={})
        assert done is not None and done.finished_at is not None
        await knowledge.save_knowledge(OWNER, FIRST, scraped_pages=None, job_id=job.id)
        assert await store.purge_finished(older_than=done.finished_at + 1) == 1
        stored = await knowledge.get_knowledge(OWNER, "acme.test")
        assert stored is not None and stored.job_id == job.id
        assert (await knowledge.search(OWNER, "refunds")).total == 1

    run_knowledge(backend, body)

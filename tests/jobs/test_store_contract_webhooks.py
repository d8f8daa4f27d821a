"""The storage contract of account webhooks, the same on every backend (``backend``)."""

from __future__ import annotations

import pytest

from sitelore.jobs.hookstore import WEBHOOK_EVENTS
from sitelore.jobs.store import JobStore
from tests.jobs.conftest import KEY, Backend

OTHER = "other-key"
URL = "https://hooks.example/in"


def test_create_list_and_delete_a_webhook(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        hook = await store.create_webhook(KEY, URL, ("EXTRACTION_COMPLETED",), "ops")
        assert hook.id.startswith("weh_") and hook.token.startswith("whsec_")
        assert (hook.url, hook.events, hook.display_name, hook.status) == (
            URL,
            ("EXTRACTION_COMPLETED",),
            "ops",
            "active",
        )
        second = await store.create_webhook(KEY, URL, WEBHOOK_EVENTS, None)
        assert await store.list_webhooks(KEY) == [hook, second]
        assert await store.delete_webhook(hook.id, KEY) is True
        assert await store.delete_webhook(hook.id, KEY) is False
        assert await store.list_webhooks(KEY) == [second]

    backend.run(body)


def test_a_key_sees_and_deletes_only_its_own_webhooks(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        mine = await store.create_webhook(KEY, URL, ("PAGE_SCRAPED",), None)
        assert await store.list_webhooks(OTHER) == []
        assert await store.delete_webhook(mine.id, OTHER) is False
        assert await store.list_webhooks(KEY) == [mine]

    backend.run(body)


@pytest.mark.parametrize("events", [(), ("EXTRACTION_DONE",), ("PAGE_SCRAPED", "page_scraped")])
def test_a_webhook_needs_known_events(backend: Backend, events: tuple[str, ...]) -> None:
    async def body(store: JobStore) -> None:
        with pytest.raises(ValueError, match="EXTRACTION_STARTED"):
            await store.create_webhook(KEY, URL, events, None)
        assert await store.list_webhooks(KEY) == []

    backend.run(body)

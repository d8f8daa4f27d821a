"""The Python clients against a real server: results, waiting, streams, typed errors."""

from __future__ import annotations

import asyncio

import pytest

from sitelore.client import AsyncClient, Client, _Poller
from sitelore.errors import (
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerUnreachable,
)
from tests.api.conftest import StartApi
from tests.apikit import Api
from tests.webserver import closed_port


def test_extract_async_then_wait_returns_the_finished_job(api: Api, acme: str) -> None:
    with Client(api.url, api.key.key) as client:
        job_id = client.extract_async(acme, maxPages=2)
        job = client.wait(job_id, poll_interval=0.05, timeout=30)
    assert job["status"] == "completed"
    assert job["result"]["business"]["domain"] == "acme.test"
    assert job["result"]["pagesScraped"] == 2


def test_sync_extract_returns_the_result(api: Api, acme: str) -> None:
    with Client(api.url, api.key.key) as client:
        result = client.extract(acme, singlePage=True)
    assert result["pagesScraped"] == 1


def test_stream_yields_typed_events_in_order(api: Api, acme: str) -> None:
    with Client(api.url, api.key.key) as client:
        events = list(client.stream(acme, maxPages=2))
    names = [event.event for event in events]
    assert names[0] == "connected" and names[1] == "pages_planned"
    assert names[-1] == "complete"
    assert "business_classified" in names
    assert [event.id for event in events] == sorted(event.id for event in events if event.id)
    assert events[-1].data["result"]["pagesScraped"] == 2


@pytest.mark.parametrize(
    ("make_call", "error"),
    [
        (lambda client: client.get_job("job_doesnotexist1"), NotFoundError),
        (lambda client: client.extract("ftp://acme.test/"), APIError),
    ],
    ids=["unknown-job", "bad-request"],
)
def test_errors_are_typed(api: Api, make_call: object, error: type[Exception]) -> None:
    with Client(api.url, api.key.key) as client, pytest.raises(error) as raised:
        make_call(client)  # type: ignore[operator]
    assert isinstance(raised.value, APIError)


def test_a_wrong_key_is_an_authentication_error(api: Api) -> None:
    with Client(api.url, "sl_nope_nope") as client, pytest.raises(AuthenticationError):
        client.list_jobs()


def test_rate_limit_error_carries_retry_after(start_api: StartApi) -> None:
    api = start_api(rate_limit_per_minute=2)
    with Client(api.url, api.key.key) as client:
        client.list_jobs()
        client.list_jobs()
        with pytest.raises(RateLimitError) as raised:
            client.list_jobs()
    assert raised.value.retry_after >= 1


def test_cancel_and_list_through_the_client(start_api: StartApi, acme: str) -> None:
    api = start_api(workers=0)  # nothing runs: the job stays pending until cancelled
    with Client(api.url, api.key.key) as client:
        job_id = client.extract_async(acme)
        cancelled = client.cancel(job_id)
        page = client.list_jobs(status="failed")
    assert cancelled["status"] == "failed" and cancelled["error"] == "Job cancelled"
    assert [job["id"] for job in page["jobs"]] == [job_id]


def test_async_client_waits_for_a_job(api: Api, acme: str) -> None:
    async def run() -> dict[str, object]:
        async with AsyncClient(api.url, api.key.key) as client:
            job_id = await client.extract_async(acme, singlePage=True)
            return await client.wait(job_id, poll_interval=0.05, timeout=30)

    job = asyncio.run(run())
    assert job["status"] == "completed"


def test_both_clients_classify(api: Api, acme: str) -> None:
    async def run() -> dict[str, object]:
        async with AsyncClient(api.url, api.key.key) as client:
            return await client.classify(acme)

    with Client(api.url, api.key.key) as client:
        answer = client.classify(acme)
    assert answer["businessName"] == "Acme" and answer["domain"] == "acme.test"
    assert asyncio.run(run()) == answer


def test_wait_gives_up_at_its_timeout(start_api: StartApi, acme: str) -> None:
    api = start_api(workers=0)
    with Client(api.url, api.key.key) as client:
        job_id = client.extract_async(acme)
        with pytest.raises(TimeoutError):
            client.wait(job_id, poll_interval=0.05, timeout=0.3)


def test_request_fields_may_be_given_in_snake_case(api: Api, acme: str) -> None:
    with Client(api.url, api.key.key) as client:
        job = client.wait(client.extract_async(acme, max_pages=2), poll_interval=0.05, timeout=30)
        result = client.extract(acme, single_page=True)
    assert job["result"]["pagesScraped"] == 2
    assert result["pagesScraped"] == 1


def test_a_server_that_is_not_there_is_a_sitelore_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with Client(url, "sl_key") as client, pytest.raises(ServerUnreachable, match=url):
        client.get_job("j_1")

    async def run() -> None:
        async with AsyncClient(url, "sl_key") as client:
            await client.get_job("j_1")

    with pytest.raises(ServerUnreachable, match="cannot reach the sitelore server"):
        asyncio.run(run())


def test_wait_looks_again_soon_then_backs_off() -> None:
    poller = _Poller("j_1", interval=5.0, timeout=None)
    pauses = [poller.pause() for _ in range(10)]
    assert pauses[:7] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4]
    assert pauses[7] == pytest.approx(9.6) and max(pauses) <= 60
    assert poller.pause(retry_after=2.0) == 2.0  # what a 429 asks for


def test_an_idempotency_key_through_the_client(start_api: StartApi, acme: str) -> None:
    api = start_api(workers=0)
    with Client(api.url, api.key.key) as client:
        first = client.extract_async(acme, max_pages=2, idempotency_key="order-7")
        assert client.extract_async(acme, maxPages=2, idempotency_key="order-7") == first
        with pytest.raises(APIError) as raised:
            client.extract_async(acme, max_pages=3, idempotency_key="order-7")
        assert [job["id"] for job in client.list_jobs()["jobs"]] == [first]
    assert raised.value.status == 422
    assert "Idempotency-Key 'order-7' was used for another request" in raised.value.message

    async def run() -> str:
        async with AsyncClient(api.url, api.key.key) as client:
            return await client.extract_async(acme, max_pages=2, idempotency_key="order-7")

    assert asyncio.run(run()) == first

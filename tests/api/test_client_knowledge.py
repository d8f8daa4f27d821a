"""Knowledge through the Python clients and ``sitelore search --server``, against a real
server: search, the paged list of domains, one domain, forget; errors are the clients'."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from sitelore.cli import main
from sitelore.client import AsyncClient, Client
from sitelore.errors import APIError, AuthenticationError, NotFoundError
from tests.apikit import PROXY_VARIABLES, Api
from tests.sitekit import ACME, ACME_HOME, BISTRO, BISTRO_HOME, serve_acme, serve_bistro
from tests.webserver import WebServer


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:  # the clients reach the server on loopback, never a proxy
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def extracted(api: Api, web: WebServer) -> Api:
    """The server, once acme and the bistro have been extracted with its main key."""
    serve_acme(web)
    serve_bistro(web)
    with Client(api.url, api.key.key) as client:
        for home in (ACME_HOME, BISTRO_HOME):
            job = client.wait(client.extract_async(home, max_pages=4), 0.05, timeout=60)
            assert job["status"] == "completed", job
    return api


def test_search_knowledge_and_forget_round_trip(extracted: Api) -> None:
    with Client(extracted.url, extracted.key.key) as client:
        found = client.search("technicians", domain=ACME, limit=2)
        site = client.knowledge(ACME)
        forgotten = client.forget(ACME)
        with pytest.raises(NotFoundError, match=f"no knowledge of {ACME}"):
            client.knowledge(ACME)
        with pytest.raises(NotFoundError):
            client.forget(ACME)
        left = client.knowledge()
        after = client.search("technicians")
    assert found["query"] == "technicians" and found["total"] >= 1
    assert 1 <= len(found["hits"]) <= 2 and {hit["domain"] for hit in found["hits"]} == {ACME}
    assert site["domain"] == ACME and site["business"]["name"] == "Acme"
    assert site["knowledgeItems"] and all(item["id"] for item in site["knowledgeItems"])
    assert {hit["id"] for hit in found["hits"]} <= {item["id"] for item in site["knowledgeItems"]}
    assert forgotten == {"domain": ACME, "deleted": True}
    assert [entry["domain"] for entry in left["domains"]] == [BISTRO]
    assert after["total"] == 0


def test_the_domains_come_a_page_at_a_time(extracted: Api) -> None:
    with Client(extracted.url, extracted.key.key) as client:
        first = client.knowledge(limit=1)
        second = client.knowledge(limit=1, cursor=first["nextCursor"])
        whole = client.knowledge()
    assert [entry["domain"] for entry in first["domains"] + second["domains"]] == [ACME, BISTRO]
    assert second["nextCursor"] is None
    assert [entry["domain"] for entry in whole["domains"]] == [ACME, BISTRO]
    assert all(entry["itemCount"] > 0 and entry["jobId"] for entry in whole["domains"])


def test_a_category_narrows_the_search(extracted: Api) -> None:
    with Client(extracted.url, extracted.key.key) as client:
        pricing = client.search("month", category="PRICING", limit=100)
    assert pricing["hits"] and {hit["category"] for hit in pricing["hits"]} == {"PRICING"}


Call = Callable[[Client], Any]


@pytest.mark.parametrize(
    ("call", "error", "said"),
    [
        (lambda client: client.search('"'), APIError, "query"),
        (lambda client: client.search("x", category="NOPE"), APIError, "category"),
        (lambda client: client.search("x", limit=0), APIError, "limit"),
        (lambda client: client.knowledge(cursor="not-a-cursor!"), APIError, "cursor"),
        (lambda client: client.knowledge("nowhere.test"), NotFoundError, "nowhere.test"),
        (lambda client: client.forget("nowhere.test"), NotFoundError, "nowhere.test"),
        (lambda client: client.knowledge("a/b"), NotFoundError, ""),
    ],
    ids=["no-words", "category", "limit", "cursor", "unknown", "forget-unknown", "slash"],
)
def test_errors_are_the_clients_errors(
    api: Api, call: Call, error: type[APIError], said: str
) -> None:
    with Client(api.url, api.key.key) as client, pytest.raises(error) as raised:
        call(client)
    assert said in raised.value.message
    assert raised.value.status == (400 if error is APIError else 404)


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.knowledge("acme.test", limit=5),
        lambda client: client.knowledge("acme.test", cursor="x"),
        lambda client: client.forget(".."),
        lambda client: client.knowledge(""),
    ],
    ids=["limit-with-domain", "cursor-with-domain", "dot-dot", "empty"],
)
def test_calls_that_cannot_mean_anything_fail_before_sending(api: Api, call: Call) -> None:
    with Client(api.url, api.key.key) as client, pytest.raises(ValueError):
        call(client)


def test_another_key_sees_none_of_it_and_a_wrong_key_is_refused(extracted: Api) -> None:
    with Client(extracted.url, extracted.other.key) as other:
        assert other.search("technicians")["total"] == 0
        assert other.knowledge() == {"domains": [], "nextCursor": None}
        with pytest.raises(NotFoundError):
            other.forget(ACME)
    with Client(extracted.url, "sl_nope_nope") as stranger, pytest.raises(AuthenticationError):
        stranger.search("technicians")
    with Client(extracted.url, extracted.key.key) as owner:
        assert owner.knowledge(ACME)["domain"] == ACME  # the other key's forget did nothing


def test_the_async_client_does_the_same(extracted: Api) -> None:
    async def run() -> tuple[dict[str, Any], ...]:
        async with AsyncClient(extracted.url, extracted.key.key) as client:
            found = await client.search("technicians", domain=ACME, limit=3)
            listed = await client.knowledge(limit=1)
            site = await client.knowledge(BISTRO)
            forgotten = await client.forget(BISTRO)
            try:
                await client.knowledge(BISTRO)
            except NotFoundError as error:
                missing = {"message": error.message}
            return found, listed, site, forgotten, missing

    found, listed, site, forgotten, missing = asyncio.run(run())
    assert found["total"] >= 1 and {hit["domain"] for hit in found["hits"]} == {ACME}
    assert [entry["domain"] for entry in listed["domains"]] == [ACME] and listed["nextCursor"]
    assert site["domain"] == BISTRO and site["knowledgeItems"]
    assert forgotten == {"domain": BISTRO, "deleted": True}
    assert f"no knowledge of {BISTRO}" in missing["message"]


# -- sitelore search --server ----------------------------------------------------------------


def test_cli_search_on_a_server_prints_what_the_server_answers(
    extracted: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["search", "technicians", "--domain", ACME, "--category", "feature", "--limit", "3"]
    assert main([*args, "--server", extracted.url, "--api-key", extracted.key.key]) == 0
    printed = json.loads(capsys.readouterr().out)
    with Client(extracted.url, extracted.key.key) as client:
        answer = client.search("technicians", domain=ACME, category="FEATURE", limit=3)
    assert printed == answer
    assert set(printed) == {"hits", "total", "query"} and printed["hits"]


def test_cli_search_takes_the_key_from_the_environment(
    extracted: Api, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITELORE_API_KEY", extracted.other.key)
    assert main(["search", "technicians", "--server", extracted.url]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0  # the other key has nothing


@pytest.mark.parametrize(
    ("extra", "status", "said"),
    [
        ([], 2, "--server needs --api-key or SITELORE_API_KEY"),
        (["--api-key", "sl_nope_nope"], 1, "not a valid API key"),
        (["--api-key", "KEY", "--limit", "0"], 2, "limit"),
        (["--api-key", "KEY", "--data-dir", "/tmp"], 2, "--data-dir is the local store's"),
    ],
    ids=["no-key", "wrong-key", "bad-limit", "data-dir"],
)
def test_cli_search_server_errors_are_one_line(
    api: Api,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    status: int,
    said: str,
) -> None:
    monkeypatch.delenv("SITELORE_API_KEY", raising=False)
    args = [part.replace("KEY", api.key.key) for part in extra]
    assert main(["search", "pricing", "--server", api.url, *args]) == status
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and said in error, error

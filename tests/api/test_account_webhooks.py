"""``/v1/webhooks``: a key's account webhooks, in the shapes the hosted anchor's SDK uses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import StartApi
from tests.apikit import Api, error_body

HOOK = "https://hooks.example/in"


@pytest.fixture
def quiet(start_api: StartApi) -> Api:
    return start_api(workers=0)


def test_create_list_delete(quiet: Api) -> None:
    client = quiet.client()
    body = {"url": HOOK, "events": ["EXTRACTION_COMPLETED"], "displayName": "ops"}
    created = client.post("/v1/webhooks", json=body)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert set(hook) == {"id", "url", "events", "status", "token", "displayName", "createdAt"}
    assert hook["id"].startswith("weh_") and hook["token"].startswith("whsec_")
    assert (hook["url"], hook["events"], hook["status"]) == (
        HOOK,
        ["EXTRACTION_COMPLETED"],
        "active",
    )
    assert hook["displayName"] == "ops" and hook["createdAt"].endswith("Z")

    listed = client.get("/v1/webhooks").json()["webhooks"]
    assert listed == [{**hook, "token": None}]  # the token is shown once

    assert client.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert client.get("/v1/webhooks").json() == {"webhooks": []}
    assert hook["id"] in error_body(client.delete(f"/v1/webhooks/{hook['id']}"), 404)


def test_another_keys_webhook_is_not_found(quiet: Api) -> None:
    created = quiet.client().post("/v1/webhooks", json={"url": HOOK, "events": ["PAGE_SCRAPED"]})
    hook_id = created.json()["id"]
    other = quiet.client(quiet.other.key)
    assert other.get("/v1/webhooks").json() == {"webhooks": []}
    error_body(other.delete(f"/v1/webhooks/{hook_id}"), 404)
    assert [h["id"] for h in quiet.client().get("/v1/webhooks").json()["webhooks"]] == [hook_id]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": HOOK, "events": []}, "events must list some of EXTRACTION_STARTED"),
        ({"url": HOOK, "events": ["DONE"]}, "unknown: DONE"),
        ({"url": "ftp://x.example/", "events": ["PAGE_SCRAPED"]}, "url must start with http"),
        ({"url": "", "events": ["PAGE_SCRAPED"]}, "url is required"),
        ({"events": ["PAGE_SCRAPED"]}, "url"),
        ({"url": HOOK}, "events"),
        ({"url": HOOK, "events": "PAGE_SCRAPED"}, "events"),
    ],
    ids=["no-events", "unknown-event", "scheme", "empty-url", "no-url", "no-events-field", "str"],
)
def test_a_bad_webhook_is_a_400(quiet: Api, body: dict[str, Any], message: str) -> None:
    client = quiet.client()
    assert message in error_body(client.post("/v1/webhooks", json=body), 400)
    assert client.get("/v1/webhooks").json() == {"webhooks": []}


def test_a_url_the_guard_refuses_is_a_400(start_api: StartApi) -> None:
    guarded = start_api(workers=0, allow_private_networks="")
    body = {"url": "http://10.0.0.5:8000/in", "events": ["PAGE_SCRAPED"]}
    message = error_body(guarded.client().post("/v1/webhooks", json=body), 400)
    assert "url is not allowed" in message and "private" in message

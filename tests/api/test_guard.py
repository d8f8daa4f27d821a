"""The network guard of the server: 400 at submission, Blocked jobs, guarded webhooks, settings.

The other API tests open the guard (``quick_settings``: every network, every port) because
their fixture sites live on 127.0.0.1; these tests put the DEFAULT settings back and show that
the same local sites are refused. Every name still resolves to 127.0.0.1 only (the test
resolver), or, for hostile answers, through :mod:`tests.guardkit`'s safety net.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitelore.api.app import create_app
from sitelore.cli import main
from sitelore.core.netpolicy import DEFAULT_PORTS, NetworkPolicy
from sitelore.crawl.transport import build_client
from sitelore.jobs.deliveries import DeliverySender
from sitelore.jobs.models import webhook_body
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.settings import Settings
from tests.api.conftest import StartApi
from tests.apikit import (
    CRAWL,
    Api,
    ApiServer,
    Receiver,
    create_key,
    error_body,
    eventually,
    quick_settings,
    submit,
    wait_job,
)
from tests.guardkit import guarded
from tests.webserver import Request, Response, StaticResolver, WebServer, redirect

DEFAULTS = {"allow_private_networks": "", "allowed_ports": "80,443,8000-8999"}
LOOPBACK = "127.0.0.1 is a loopback address"
MAPPED = "::ffff:7f00:1 is a loopback address (it embeds 127.0.0.1)"
NAT64_PRIVATE = "a private address (it embeds 10.0.0.5)"
METADATA = "169.254.169.254 is a cloud metadata address"
SITE = "http://example.test/"
HOOK = "http://hooks.test/hook"


@pytest.fixture(scope="module")
def guarded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One server with the default guard for the submission table; it never crawls."""
    data = tmp_path_factory.mktemp("guarded")
    key, other = create_key(data, "main"), create_key(data, "other")
    server = ApiServer(quick_settings(data, workers=0, **DEFAULTS), StaticResolver({})).start()
    api = Api(server, key, other, data)
    yield api
    api.close()
    server.stop()


# (request body, the 400 message): every spelling of an internal address, in every URL field.
URL = "url is not allowed: "
URLS = "urls is not allowed: "
HOOK_NO = "callbackUrl is not allowed: "
PORTS = "is not allowed (allowed: 80, 443, 8000-8999)"
WEB_ONLY = "url must start with http:// or https://, got "
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"url": "http://127.0.0.1/"}, URL + LOOPBACK),
    ({"url": "http://2130706433/"}, URL + LOOPBACK),
    ({"url": "http://0x7f000001/"}, URL + LOOPBACK),
    ({"url": "http://017700000001/"}, URL + LOOPBACK),
    ({"url": "http://0177.0.0.1/"}, URL + LOOPBACK),
    ({"url": "http://0x7f.1/"}, URL + LOOPBACK),
    ({"url": "http://127.1/"}, URL + LOOPBACK),
    ({"url": "http://127.0.0.1./"}, URL + LOOPBACK),
    ({"url": "http://①②⑦.0.0.1/"}, URL + LOOPBACK),
    ({"url": "http://%31%32%37.0.0.1/"}, URL + LOOPBACK),
    ({"url": "127.0.0.1:8080"}, WEB_ONLY + "'127.0.0.1:8080'"),
    ({"url": "http://[::1]/"}, URL + "::1 is a loopback address"),
    ({"url": "http://[::ffff:7f00:1]/"}, URL + MAPPED),
    ({"url": "http://localhost:8000/"}, URL + "localhost is a loopback name"),
    ({"url": "http://good.test@127.0.0.1/"}, "url must not contain a user name or password"),
    ({"url": "http://10.0.0.5/"}, URL + "10.0.0.5 is a private address"),
    ({"url": "http://192.168.1.1/admin"}, URL + "192.168.1.1 is a private address"),
    ({"url": "http://169.254.169.254/latest/meta-data/"}, URL + METADATA),
    ({"url": "http://0xa9fea9fe/"}, URL + METADATA),
    ({"url": "http://[fd00:ec2::254]/"}, URL + "fd00:ec2::254 is a cloud metadata address"),
    ({"url": "http://100.64.0.1/"}, URL + "100.64.0.1 is a carrier-grade NAT address"),
    ({"url": "http://0.0.0.0/"}, URL + "0.0.0.0 is an unspecified address"),
    ({"url": "http://224.0.0.1/"}, URL + "224.0.0.1 is a multicast address"),
    ({"url": "http://[fc00::1]/"}, URL + "fc00::1 is a unique-local address"),
    ({"url": "http://[fe80::1%25eth0]/"}, URL + "fe80::1%eth0 is a link-local address"),
    ({"url": "http://[64:ff9b::a00:5]/"}, URL + f"64:ff9b::a00:5 is {NAT64_PRIVATE}"),
    ({"url": "http://example.test:22/"}, URL + f"port 22 {PORTS}"),
    ({"url": "http://example.test:6379/"}, URL + f"port 6379 {PORTS}"),
    ({"url": "gopher://example.test/_x"}, WEB_ONLY + "'gopher://example.test/_x'"),
    ({"url": "file:///etc/passwd"}, WEB_ONLY + "'file:///etc/passwd'"),
    ({"url": SITE, "urls": [SITE, "http://example.test:22/"]}, URLS + f"port 22 {PORTS}"),
    ({"url": SITE, "callbackUrl": "http://169.254.169.254/"}, HOOK_NO + METADATA),
    ({"url": SITE, "callbackUrl": "http://127.1:8080/hook"}, HOOK_NO + LOOPBACK),
    ({"url": SITE, "callbackUrl": "http://hooks.test:25/"}, HOOK_NO + f"port 25 {PORTS}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"), REFUSED, ids=[str(list(body.values())[-1]) for body, _ in REFUSED]
)
def test_internal_urls_are_refused_at_submission(
    guarded_api: Api, body: dict[str, Any], message: str
) -> None:
    client = guarded_api.client()
    for route in ("/v1/extract/async", "/v1/extract", "/v1/extract/stream"):
        if route != "/v1/extract/async" and "callbackUrl" in body:
            continue
        assert error_body(client.post(route, json=body), 400) == message + opened_by(message)
    assert client.get("/v1/jobs").json()["jobs"] == []


OPENS = "; the server's operator can allow it with "
NETWORKS_HINT = OPENS + "SITELORE_ALLOW_PRIVATE_NETWORKS (networks in CIDR form, or *)"
PORTS_HINT = OPENS + "SITELORE_ALLOWED_PORTS"


def opened_by(message: str) -> str:
    """A guard refusal names the setting that widens it; other 400s name none."""
    if not message.startswith((URL, URLS, HOOK_NO)):
        return ""
    return PORTS_HINT if PORTS in message else NETWORKS_HINT


def test_a_name_resolving_to_loopback_fails_the_job_with_blocked(
    start_api: StartApi, acme: str, web: WebServer
) -> None:
    api = start_api(**DEFAULTS)
    client = api.client()
    job = wait_job(client, submit(client, {"url": acme, "maxPages": 3}))
    assert job["status"] == "failed"
    assert job["error"] == f"Failed to scrape URL: Blocked: {LOOPBACK}"
    response = client.post("/v1/extract", json={"url": acme})
    assert error_body(response, 502) == f"Failed to scrape URL: Blocked: {LOOPBACK}"
    assert web.requests == ()


def test_the_open_test_settings_reach_the_same_site(api: Api, acme: str) -> None:
    client = api.client()
    assert wait_job(client, submit(client, {"url": acme, "maxPages": 2}))["status"] == "completed"


def test_an_allowed_network_opens_exactly_that_network(start_api: StartApi, acme: str) -> None:
    api = start_api(allow_private_networks="127.0.0.1/32", allowed_ports="80")
    client = api.client()
    assert wait_job(client, submit(client, {"url": acme, "maxPages": 2}))["status"] == "completed"
    response = client.post("/v1/extract/async", json={"url": "http://127.0.0.2/"})
    assert (
        error_body(response, 400)
        == "url is not allowed: 127.0.0.2 is a loopback address" + NETWORKS_HINT
    )


# --- webhooks ------------------------------------------------------------------------------


def deliveries(data_dir: Path) -> list[dict[str, Any]]:
    """Every delivery row of the server's database (read-only, beside the running server)."""
    with sqlite3.connect(f"file:{data_dir / 'sitelore.db'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT event, status, attempts, last_error FROM deliveries").fetchall()
    return [dict(row) for row in rows]


def test_a_callback_resolving_to_loopback_is_refused_at_send_time(
    start_api: StartApi, acme: str, web: WebServer
) -> None:
    hits = Receiver()

    def hook(request: Request) -> Response:
        hits.record(request.headers, request.body)
        return Response()

    web.add_route("hooks.test", "/hook", hook)
    api = start_api(**DEFAULTS)
    client = api.client()
    job_id = submit(client, {"url": acme, "callbackUrl": HOOK})
    assert wait_job(client, job_id)["status"] == "failed"

    def settled() -> list[dict[str, Any]] | None:
        rows = deliveries(api.data_dir)
        finished = len(rows) == 3 and all(row["status"] == "failed" for row in rows)
        return rows if finished else None

    rows = eventually(settled)
    events = {row["event"] for row in rows}
    assert events == {"EXTRACTION_STARTED", "PAGE_SCRAPED", "EXTRACTION_FAILED"}
    for row in rows:  # refused once, never retried
        assert (row["attempts"], row["last_error"]) == (1, f"Blocked: {LOOPBACK}")
    assert hits.received() == []
    assert web.requests == ()


def send_once(
    tmp_path: Path, url: str, client_resolver: Any, policy: NetworkPolicy
) -> dict[str, Any]:
    """One attempt of one delivery to ``url`` through a real sender and store; its row.

    ``status`` is ``failed`` when the sender gave up at once, ``pending`` when it will retry.
    """
    key = create_key(tmp_path, "main")

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "sitelore.db")
        client = build_client(CRAWL, client_resolver, policy=policy)
        try:
            body = webhook_body("EXTRACTION_COMPLETED", {"id": "job_x"})
            await store.add_delivery("job_x", key.id, url, "EXTRACTION_COMPLETED", body)
            sender = DeliverySender(store, client, first_retry=60, policy=policy)
            await sender.send_due()
        finally:
            await client.aclose()
            await store.close()

    asyncio.run(scenario())
    [row] = deliveries(tmp_path)
    return row


@pytest.mark.parametrize(
    ("url", "answer", "message"),
    [
        ("http://evil.test/hook", "10.0.0.5", "Blocked: 10.0.0.5 is a private address"),
        ("http://evil.test/hook", "169.254.169.254", f"Blocked: {METADATA}"),
        ("http://evil.test/hook", "::ffff:127.0.0.1", f"Blocked: {MAPPED}"),
        ("http://169.254.169.254/hook", "", f"Blocked: {METADATA}"),
        ("http://2130706433/hook", "", f"Blocked: {LOOPBACK}"),
        ("http://evil.test:6379/hook", "", f"Blocked: port 6379 {PORTS}"),
    ],
    ids=["dns-private", "dns-metadata", "dns-mapped", "literal-metadata", "decimal", "port"],
)  # fmt: skip
def test_a_blocked_delivery_fails_at_once_and_is_never_retried(
    web: WebServer, tmp_path: Path, url: str, answer: str, message: str
) -> None:
    policy = NetworkPolicy()
    scripted, net = guarded(web, {"evil.test": [[answer]]}, policy)
    row = send_once(tmp_path, url, net, policy)
    assert row == {
        "event": "EXTRACTION_COMPLETED", "status": "failed", "attempts": 1, "last_error": message
    }  # fmt: skip
    assert len(scripted.lookups) == (1 if answer else 0)
    assert net.passed == [] and web.requests == ()


def test_a_delivery_never_follows_a_redirect(web: WebServer, tmp_path: Path) -> None:
    # The target is on the same (loopback) test server: following it would show in the log.
    web.add_route("hooks.test", "/hook", redirect("http://hooks.test/internal", 307))
    web.add_route("hooks.test", "/internal", Response())
    row = send_once(tmp_path, HOOK, web.resolver(), NetworkPolicy.permissive())
    assert (row["status"], row["attempts"]) == ("pending", 1)  # an ordinary failure: retried
    assert row["last_error"] == "HTTP 307 (redirects are not followed)"
    assert [r.path for r in web.requests] == ["/hook"]


# --- settings ------------------------------------------------------------------------------

NETWORKS = "SITELORE_ALLOW_PRIVATE_NETWORKS"
PORTS_VARIABLE = "SITELORE_ALLOWED_PORTS"


def test_settings_read_the_guard_from_the_environment() -> None:
    env = {"SITELORE_ALLOW_PRIVATE_NETWORKS": "10.0.0.0/8,fd00::/8", "SITELORE_ALLOWED_PORTS": "*"}
    policy = Settings.from_env(env).network_policy()
    assert policy.address_problem("10.1.2.3") is None
    assert policy.address_problem("172.16.0.1") == "172.16.0.1 is a private address"
    assert policy.allowed_ports is None
    default = Settings.from_env({}).network_policy()
    assert default == NetworkPolicy() and default.allowed_ports == DEFAULT_PORTS


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (NETWORKS, "10.0.0.0/33", f"{NETWORKS}: allowed networks: '10.0.0.0/33' is not a CIDR"),
        (PORTS_VARIABLE, "http", f"{PORTS_VARIABLE}: allowed ports: 'http' is not a port"),
    ],
    ids=["network", "port"],
)  # fmt: skip
def test_a_bad_guard_setting_stops_the_server_before_it_starts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    settings = Settings.from_env({variable: value}, data_dir=tmp_path)
    with pytest.raises(ValueError, match=message):
        create_app(settings)
    monkeypatch.setenv(variable, value)
    assert main(["serve", "--data-dir", str(tmp_path / "cli"), "--port", "0"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "cli").exists(), "nothing is created before the settings are checked"

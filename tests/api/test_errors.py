"""Error answers: the ``{statusCode, error, message}`` body, 400/401/404/405/413/429, health, docs.

Most tests share one API-only server (``workers=0``, a 4 KiB body limit): nothing they send
may start a job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import StartApi
from tests.apikit import Api, ApiServer, create_key, error_body, quick_settings, run_store
from tests.webserver import WebServer

BODY_LIMIT = 4096
EXTRACT_ROUTES = ("/v1/extract", "/v1/extract/async", "/v1/extract/stream")
SITE = "http://a.test/"


@pytest.fixture(scope="module")
def shared(_web_server: WebServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data = tmp_path_factory.mktemp("errors")
    key, other = create_key(data, "main"), create_key(data, "other")
    settings = quick_settings(data, workers=0, max_body_bytes=BODY_LIMIT)
    with ApiServer(settings, _web_server.resolver()) as server:
        api = Api(server, key, other, data)
        yield api
        api.close()


@pytest.fixture
def client(shared: Api) -> Iterator[httpx.Client]:
    """A fresh connection per test (a 500 closes the connection it was sent on)."""
    with httpx.Client(
        base_url=shared.url, headers={"x-api-key": shared.key.key}, trust_env=False
    ) as fresh:
        yield fresh


def _job_count(client: httpx.Client) -> int:
    return len(client.get("/v1/jobs", params={"limit": 100}).json()["jobs"])


def _raw(value: Any) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


BAD_BODIES = [
    pytest.param(b'{"url":', "JSON", id="malformed-json"),
    pytest.param(b"\xff\xfe{}", "JSON", id="not-utf8"),
    pytest.param(b"", "body", id="empty-body"),
    pytest.param([SITE], "object", id="array-body"),
    pytest.param("http://a.test/", "object", id="string-body"),
    pytest.param({}, "url", id="missing-url"),
    pytest.param({"maxPages": 2}, "url", id="missing-url-with-fields"),
    pytest.param({"url": 5}, "url", id="url-not-string"),
    pytest.param({"url": None}, "url", id="url-null"),
    pytest.param({"url": ""}, "url", id="url-empty"),
    pytest.param({"url": "ftp://a.test/"}, "url", id="url-ftp"),
    pytest.param({"url": "javascript:alert(1)"}, "url", id="url-javascript"),
    pytest.param({"url": "not a url"}, "url", id="url-words"),
    pytest.param({"url": "http://a.test:99999/"}, "url", id="url-bad-port"),
    pytest.param({"url": "http://user:pw@a.test/"}, "url", id="url-credentials"),
    pytest.param({"url": "http://a.test/" + "x" * 2100}, "url", id="url-too-long"),
    pytest.param({"url": "http://[::1"}, "url", id="url-broken-ipv6"),
    pytest.param({"url": SITE, "maxPages": "3"}, "maxPages", id="maxpages-string"),
    pytest.param({"url": SITE, "maxPages": True}, "maxPages", id="maxpages-bool"),
    pytest.param({"url": SITE, "maxPages": 2.5}, "maxPages", id="maxpages-float"),
    pytest.param({"url": SITE, "maxPages": 0}, "maxPages", id="maxpages-zero"),
    pytest.param({"url": SITE, "maxPages": -1}, "maxPages", id="maxpages-negative"),
    pytest.param({"url": SITE, "maxPages": 51}, "maxPages", id="maxpages-over-cap"),
    pytest.param({"url": SITE, "maxPages": 10**30}, "maxPages", id="maxpages-huge"),
    pytest.param({"url": SITE, "singlePage": "yes"}, "singlePage", id="singlepage-string"),
    pytest.param({"url": SITE, "includePatterns": "/a/*"}, "includePatterns", id="inc-str"),
    pytest.param({"url": SITE, "excludePatterns": [1]}, "excludePatterns", id="exc-int"),
    pytest.param({"url": SITE, "includePatterns": ["/docs/**x"]}, "includePatterns", id="bad-glob"),
    pytest.param({"url": SITE, "excludePatterns": ["a b"]}, "excludePatterns", id="glob-space"),
    pytest.param({"url": SITE, "urls": SITE}, "urls", id="urls-string"),
    pytest.param({"url": SITE, "urls": []}, "urls", id="urls-empty"),
    pytest.param(
        {"url": SITE, "maxPages": 2, "urls": [SITE + "a", SITE + "b", SITE + "c"]},
        "urls",
        id="urls-over-maxpages",
    ),
    pytest.param({"url": SITE, "urls": ["http://b.test/x"]}, "urls", id="urls-off-site"),
    pytest.param({"url": SITE, "urls": ["http://[::1"]}, "urls", id="urls-ipv6"),
    pytest.param({"url": SITE, "callbackUrl": 5}, "callbackUrl", id="callback-int"),
    pytest.param({"url": SITE, "callbackUrl": "ftp://h.test/"}, "callbackUrl", id="callback-ftp"),
    pytest.param({"url": SITE, "callbackUrl": "http://[::1"}, "callbackUrl", id="callback-ipv6"),
    pytest.param({"url": SITE, "bogus": 1}, "bogus", id="unknown-field"),
    pytest.param({"url": SITE, "max_pages": 2}, "max_pages", id="snake-case-field"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_request_is_400_naming_the_field(client: httpx.Client, body: Any, field: str) -> None:
    before = _job_count(client)
    response = client.post(
        "/v1/extract/async", content=_raw(body), headers={"content-type": "application/json"}
    )
    message = error_body(response, 400)
    assert field.lower() in message.lower(), message
    assert _job_count(client) == before, "a refused request must not create a job"


@pytest.mark.parametrize("route", EXTRACT_ROUTES)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "JSON"),
        ({"url": SITE, "maxPages": 0}, "maxPages"),
        ({"url": SITE, "extra": True}, "extra"),
        ({"url": "mailto:a@a.test"}, "url"),
    ],
    ids=["malformed", "out-of-range", "unknown-field", "not-http"],
)
def test_every_extract_route_validates_the_same_way(
    client: httpx.Client, route: str, body: Any, field: str
) -> None:
    response = client.post(route, content=_raw(body), headers={"content-type": "application/json"})
    assert field.lower() in error_body(response, 400).lower()


@pytest.mark.parametrize("route", EXTRACT_ROUTES)
@pytest.mark.parametrize("url", ["127.0.0.1:8801", "a.test", "a.test/pricing", "localhost:8000"])
def test_a_url_without_its_scheme_is_400_saying_which_it_needs(
    client: httpx.Client, route: str, url: str
) -> None:
    # The API never guesses http or https (only the command line does, and says so).
    message = error_body(client.post(route, json={"url": url}), 400)
    assert message == f"url must start with http:// or https://, got {url!r}"


@pytest.mark.parametrize("route", ["/v1/extract", "/v1/extract/stream"])
def test_callback_url_on_sync_and_stream_is_400_async_only(
    client: httpx.Client, route: str
) -> None:
    before = _job_count(client)
    body = {"url": SITE, "callbackUrl": "http://hooks.test/hook"}
    message = error_body(client.post(route, json=body), 400)
    assert "callbackUrl" in message and "/v1/extract/async" in message, message
    assert _job_count(client) == before, "a refused request must not create a job"


# -- 401 ------------------------------------------------------------------------------------

V1_CALLS = [
    ("GET", "/v1/jobs"),
    ("GET", "/v1/jobs/job_abcdefghijkl"),
    ("POST", "/v1/jobs/job_abcdefghijkl/cancel"),
    ("GET", "/v1/jobs/job_abcdefghijkl/events"),
    ("POST", "/v1/extract"),
    ("POST", "/v1/extract/async"),
    ("POST", "/v1/extract/stream"),
]


@pytest.mark.parametrize(("method", "path"), V1_CALLS)
@pytest.mark.parametrize(
    "key",
    [None, "", "sl_0123456789_not-a-real-secret", "hello", "Bearer x"],
    ids=["missing", "empty", "unknown", "garbage", "bearer"],
)
def test_every_v1_route_needs_a_valid_key(
    shared: Api, method: str, path: str, key: str | None
) -> None:
    headers = {} if key is None else {"x-api-key": key}
    body = {"url": SITE, "maxPages": 1} if method == "POST" else None
    with httpx.Client(base_url=shared.url, trust_env=False) as anonymous:
        response = anonymous.request(method, path, json=body, headers=headers)
    assert "x-api-key" in error_body(response, 401)


def test_a_wrong_secret_for_a_real_key_id_is_401(shared: Api) -> None:
    forged = shared.key.key[:-4] + "AAAA"
    assert forged != shared.key.key
    with httpx.Client(base_url=shared.url, trust_env=False) as anonymous:
        error_body(anonymous.get("/v1/jobs", headers={"x-api-key": forged}), 401)


def test_a_revoked_key_is_401(start_api: StartApi) -> None:
    """Revoked before its first use (a key seen in use may be trusted for up to 5 s more:
    see test_keys_cli for that case)."""
    api = start_api(workers=0)
    assert run_store(api.data_dir / "sitelore.db", lambda store: store.revoke_key(api.other.id))
    error_body(api.client(api.other.key).get("/v1/jobs"), 401)
    assert api.client().get("/v1/jobs").status_code == 200


# -- 404, 405 ---------------------------------------------------------------------------------


def test_unknown_job_and_unknown_route_are_404(client: httpx.Client) -> None:
    assert "job_nope12345678" in error_body(client.get("/v1/jobs/job_nope12345678"), 404)
    error_body(client.get("/v1/jobs/job_nope12345678/events"), 404)
    error_body(client.get("/v1/nothing-here"), 404)


def test_wrong_method_has_the_error_body(client: httpx.Client) -> None:
    error_body(client.get("/v1/extract"), 405)
    error_body(client.delete("/v1/jobs"), 405)


# -- 413 ------------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    body = json.dumps({"url": SITE, "maxPages": 1}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_body_at_the_limit_is_accepted(client: httpx.Client) -> None:
    body = _padded(BODY_LIMIT)
    assert len(body) == BODY_LIMIT
    response = client.post(
        "/v1/extract/async", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 202, response.text


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post(
        "/v1/extract/async",
        content=_padded(BODY_LIMIT + 1),
        headers={"content-type": "application/json"},
    )
    assert str(BODY_LIMIT) in error_body(response, 413)


def test_chunked_body_over_the_limit_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        body = _padded(BODY_LIMIT * 3)
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    response = client.post(
        "/v1/extract/async", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    error_body(response, 413)


# -- 429 ------------------------------------------------------------------------------------


def test_max_pages_cap_is_a_setting(start_api: StartApi) -> None:
    api = start_api(workers=0, max_pages_cap=5)
    client = api.client()
    response = client.post("/v1/extract/async", json={"url": SITE, "maxPages": 6})
    assert "maxPages must be between 1 and 5" in error_body(response, 400)
    assert client.post("/v1/extract/async", json={"url": SITE, "maxPages": 5}).status_code == 202


def test_rate_limit_is_429_with_retry_after(start_api: StartApi) -> None:
    api = start_api(workers=0, rate_limit_per_minute=5)
    client = api.client()
    for _ in range(5):
        assert client.get("/v1/jobs").status_code == 200
    response = client.get("/v1/jobs")
    assert "rate limit" in error_body(response, 429)
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    error_body(client.post("/v1/extract/async", json={"url": SITE}), 429)
    # Per key: the other key still gets through; health checks are not limited.
    assert api.client(api.other.key).get("/v1/jobs").status_code == 200
    assert client.get("/healthz").status_code == 200


# -- health, docs ---------------------------------------------------------------------------


def test_health_endpoints_need_no_key(shared: Api) -> None:
    with httpx.Client(base_url=shared.url, trust_env=False) as anonymous:
        health = anonymous.get("/healthz")
        ready = anonymous.get("/readyz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_docs_and_openapi_are_served(shared: Api) -> None:
    with httpx.Client(base_url=shared.url, trust_env=False) as anonymous:
        docs = anonymous.get("/docs")
        spec = anonymous.get("/openapi.json")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "openapi.json" in docs.text
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for route in (*EXTRACT_ROUTES, "/v1/jobs", "/healthz", "/readyz"):
        assert route in paths, sorted(paths)
    assert any(path.endswith("/cancel") for path in paths)
    assert any(path.endswith("/events") for path in paths)

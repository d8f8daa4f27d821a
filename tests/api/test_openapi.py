"""The OpenAPI document says what the server does, and ``/docs`` works with no network.

One API-only server (``workers=0``) for the module: its ``/openapi.json`` is checked with
``openapi-spec-validator``, then route by route (security, error statuses, success bodies,
event streams, ``{jobId}``); real answers of the server and the seed's job examples are
validated against the schemas it publishes; ``/docs`` and ``/redoc`` are read as a browser
would, every asset they name fetched from the server itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from openapi_schema_validator import OAS31Validator
from openapi_schema_validator import validate as validate_instance
from openapi_spec_validator import validate as validate_spec

from tests.apikit import Api, ApiServer, create_key, quick_settings, seed_examples

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "jobs.txt"
SITE = "http://a.test/"
KEYED = {"401", "429", "500", "503"}
JOB = "/v1/jobs/{jobId}"

# Every route, its success status and the error statuses it can answer (API.md).
ROUTES: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("post", "/v1/extract"): ("200", KEYED | {"400", "413", "502", "504"}),
    ("post", "/v1/extract/async"): ("202", KEYED | {"400", "413", "422"}),
    ("post", "/v1/extract/stream"): ("200", KEYED | {"400", "413"}),
    ("get", "/v1/jobs"): ("200", KEYED | {"400"}),
    ("get", JOB): ("200", KEYED | {"404"}),
    ("post", JOB + "/cancel"): ("202", KEYED | {"404", "409"}),
    ("get", JOB + "/events"): ("200", KEYED | {"400", "404"}),
    ("post", "/v1/screenshot"): ("200", KEYED | {"400", "413", "502"}),
    ("post", "/v1/search"): ("200", KEYED | {"400", "413"}),
    ("post", "/v1/sitemap"): ("200", KEYED | {"400", "413", "502", "504"}),
    ("post", "/v1/scrape"): ("200", KEYED | {"400", "413", "502", "504"}),
    ("post", "/v1/classify"): ("200", KEYED | {"400", "413", "502", "504"}),
    ("get", "/v1/knowledge"): ("200", KEYED | {"400"}),
    ("get", "/v1/knowledge/{domain}"): ("200", KEYED | {"404"}),
    ("delete", "/v1/knowledge/{domain}"): ("200", KEYED | {"404"}),
    ("post", "/v1/webhooks"): ("201", KEYED | {"400", "413"}),
    ("get", "/v1/webhooks"): ("200", KEYED),
    ("delete", "/v1/webhooks/{webhookId}"): ("204", KEYED | {"404"}),
    ("post", "/v1/webhooks/{webhookId}/test"): ("202", KEYED | {"404"}),
    ("get", "/healthz"): ("200", {"500", "503"}),
    ("get", "/readyz"): ("200", {"500", "503"}),
    ("get", "/metrics"): ("200", {"500"}),
}
STREAMS = {("post", "/v1/extract/stream"), ("get", JOB + "/events")}
PLAIN = {("get", "/metrics")}  # the Prometheus text format
EMPTY = {("delete", "/v1/webhooks/{webhookId}")}  # 204: no body
OPEN = {("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics")}
RST_MARKUP = re.compile(r"``|:(?:func|class|meth|mod|attr|ref|data|exc):`")
LINKED = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|\burl:\s*'([^']+)'""")
ANY_URL = re.compile(r"""\b(?:https?:)?//[^\s"'<>)]+""")
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data = tmp_path_factory.mktemp("openapi")
    key, other = create_key(data, "main"), create_key(data, "other")
    with ApiServer(quick_settings(data, workers=0)) as server:
        api = Api(server, key, other, data)
        yield api
        api.close()


@pytest.fixture(scope="module")
def spec(shared: Api) -> dict[str, Any]:
    response = shared.client(anonymous=True).get("/openapi.json")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    assert path in spec["paths"], sorted(spec["paths"])
    operation: dict[str, Any] = spec["paths"][path][method]
    return operation


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the document's components beside it, so that its $refs resolve."""
    return {**schema, "components": spec["components"]}


def _check(spec: dict[str, Any], instance: Any, schema: dict[str, Any]) -> None:
    validate_instance(instance, _schema(spec, schema), cls=OAS31Validator)


def _valid(spec: dict[str, Any], instance: Any, schema: dict[str, Any]) -> bool:
    valid: bool = OAS31Validator(_schema(spec, schema)).is_valid(instance)
    return valid


def _success_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    status, _ = ROUTES[(method, path)]
    content = _operation(spec, method, path)["responses"][status]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


# -- the document -----------------------------------------------------------------------------


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate_spec(spec)


def test_the_document_lists_every_route(spec: dict[str, Any]) -> None:
    listed = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert listed == set(ROUTES)


def test_routes_name_their_path_parameter_in_camel_case(spec: dict[str, Any]) -> None:
    named = {JOB: "jobId", "/v1/webhooks/{webhookId}": "webhookId"}
    for method, path in ROUTES:
        if "{" not in path or not path.startswith("/v1/jobs/"):
            continue
        name = next(name for prefix, name in named.items() if path.startswith(prefix))
        parameters = _operation(spec, method, path)["parameters"]
        in_path = [parameter for parameter in parameters if parameter["in"] == "path"]
        assert [parameter["name"] for parameter in in_path] == [name], in_path
        assert in_path[0]["required"] is True


def test_keyed_routes_use_the_api_key_security_scheme(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert len(schemes) == 1, schemes
    [(name, scheme)] = schemes.items()
    assert scheme["type"] == "apiKey" and scheme["in"] == "header", scheme
    assert scheme["name"] == "x-api-key", scheme
    for method, path in ROUTES:
        operation = _operation(spec, method, path)
        parameters = operation.get("parameters", [])
        headers = {p["name"].lower() for p in parameters if p["in"] == "header"}
        assert "x-api-key" not in headers, (path, "the key is the security scheme, not a header")
        if (method, path) in OPEN:
            assert "security" not in operation, path
        else:
            assert operation["security"] == [{name: []}], path


def test_every_route_lists_its_error_statuses_with_the_error_body(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"statusCode", "error", "message"}, error
    for (method, path), (success, errors) in ROUTES.items():
        responses = _operation(spec, method, path)["responses"]
        assert set(responses) == {success} | errors, (path, sorted(responses))
        for status in errors:
            answer = responses[status]
            assert answer["description"], (path, status)
            assert set(answer["content"]) == {"application/json"}, (path, status)
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
    for name in ("HTTPValidationError", "ValidationError"):
        assert name not in spec["components"]["schemas"], "the server answers 400, never 422"


def test_waiting_answers_document_retry_after(spec: dict[str, Any]) -> None:
    for (method, path), (_, errors) in ROUTES.items():
        responses = _operation(spec, method, path)["responses"]
        for status in errors & {"429", "503"}:
            assert "Retry-After" in responses[status]["headers"], (path, status)
    accepted = _operation(spec, "post", "/v1/extract/async")["responses"]["202"]
    assert "Location" in accepted["headers"]


def test_json_routes_have_a_real_success_schema(spec: dict[str, Any]) -> None:
    for method, path in set(ROUTES) - STREAMS - PLAIN - EMPTY:
        schema = _success_schema(spec, method, path)
        assert schema.get("$ref", "").startswith("#/components/schemas/"), (path, schema)
    for method, path in EMPTY:
        assert "content" not in _operation(spec, method, path)["responses"]["204"]


def test_metrics_are_documented_as_plain_text(spec: dict[str, Any]) -> None:
    for method, path in PLAIN:
        answer = _operation(spec, method, path)["responses"]["200"]
        assert list(answer["content"]) == ["text/plain"]


def test_event_streams_are_documented_as_text_event_stream(spec: dict[str, Any]) -> None:
    for method, path in STREAMS:
        answer = _operation(spec, method, path)["responses"]["200"]
        assert set(answer["content"]) == {"text/event-stream"}, (path, answer)
        assert answer["content"]["text/event-stream"]["schema"]["type"] == "string"
        description = _operation(spec, method, path)["description"]
        for event in ("connected", "pages_planned", "page_scraped", "complete", "error"):
            assert f"`{event}`" in description, (path, event)


def test_descriptions_are_markdown_not_restructured_text(spec: dict[str, Any]) -> None:
    def texts(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str):
                    yield where + "/" + key, value
                else:
                    yield from texts(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from texts(value, f"{where}/{index}")

    found = list(texts(spec, ""))
    assert len(found) > 30  # the operations, the schemas and their fields are described
    rst = [(where, text) for where, text in found if RST_MARKUP.search(text)]
    assert not rst, rst


# -- the schemas describe the real answers ----------------------------------------------------


def test_the_seed_job_examples_match_the_job_schema(spec: dict[str, Any]) -> None:
    if not SEED.is_file():
        pytest.fail(f"the seed page {SEED} is missing")
    schema = _success_schema(spec, "get", JOB)
    for example in seed_examples(SEED).values():
        _check(spec, example, schema)
        # and the schema is no blank cheque: a wrong state or a missing key is refused
        assert not _valid(spec, {**example, "status": "done"}, schema)
        assert not _valid(spec, {k: v for k, v in example.items() if k != "error"}, schema)


def test_real_answers_match_their_schemas(shared: Api, spec: dict[str, Any]) -> None:
    client = shared.client()
    accepted = client.post("/v1/extract/async", json={"url": SITE})
    assert accepted.status_code == 202, accepted.text
    _check(spec, accepted.json(), _success_schema(spec, "post", "/v1/extract/async"))
    job_path = f"/v1/jobs/{accepted.json()['jobId']}"
    _check(spec, client.get(job_path).json(), _success_schema(spec, "get", JOB))
    _check(spec, client.get("/v1/jobs").json(), _success_schema(spec, "get", "/v1/jobs"))
    cancelled = client.post(job_path + "/cancel")
    assert cancelled.status_code == 202, cancelled.text
    _check(spec, cancelled.json(), _success_schema(spec, "post", JOB + "/cancel"))
    anonymous = shared.client(anonymous=True)
    for path in ("/healthz", "/readyz"):
        _check(spec, anonymous.get(path).json(), _success_schema(spec, "get", path))
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for answer, status in (
        (client.post(job_path + "/cancel"), 409),
        (client.get("/v1/jobs/job_nosuchjob0000"), 404),
        (anonymous.get("/v1/jobs"), 401),
        (client.post("/v1/extract", json={"url": 5}), 400),
    ):
        assert answer.status_code == status, answer.text
        _check(spec, answer.json(), error)


# -- /docs and /redoc without a network -------------------------------------------------------


# Not named "page": pytest-playwright would take it for its fixture (tests/ui).
@pytest.mark.parametrize("docs_page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_the_server_itself(shared: Api, docs_page: str) -> None:
    client = shared.client(anonymous=True)
    response = client.get(docs_page)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    own = urlsplit(shared.url).netloc
    foreign = [url for url in ANY_URL.findall(response.text) if urlsplit(url).netloc != own]
    assert not foreign, f"{docs_page} loads from other hosts: {foreign}"
    linked = [first or second for first, second in LINKED.findall(response.text)]
    assert any(url.endswith(".js") for url in linked), linked
    assert "/openapi.json" in linked, linked
    for url in linked:
        _check_asset(client, urljoin(shared.url + docs_page, url))


def _check_asset(client: httpx.Client, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    kind = answer.headers["content-type"]
    suffix = Path(urlsplit(url).path).suffix
    assert ASSET_TYPES.get(suffix, "json") in kind, (url, kind)
    if suffix == ".css":  # a style sheet may not fetch fonts or images from elsewhere
        fetched = re.findall(r"""url\(\s*["']?([^"')]+)""", answer.text)
        assert all(target.startswith("data:") for target in fetched), fetched


def test_docs_do_not_send_the_document_to_an_online_validator(shared: Api) -> None:
    page = shared.client(anonymous=True).get("/docs").text
    assert '"validatorUrl": null' in page

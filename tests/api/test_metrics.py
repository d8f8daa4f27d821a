"""``GET /metrics``: the Prometheus text format of one server process, no key needed.

A real server runs real jobs against a local site with one good page and one that fails;
the answer is parsed with ``prometheus_client``'s own parser.
"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import StartApi
from tests.apikit import Api, Receiver, error_body, eventually, submit, wait_job
from tests.sitekit import page_html, prose, route_site
from tests.webserver import Request, Response, WebServer, html

SHOP = "http://shop.test/"
GONE = SHOP + "gone/"  # a 404: the failing page
HOOK = "http://hooks.test/hook"
BROKEN_HOOK = "http://hooks.test/broken"
Labels = tuple[tuple[str, str], ...]
Samples = dict[tuple[str, Labels], float]


def scrape(api: Api) -> Samples:
    """Every sample of the server's ``/metrics``, fetched with no key."""
    response = api.client(anonymous=True).get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    return parse(response.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    found = samples.get((name, tuple(sorted(labels.items()))))
    assert found is not None, (
        f"no sample {name}{labels}: {sorted(k for k in samples if k[0] == name)}"
    )
    return found


def label_values(samples: Samples, name: str, label: str) -> set[str]:
    return {dict(labels)[label] for sample, labels in samples if sample == name}


def serve_shop(web: WebServer) -> None:
    """One good page (the home) and, linked from it, a page that answers 404."""
    route_site(
        web, "shop.test", {"/": page_html("Home", prose("Metrics Company home"), ["/gone/"])}
    )


def receive_hooks(web: WebServer) -> Receiver:
    """``HOOK`` takes every delivery; ``BROKEN_HOOK`` answers every one with a 500."""
    receiver = Receiver()

    def answer(request: Request) -> Response:
        receiver.record(request.headers, request.body)
        return Response(200, {"Content-Type": "text/plain"}, b"ok\n")

    web.add_route("hooks.test", "/hook", answer)
    web.add_route("hooks.test", "/broken", Response(500, {"Content-Type": "text/plain"}, b"no\n"))
    return receiver


def test_metrics_count_jobs_pages_times_and_webhooks(api: Api, web: WebServer) -> None:
    serve_shop(web)
    receiver = receive_hooks(web)
    client = api.client()
    good = submit(client, {"url": SHOP, "urls": [SHOP, GONE], "callbackUrl": HOOK})
    bad = submit(client, {"url": GONE, "singlePage": True, "callbackUrl": BROKEN_HOOK})
    assert wait_job(client, good)["status"] == "completed"
    assert wait_job(client, bad)["status"] == "failed"
    # started, a page_scraped per page, completed
    eventually(lambda: len(receiver.received()) == 4)

    def delivered() -> Samples | None:
        samples = scrape(api)
        done = value(samples, "sitelore_webhook_deliveries_total", outcome="delivered") == 4
        return samples if done else None

    samples = eventually(delivered)
    states = {state: value(samples, "sitelore_jobs", state=state) for state in _STATES}
    assert states == {"pending": 0, "processing": 0, "completed": 1, "failed": 1}
    assert value(samples, "sitelore_pages_fetched_total") == 1
    assert value(samples, "sitelore_pages_failed_total", reason="HTTPStatusError") == 2
    failed = label_values(samples, "sitelore_pages_failed_total", "reason")
    others = failed - {"HTTPStatusError"}
    assert others and all(
        value(samples, "sitelore_pages_failed_total", reason=reason) == 0 for reason in others
    )
    assert value(samples, "sitelore_job_queue_wait_seconds_count") == 2
    for outcome in ("completed", "failed"):
        assert value(samples, "sitelore_job_duration_seconds_count", outcome=outcome) == 1
        assert value(samples, "sitelore_job_duration_seconds_sum", outcome=outcome) > 0
    # the broken receiver's deliveries failed and wait for a retry (5 s later): none given up
    assert value(samples, "sitelore_webhook_deliveries_total", outcome="retrying") >= 1
    assert value(samples, "sitelore_webhook_deliveries_total", outcome="failed") == 0
    assert value(samples, "sitelore_event_streams_open") == 0
    every_label = {v for _, labels in samples for _, v in labels}
    assert not any("shop.test" in label or "hooks.test" in label for label in every_label)


_STATES = ("pending", "processing", "completed", "failed")


def test_metrics_count_the_open_event_streams(api: Api, web: WebServer) -> None:
    route_site(web, "slow.test", {"/": _slow(page_html("Home", prose("Slow Company home")))})
    client = api.client()
    job_id = submit(client, {"url": "http://slow.test/", "singlePage": True})
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        lines = sse.iter_lines()  # held: dropping it would close the connection
        assert next(lines).startswith("id: ")
        assert value(scrape(api), "sitelore_event_streams_open") == 1
    eventually(lambda: value(scrape(api), "sitelore_event_streams_open") == 0)
    client.post(f"/v1/jobs/{job_id}/cancel")


def _slow(text: str) -> Response:
    page = html(text)
    return Response(page.status, page.headers, page.body, delay=3.0)


def test_each_server_counts_only_its_own_work(start_api: StartApi, web: WebServer) -> None:
    serve_shop(web)
    busy, idle = start_api(), start_api()
    client = busy.client()
    assert wait_job(client, submit(client, {"url": SHOP, "singlePage": True}))["status"] == (
        "completed"
    )
    assert value(scrape(busy), "sitelore_pages_fetched_total") == 1
    assert value(scrape(idle), "sitelore_pages_fetched_total") == 0
    assert value(scrape(idle), "sitelore_job_queue_wait_seconds_count") == 0


def test_metrics_can_be_switched_off(start_api: StartApi) -> None:
    api = start_api(metrics=False)
    response = api.client(anonymous=True).get("/metrics")
    error_body(response, 404)

"""GET /v1/jobs/{id}, GET /v1/jobs (list), POST /v1/jobs/{id}/cancel, GET /v1/jobs/{id}/events."""

from __future__ import annotations

import time

from tests.api.conftest import StartApi, serve_slow
from tests.apikit import (
    Api,
    error_body,
    get_job,
    iter_jobs,
    read_sse,
    submit,
    wait_job,
)
from tests.sitekit import links_page, page_html, prose, route_site
from tests.webserver import Response, WebServer, html


def test_get_job_of_another_key_is_404_like_an_unknown_job(api: Api, acme: str) -> None:
    mine = api.client()
    theirs = api.client(api.other.key)
    job_id = submit(mine, {"url": acme, "singlePage": True})
    wait_job(mine, job_id)
    unknown = error_body(theirs.get("/v1/jobs/job_doesnotexist000"), 404)
    assert "job_doesnotexist000" in unknown
    assert job_id in error_body(theirs.get(f"/v1/jobs/{job_id}"), 404)
    error_body(theirs.post(f"/v1/jobs/{job_id}/cancel"), 404)
    error_body(theirs.get(f"/v1/jobs/{job_id}/events"), 404)
    assert [job["id"] for job in iter_jobs(theirs)] == []
    assert [job["id"] for job in iter_jobs(mine)] == [job_id]


# -- list -------------------------------------------------------------------------------------


def test_list_is_newest_first_without_results_and_pages_with_a_cursor(api: Api, acme: str) -> None:
    client = api.client()
    ids = []
    for _ in range(5):
        ids.append(submit(client, {"url": acme, "singlePage": True}))
        time.sleep(0.01)
    for job_id in ids:
        assert wait_job(client, job_id)["status"] == "completed"
    first = client.get("/v1/jobs").json()
    assert set(first) == {"jobs", "nextCursor"}
    assert [job["id"] for job in first["jobs"]] == ids[::-1]
    assert first["nextCursor"] is None
    for job in first["jobs"]:
        assert job["result"] is None
        assert job["status"] == "completed"
        assert job["url"] == acme  # which site each job is about, without fetching each
        assert set(job) == {
            "id", "url", "status", "progress", "result", "error", "startedAt", "finishedAt",
            "durationMs",
        }  # fmt: skip

    page = client.get("/v1/jobs", params={"limit": 2}).json()
    assert [job["id"] for job in page["jobs"]] == ids[::-1][:2]
    assert isinstance(page["nextCursor"], str)
    assert [job["id"] for job in iter_jobs(client, limit=2)] == ids[::-1]
    assert [job["id"] for job in iter_jobs(client, limit=1)] == ids[::-1]


def test_list_filters_by_status(api: Api, acme: str) -> None:
    client = api.client()
    good = submit(client, {"url": acme, "singlePage": True})
    bad = submit(client, {"url": "http://nowhere.test/", "singlePage": True})
    wait_job(client, good)
    wait_job(client, bad)
    assert [job["id"] for job in iter_jobs(client, status="completed")] == [good]
    assert [job["id"] for job in iter_jobs(client, status="failed")] == [bad]
    assert list(iter_jobs(client, status="pending")) == []


def test_list_with_pending_jobs(start_api: StartApi, acme: str) -> None:
    api = start_api(workers=0)  # API only: jobs stay pending
    client = api.client()
    ids = [submit(client, {"url": acme}) for _ in range(3)]
    jobs = list(iter_jobs(client, status="pending"))
    assert [job["id"] for job in jobs] == ids[::-1]
    assert all(job["progress"] is None for job in jobs)
    assert all(job["url"] == acme for job in jobs)


def test_list_validates_its_query(api: Api) -> None:
    client = api.client()
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}):
        assert "limit" in error_body(client.get("/v1/jobs", params=params), 400)
    assert "status" in error_body(client.get("/v1/jobs", params={"status": "done"}), 400)
    assert "cursor" in error_body(client.get("/v1/jobs", params={"cursor": "zzz"}), 400)
    assert client.get("/v1/jobs", params={"limit": 1}).status_code == 200
    assert client.get("/v1/jobs", params={"limit": 100}).status_code == 200


# -- cancel -----------------------------------------------------------------------------------


def test_cancel_a_pending_job(start_api: StartApi, acme: str) -> None:
    api = start_api(workers=0)
    client = api.client()
    job_id = submit(client, {"url": acme})
    response = client.post(f"/v1/jobs/{job_id}/cancel")
    assert response.status_code == 202, response.text
    assert response.json()["id"] == job_id
    job = wait_job(client, job_id, timeout=2.0)
    assert job["status"] == "failed"
    assert job["error"] == "Job cancelled"
    assert job["result"] is None
    assert job["finishedAt"] is not None and job["durationMs"] is not None
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        stream = read_sse(sse, timeout=5)
    assert stream.names == ["connected", "error"]
    assert stream.frames[-1].data == {"message": "Job cancelled"}


def test_cancel_a_processing_job_stops_it_within_two_seconds(api: Api, web: WebServer) -> None:
    home = serve_slow(web, delay=2.5)
    client = api.client()
    job_id = submit(client, {"url": home, "maxPages": 3})
    wait_job(client, job_id, until=lambda job: job["status"] == "processing", timeout=5)
    response = client.post(f"/v1/jobs/{job_id}/cancel")
    assert response.status_code == 202, response.text
    assert response.json()["id"] == job_id
    job = wait_job(client, job_id, timeout=2.0)
    assert job["status"] == "failed", job
    assert job["error"] == "Job cancelled"
    assert job["progress"]["currentStep"] == "Failed"
    assert job["result"] is None
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        stream = read_sse(sse, timeout=5)
    assert stream.names[-1] == "error"
    assert stream.frames[-1].data == {"message": "Job cancelled"}
    # The worker is free again: the next job runs.
    next_id = submit(client, {"url": home, "singlePage": True})
    assert wait_job(client, next_id)["status"] == "completed"


def test_cancel_a_finished_job_is_409(api: Api, acme: str) -> None:
    client = api.client()
    done = submit(client, {"url": acme, "singlePage": True})
    failed = submit(client, {"url": "http://nowhere.test/"})
    wait_job(client, done)
    wait_job(client, failed)
    assert "completed" in error_body(client.post(f"/v1/jobs/{done}/cancel"), 409)
    assert "failed" in error_body(client.post(f"/v1/jobs/{failed}/cancel"), 409)
    assert get_job(client, done)["status"] == "completed"
    assert get_job(client, failed)["error"] != "Job cancelled"
    error_body(client.post("/v1/jobs/job_doesnotexist000/cancel"), 404)


# -- events -----------------------------------------------------------------------------------


def test_events_replay_from_the_start_and_resume_after_last_event_id(api: Api, acme: str) -> None:
    client = api.client()
    job_id = submit(client, {"url": acme, "maxPages": 3})
    wait_job(client, job_id)
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        assert sse.status_code == 200
        assert sse.headers["content-type"].startswith("text/event-stream")
        everything = read_sse(sse, timeout=5)
    names = everything.names
    assert names[0] == "connected" and names[-1] == "complete"
    assert everything.frames[0].data == {"jobId": job_id}
    assert "pages_planned" in names and "page_scraped" in names
    assert everything.frames[-1].data["result"] == get_job(client, job_id)["result"]

    cut = everything.frames[2].id
    assert cut is not None
    headers = {"Last-Event-ID": cut}
    with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as sse:
        rest = read_sse(sse, timeout=5)
    assert [frame.lines for frame in rest.frames] == [
        frame.lines for frame in everything.frames[3:]
    ]


def test_events_follow_a_running_job_live(api: Api, slow: str) -> None:
    client = api.client()
    job_id = submit(client, {"url": slow, "maxPages": 3})
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        stream = read_sse(sse)
    assert stream.names[0] == "connected"
    assert stream.names[-1] == "complete"
    assert stream.names.count("page_scraped") == 3
    assert get_job(client, job_id)["status"] == "completed"


def test_events_of_a_failed_job_end_with_error(api: Api) -> None:
    client = api.client()
    job_id = submit(client, {"url": "http://nowhere.test/"})
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        stream = read_sse(sse)
    assert stream.names[0] == "connected"
    assert stream.names[-1] == "error"
    assert stream.frames[-1].data["message"] == get_job(client, job_id)["error"]


def test_a_job_over_its_time_limit_fails_saying_so(start_api: StartApi, web: WebServer) -> None:
    api = start_api(job_timeout=1.0)
    home = serve_slow(web, delay=3.0)
    client = api.client()
    job_id = submit(client, {"url": home, "maxPages": 3})
    job = wait_job(client, job_id, timeout=10)
    assert job["status"] == "failed"
    assert job["error"] == "Job stopped: it ran longer than the 1s job time limit"
    assert job["progress"]["currentStep"] == "Failed"


def test_total_pages_never_goes_down_in_the_job_record(api: Api, web: WebServer) -> None:
    # Seven of the home page's eight links fail: the plan shrinks as they do. The home page
    # answers after a second, which holds the job at its first progress long enough to read.
    links = [f"/page-{n}/" for n in range(8)]
    home = html(links_page(*links))
    pages: dict[str, str | Response] = {
        "/": Response(home.status, home.headers, home.body, delay=1.0),
        "/page-0/": page_html("Page", prose("Topic of Totals Company")),
    }
    route_site(web, "totals.test", pages)
    for link in links[1:]:
        web.add_route("totals.test", link, html(page_html("Error", "<h1>Error</h1>"), 500))
    client = api.client()
    job_id = submit(client, {"url": "http://totals.test/", "maxPages": 10})
    starting = wait_job(client, job_id, until=lambda job: job["progress"] is not None)
    job = wait_job(client, job_id)
    assert job["status"] == "completed", job
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        totals = [frame.data["totalPages"] for frame in read_sse(sse, timeout=5).of("progress")]
    seen = [starting["progress"]["totalPages"], *totals, job["progress"]["totalPages"]]
    assert seen == sorted(seen), seen
    assert job["progress"] == {"pagesScraped": 2, "totalPages": 9, "currentStep": "Complete"}

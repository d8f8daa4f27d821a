"""POST /v1/sitemap, /v1/scrape and /v1/classify: run as jobs on the workers and awaited."""

from __future__ import annotations

from tests.api.conftest import StartApi, serve_slow
from tests.apikit import Api, error_body
from tests.sitekit import ACME_HOME, page_paths, prose, route_site, serve_acme
from tests.webserver import WebServer


def test_a_sitemap_ranks_the_sites_urls(api: Api, web: WebServer) -> None:
    serve_acme(web)
    response = api.client().post("/v1/sitemap", json={"url": ACME_HOME, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["url"] == ACME_HOME and body["count"] == len(body["urls"]) == 5
    assert body["urls"][0] == ACME_HOME
    assert [page["url"] for page in body["pages"]] == body["urls"]
    assert {"pricing", "home"} <= {page["purpose"] for page in body["pages"]}


def test_a_scrape_is_one_page_as_markdown(api: Api, web: WebServer) -> None:
    serve_acme(web)
    response = api.client().post("/v1/scrape", json={"url": ACME_HOME + "pricing/"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"url", "markdown", "title", "description", "links"}
    assert "\n# " in body["markdown"] and body["title"]


def test_bad_and_failing_requests(api: Api, web: WebServer) -> None:
    serve_acme(web)
    client = api.client()
    assert "must start with http" in error_body(client.post("/v1/scrape", json={"url": "x"}), 400)
    assert "limit" in error_body(
        client.post("/v1/sitemap", json={"url": ACME_HOME, "limit": 0}), 400
    )
    missing = client.post("/v1/scrape", json={"url": ACME_HOME + "nope/"})
    assert "404" in error_body(missing, 502)


def test_a_site_tools_job_is_its_keys_alone(api: Api, web: WebServer) -> None:
    serve_acme(web)
    mine, other = api.client(), api.client(api.other.key)
    assert mine.post("/v1/scrape", json={"url": ACME_HOME}).status_code == 200
    assert mine.post("/v1/sitemap", json={"url": ACME_HOME}).status_code == 200
    jobs = mine.get("/v1/jobs").json()["jobs"]
    assert len(jobs) == 2 and all(job["url"] == ACME_HOME for job in jobs)
    assert other.get("/v1/jobs").json()["jobs"] == []
    for job in jobs:
        assert other.get(f"/v1/jobs/{job['id']}").status_code == 404


FERNHILL = "fernhill.test"
FERNHILL_HOME = f"http://{FERNHILL}/"
FERNHILL_JSONLD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": ["Organization", "Dentist"], "name": "Fernhill Dental", '
    '"logo": "http://fernhill.test/logo.png"}</script>'
)
FERNHILL_FEATURES = "".join(
    f'<article class="card"><h3>{title}</h3><p>{text}</p></article>'
    for title, text in [
        ("Evening appointments", "Open until eight on weekdays for people who work days."),
        ("Calm for nervous patients", "A quiet room, time to talk and no rush at the chair."),
        ("One family, one visit", "Book the whole family back to back in one trip."),
    ]
)


def fernhill_page(title: str, main: str, links: tuple[str, ...] = (), head: str = "") -> str:
    anchors = "".join(f'<a href="{href}">{href.strip("/").title()}</a>' for href in links)
    return (
        f'<!doctype html><html lang="en"><head><title>{title} | Fernhill Dental</title>{head}'
        f"</head><body><header><nav>{anchors}</nav></header><main>{main}</main>"
        "<footer><p>Fernhill Dental, 12 Fernhill Road.</p></footer></body></html>"
    )


def serve_fernhill(web: WebServer) -> None:
    """An invented dental practice: JSON-LD, a tagline, a grid of cards, an about page."""
    home = fernhill_page(
        "Home",
        "<h1>Unhurried dentistry on Fernhill Road</h1>"
        "<p>Fernhill Dental is a family dental practice with three dentists and two hygienists "
        f"caring for patients of every age.</p><div class='grid'>{FERNHILL_FEATURES}</div>",
        ("/about/", "/pricing/", "/blog/"),
        FERNHILL_JSONLD,
    )
    route_site(
        web,
        FERNHILL,
        {
            "/": home,
            "/about/": fernhill_page("About us", prose("About Fernhill Dental")),
            "/pricing/": fernhill_page("Pricing", prose("Fernhill Dental fees")),
            "/blog/": fernhill_page("Blog", prose("Fernhill Dental news")),
        },
    )


def test_classify_reads_the_key_pages_only(api: Api, web: WebServer) -> None:
    serve_fernhill(web)
    response = api.client().post("/v1/classify", json={"url": FERNHILL_HOME})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "businessName": "Fernhill Dental",
        "businessType": "Dentist",
        "industrySector": "Healthcare",
        "targetAudience": None,  # the site does not declare one
        "description": "Fernhill Dental is a family dental practice with three dentists and "
        "two hygienists caring for patients of every age.",
        "valueProposition": "Unhurried dentistry on Fernhill Road",
        "uniqueSellingPoints": [
            "Evening appointments",
            "Calm for nervous patients",
            "One family, one visit",
        ],
        "confidenceScore": 0.95,
        "url": FERNHILL_HOME,
        "domain": FERNHILL,
        "logo": "http://fernhill.test/logo.png",
        "pages": [FERNHILL_HOME, FERNHILL_HOME + "about/"],
    }
    assert page_paths(web, FERNHILL) == ["/", "/about/"]


def test_what_a_site_does_not_say_is_null(api: Api, web: WebServer) -> None:
    serve_acme(web)
    body = api.client().post("/v1/classify", json={"url": ACME_HOME}).json()
    assert body["businessName"] == "Acme" and body["businessType"] == "Organization"
    unsaid = ("industrySector", "confidenceScore", "targetAudience", "uniqueSellingPoints")
    assert {field: body[field] for field in unsaid} == dict.fromkeys(unsaid)


def test_a_classify_job_is_its_keys_alone_and_keeps_no_knowledge(api: Api, web: WebServer) -> None:
    serve_fernhill(web)
    client, other = api.client(), api.client(api.other.key)
    answer = client.post("/v1/classify", json={"url": FERNHILL_HOME}).json()
    (entry,) = client.get("/v1/jobs").json()["jobs"]
    job = client.get(f"/v1/jobs/{entry['id']}").json()
    assert job["status"] == "completed" and job["result"] == answer
    assert other.get("/v1/jobs").json()["jobs"] == []
    assert f"job {entry['id']} not found" in error_body(other.get(f"/v1/jobs/{entry['id']}"), 404)
    assert client.get("/v1/knowledge").json()["domains"] == []  # not an extraction


def test_classify_errors(api: Api, web: WebServer) -> None:
    client = api.client()
    assert "must start with http" in error_body(client.post("/v1/classify", json={"url": "x"}), 400)
    assert "url" in error_body(client.post("/v1/classify", json={}), 400)
    route_site(web, "gone.test", {})
    assert "404" in error_body(client.post("/v1/classify", json={"url": "http://gone.test/"}), 502)


def test_classify_past_the_sync_timeout_names_the_job(start_api: StartApi, web: WebServer) -> None:
    client = start_api(sync_timeout=1.0).client()
    slow = serve_slow(web, delay=4.0)  # its about page takes longer than the sync timeout
    late = error_body(client.post("/v1/classify", json={"url": slow}), 504)
    assert "still running after 1s: poll /v1/jobs/job_" in late

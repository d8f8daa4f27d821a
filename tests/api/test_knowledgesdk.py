"""The hosted anchor's official Python SDK (``knowledgesdk`` from PyPI) against ``sitelore
serve``: the drop-in promise, checked with the real client.

One ``python -m sitelore serve`` child process for the module, with an ``sk_ks_`` key (the
SDK refuses any other before sending it); the fixture site is served on the literal host
127.0.0.1, which the child's guard is opened for. Where the SDK contradicts the seed's job
object, the seed wins: those calls are pinned here as the README's table states them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pydantic
import pytest
from knowledgesdk import KnowledgeSDK

from tests.apikit import Key, ServeProcess, create_key, eventually
from tests.sitekit import SITES
from tests.webserver import WebServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, Key]]:
    data = tmp_path_factory.mktemp("sdk-data")
    key = create_key(data, "sdk", prefix="sk_ks_")
    process = ServeProcess(data, data.parent / "sdk-serve.log", workers=2).wait_ready()
    try:
        yield process, key
    finally:
        process.stop()


@pytest.fixture
def site(web: WebServer) -> str:
    """The acme fixture site on 127.0.0.1 (its links are relative); its home URL."""
    web.add_site("127.0.0.1", SITES / "acme")
    return f"http://127.0.0.1:{web.port}/"


@pytest.fixture
def sdk(serve: tuple[ServeProcess, Key]) -> KnowledgeSDK:
    process, key = serve
    assert key.key.startswith("sk_ks_")
    return KnowledgeSDK(key.key, base_url=process.url + "/v1", timeout=60_000, max_retries=0)


@pytest.fixture
def raw(serve: tuple[ServeProcess, Key]) -> Iterator[httpx.Client]:
    """The same key over plain HTTP, to check what the SDK cannot read."""
    process, key = serve
    headers = {"x-api-key": key.key}
    with httpx.Client(base_url=process.url, headers=headers, trust_env=False) as client:
        yield client


def test_extract_run_returns_the_items(sdk: KnowledgeSDK, site: str) -> None:
    result = sdk.extract.run(site, max_pages=8)
    items = result.knowledge_items or []
    assert items and all(item.title and item.category and item.source for item in items)
    assert {item.category for item in items} >= {"PRICING", "FAQ"}
    assert all(item.source and item.source.startswith(site) for item in items)
    assert result.pages_scraped and result.pages_scraped > 1
    # The seed's business is {name, domain, category, description, logo}; the SDK reads
    # snake_case classification names, so only `description` comes through it.
    assert result.business is not None and result.business.description
    assert result.business.business_name is None


def test_extract_run_async_then_the_job_over_http(
    sdk: KnowledgeSDK, raw: httpx.Client, site: str
) -> None:
    ref = sdk.extract.run_async(site, max_pages=4)
    assert ref.job_id and ref.job_id.startswith("job_") and ref.status == "pending"

    def finished() -> dict[str, object] | None:
        job: dict[str, object] = raw.get(f"/v1/jobs/{ref.job_id}").json()
        return job if job["status"] in ("completed", "failed") else None

    job = eventually(finished, timeout=60)
    assert job["status"] == "completed", job
    # The SDK types `progress` as an integer; the seed's is an object: jobs.get cannot
    # parse a started job (the README's table says so).
    assert isinstance(job["progress"], dict)
    with pytest.raises(pydantic.ValidationError):
        sdk.jobs.get(ref.job_id)


def test_scrape_run(sdk: KnowledgeSDK, site: str) -> None:
    page = sdk.scrape.run(site + "pricing/")
    assert page.url == site + "pricing/"
    assert page.title and page.markdown and "# " in page.markdown
    assert page.links and any(link.startswith(site) for link in page.links)


def test_sitemap_run(sdk: KnowledgeSDK, site: str) -> None:
    found = sdk.sitemap.run(site)
    assert found.url == site and found.urls and found.urls[0] == site
    assert found.count == len(found.urls)
    assert site + "pricing/" in found.urls and site + "faq/" in found.urls


def test_classify_run(sdk: KnowledgeSDK, site: str) -> None:
    profile = sdk.classify.run(site)
    assert profile.business_name and profile.description
    # The fixture declares an Organization and no audience: the one is said, the other null.
    assert profile.business_type == "Organization" and profile.target_audience is None
    if profile.industry_sector is None:
        assert profile.confidence_score is None
    else:
        assert profile.confidence_score is not None and 0 < profile.confidence_score <= 1


def test_search_run_finds_what_was_extracted(sdk: KnowledgeSDK, site: str) -> None:
    items = sdk.extract.run(site, max_pages=8).knowledge_items or []
    faq = next(item for item in items if item.category == "FAQ" and item.title)
    word = max((word for word in (faq.title or "").split() if word.isalpha()), key=len)
    found = sdk.search.run(word, limit=5)
    assert found.query == word and found.total and found.total >= 1
    hits = found.hits or []
    assert any(hit.title == faq.title and hit.source == faq.source for hit in hits)
    assert all(hit.score is not None and 0 <= hit.score <= 1 for hit in hits)


def test_webhooks_create_list_test_delete(sdk: KnowledgeSDK, web: WebServer) -> None:
    receiver = f"http://127.0.0.1:{web.port}/hook"
    created = sdk.webhooks.create(receiver, ["EXTRACTION_COMPLETED"], display_name="ops")
    assert created.id and created.id.startswith("weh_") and created.token
    assert created.url == receiver and created.display_name == "ops"
    assert created.status == "active" and created.created_at
    listed = {hook.id: hook for hook in sdk.webhooks.list()}
    assert created.id in listed and listed[created.id].token is None
    assert sdk.webhooks.test(created.id)["status"] == "queued"
    assert sdk.webhooks.delete(created.id) == {}
    assert created.id not in {hook.id for hook in sdk.webhooks.list()}


def test_screenshot_run(sdk: KnowledgeSDK, site: str) -> None:
    shot = sdk.screenshot.run(site)
    assert shot.url == site and shot.screenshot
    assert base64.b64decode(shot.screenshot).startswith(b"\x89PNG")

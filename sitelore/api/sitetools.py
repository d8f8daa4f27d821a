"""``POST /v1/sitemap`` and ``POST /v1/scrape``: a site's URLs, ranked, and one page as
Markdown, in the shapes the hosted anchor's SDK reads.

Each runs as a job on the workers (so an API process needs no outbound network) and is
awaited like ``POST /v1/extract``: past the sync timeout a 504 names the job.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictInt, StrictStr
from starlette.responses import Response

from sitelore.api.docs import KEYED, errors
from sitelore.api.errors import StatusError, json_response
from sitelore.api.routes import KeyDep, Services, ServicesDep, enqueue, wait_finished
from sitelore.core.request import validate_request
from sitelore.jobs.models import ApiKey, JobStatus
from sitelore.mapping import MAX_LIMIT
from sitelore.models import ExtractRequest, JobTask

router = APIRouter()


class SitemapBody(BaseModel):
    url: StrictStr = Field(description="any page of the site, starting with `http(s)://`")
    limit: StrictInt = Field(100, ge=1, le=MAX_LIMIT, description="URLs to answer at most")
    includePatterns: list[StrictStr] = Field(default_factory=list, max_length=100)
    excludePatterns: list[StrictStr] = Field(default_factory=list, max_length=100)


class SitemapPage(BaseModel):
    url: str
    purpose: str = Field(description="its kind, as in `pages_planned` (`pricing`, `faq` ...)")


class Sitemap(BaseModel):
    url: str
    urls: list[str] = Field(description="the start page, then the rest in the crawl's order")
    count: int
    pages: list[SitemapPage]


class ScrapeBody(BaseModel):
    url: StrictStr = Field(description="the page, starting with `http://` or `https://`")


class Scraped(BaseModel):
    url: str
    markdown: str = Field(description="the page's main text as Markdown")
    title: str
    description: str
    links: list[str]


@router.post(
    "/v1/sitemap",
    tags=["extract"],
    response_model=Sitemap,
    responses=errors(*KEYED, 400, 413, 502, 504),
)
async def sitemap(body: SitemapBody, context: ServicesDep, key: KeyDep) -> Response:
    """The URLs a crawl of the site would consider (its sitemaps and the start page's
    links), ranked, each with its purpose; only the start page is fetched."""
    request = ExtractRequest(
        body.url,
        include_patterns=tuple(body.includePatterns),
        exclude_patterns=tuple(body.excludePatterns),
        task=JobTask.SITEMAP,
        limit=body.limit,
    )
    return json_response(await _run(context, key, request, body.url))


@router.post(
    "/v1/scrape",
    tags=["extract"],
    response_model=Scraped,
    responses=errors(*KEYED, 400, 413, 502, 504),
)
async def scrape(body: ScrapeBody, context: ServicesDep, key: KeyDep) -> Response:
    """One page, no crawl: its main text as Markdown, its title, description and links."""
    request = ExtractRequest(body.url, single_page=True, task=JobTask.SCRAPE)
    return json_response(await _run(context, key, request, body.url))


async def _run(context: Services, key: ApiKey, request: ExtractRequest, url: str) -> Any:
    """Run ``request`` as a job of ``key`` and answer its result (502 if it failed)."""
    checked = validate_request(request, context.settings.max_pages_cap, context.policy)
    job = await enqueue(context, key, checked)
    finished = await wait_finished(context, job.id, context.settings.sync_timeout)
    if finished is None:
        timeout = context.settings.sync_timeout
        raise StatusError(504, f"{url} still running after {timeout:g}s: poll /v1/jobs/{job.id}")
    if finished.status is JobStatus.FAILED:
        raise StatusError(502, finished.error or "failed")
    return finished.result

"""``POST /v1/sitemap``, ``POST /v1/scrape`` and ``POST /v1/classify``: a site's URLs,
ranked, one page as Markdown, and the business from its key pages, in the shapes the hosted
anchor's SDK reads.

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


class ClassifyBody(BaseModel):
    url: StrictStr = Field(description="the site's home page, starting with `http(s)://`")


class Classified(BaseModel):
    businessName: str | None = Field(description="the profile's name, as an extraction finds it")
    businessType: str | None = Field(
        description="the schema.org organisation type the JSON-LD declares, in words "
        "(`Dentist`, `Bed and breakfast`); null without one"
    )
    industrySector: str | None = Field(
        description="the industry label of API.md's taxonomy; null where it would be `Other`"
    )
    targetAudience: str | None = Field(
        description="the JSON-LD `audience` (`audienceType`); null unless declared"
    )
    description: str | None = Field(description="the profile's one-sentence description")
    valueProposition: str | None = Field(
        description="the home page's `<h1>` (else `og:title`) when it is more than the name"
    )
    uniqueSellingPoints: list[str] | None = Field(
        description="titles of repeated cards (a feature grid) on the key pages, at most 5; "
        "null when there are none"
    )
    confidenceScore: float | None = Field(
        ge=0,
        le=1,
        description="how sure the industry sector is: 0.95 for a declared schema.org type, "
        "else the lexicon's evidence (at most 0.9); null with the sector",
    )
    url: str
    domain: str = Field(description="the site's registrable domain")
    logo: str | None
    pages: list[str] = Field(description="the pages read: the home page, then about pages")


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


@router.post(
    "/v1/classify",
    tags=["extract"],
    response_model=Classified,
    responses=errors(*KEYED, 400, 413, 502, 504),
)
async def classify(body: ClassifyBody, context: ServicesDep, key: KeyDep) -> Response:
    """The business from the site's key pages (the home page and up to three about pages),
    without a full extraction; a field the pages give no sign of is null, never guessed."""
    # One page to plan (the home page): a server's cap of pages never refuses it.
    request = ExtractRequest(body.url, max_pages=1, task=JobTask.CLASSIFY)
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

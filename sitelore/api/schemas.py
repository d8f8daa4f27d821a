"""The bodies of API.md as pydantic models: the extraction request (parsed by pydantic,
checked by the core) and, for the OpenAPI document only, every answer's body.

The routes answer with bytes they serialise themselves, so the answer models are never
built at run time; tests/api/test_openapi.py validates real answers against them. Their
docstrings and field descriptions are what /docs shows: Markdown, written for API users.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.jobs.models import JobStatus
from sitelore.models import INDUSTRIES, ExtractRequest, ItemCategory, RenderMode

MAX_LIST = 100
GLOBS = "globs on the URL path: `*` is one path segment, `**` any depth"


def _untitled(schema: dict[str, Any]) -> None:
    """Drop the field titles pydantic derives from camelCase names ("Maxpages"): the names
    say it better in /docs."""
    for field in schema.get("properties", {}).values():
        field.pop("title", None)


class Documented(BaseModel):
    # No docstring: a model's docstring is its description in the OpenAPI document.
    model_config = ConfigDict(json_schema_extra=_untitled)


class ExtractBody(Documented):
    """An extraction request (the same for the three extract routes); unknown fields are
    refused with a 400."""

    model_config = ConfigDict(extra="forbid")

    url: StrictStr = Field(
        description="URL of any page of the site, starting with `http://` or `https://`; the "
        "crawl stays on its registrable domain (`www.` and the bare domain are one site)",
        examples=["https://linear.app/"],
    )
    maxPages: StrictInt = Field(10, description="pages to extract, 1 to the server's cap")
    singlePage: StrictBool = Field(False, description="only `url` is scraped")
    includePatterns: list[StrictStr] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description=f"{GLOBS}; a URL must match one of them",
        examples=[["/pricing*", "/features/**"]],
    )
    excludePatterns: list[StrictStr] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description=f"{GLOBS}; exclude wins over include",
    )
    urls: list[StrictStr] | None = Field(
        None,
        max_length=MAX_LIST,
        description="scrape exactly these URLs of the site of `url` (no discovery; the "
        "patterns and `singlePage` are ignored); more than `maxPages` is a 400",
    )
    callbackUrl: StrictStr | None = Field(
        None,
        description="webhook target, for `POST /v1/extract/async` only (a 400 on the other "
        "routes): the job's events are POSTed to it, signed with the key's webhook secret",
    )
    explain: StrictBool = Field(
        False,
        description="add `explain` to the result: each page's kind and why it was "
        "planned or skipped, each item's category and title reasons",
    )
    render: Literal["auto", "never", "always"] = Field(
        "auto",
        description="`auto`: render in a browser only the pages whose HTML is a script "
        "shell; `never`: the HTTP text only; `always`: every page (the job fails when the "
        "server has no browser)",
    )

    def to_request(self, max_pages_cap: int, policy: NetworkPolicy | None = None) -> ExtractRequest:
        """The validated request; URLs ``policy`` refuses for certain are a 400 now."""
        request = ExtractRequest(
            url=self.url,
            max_pages=self.maxPages,
            single_page=self.singlePage,
            include_patterns=tuple(self.includePatterns),
            exclude_patterns=tuple(self.excludePatterns),
            urls=None if self.urls is None else tuple(self.urls),
            callback_url=self.callbackUrl,
            explain=self.explain,
            render=RenderMode(self.render),
        )
        return validate_request(request, max_pages_cap, policy)


# -- answers (the OpenAPI document only) ----------------------------------------------------

Timestamp = Annotated[
    str,
    Field(
        description="ISO 8601 UTC with milliseconds and a `Z`",
        json_schema_extra={"format": "date-time"},
        examples=["2026-03-20T10:00:00.000Z"],
    ),
]


class ErrorBody(Documented):
    """The body of every answer other than 2xx."""

    statusCode: int = Field(description="the HTTP status again", examples=[404])
    error: str = Field(description="the status's reason phrase", examples=["Not Found"])
    message: str = Field(
        description="what is wrong and, where it helps, what to do",
        examples=["job job_abc123def456 not found"],
    )


class Business(Documented):
    """Who the site belongs to. More keys may be added (contact details, social profiles);
    the five below are always in sitelore's answers."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="the business's own name, as it brands itself")
    domain: str = Field(description="registrable domain, without `www.`", examples=["linear.app"])
    category: str = Field(
        description="exactly one label of the industry taxonomy",
        json_schema_extra={"enum": list(INDUSTRIES)},
    )
    description: str = Field(description="one sentence, at most 300 characters")
    logo: str | None = Field(None, description="absolute URL of the logo, or `null`")


class KnowledgeItem(Documented):
    """One self-contained piece of knowledge: a feature, a plan, a question and its answer…"""

    title: str = Field(description="short")
    description: str = Field(description="one sentence")
    content: str = Field(description="the full text, in Markdown (lists and tables kept)")
    category: ItemCategory
    source: str = Field(description="absolute URL of the page it came from")


class ExplainedPage(Documented):
    """What became of one page the crawl took or left, and why."""

    url: str
    kind: str = Field(description="the page's purpose: `pricing`, `about`, `contact` … `other`")
    status: str = Field(description="`done`, `failed`, `skipped` or `unvisited`")
    reason: str


class ExplainedItem(Documented):
    """Why one knowledge item has its category and its title."""

    title: str
    source: str
    category: ItemCategory
    categoryReason: str
    titleReason: str


class Explain(Documented):
    """Why each page was planned or skipped, and why each item has its category and title
    (items in the order of `knowledgeItems`)."""

    pages: list[ExplainedPage]
    items: list[ExplainedItem]


class ExtractResult(Documented):
    """The business profile and its knowledge items."""

    business: Business
    knowledgeItems: list[KnowledgeItem]
    pagesScraped: int = Field(description="pages fetched and extracted successfully")
    urlsDiscovered: int = Field(
        description="distinct same-site URLs found (sitemaps and links), fetched or not"
    )
    durationMs: int = Field(description="`finishedAt - startedAt`, in milliseconds")
    startedAt: Timestamp
    finishedAt: Timestamp
    warnings: list[str] = Field(
        default_factory=list,
        description="what to know about how the result was made, e.g. that script-built "
        "pages could not be rendered (empty when all is well)",
    )
    explain: Explain | None = Field(None, description="only when the request had `explain: true`")


class Progress(Documented):
    """How far a started job is."""

    pagesScraped: int = Field(description="pages fetched and extracted so far")
    totalPages: int = Field(
        description="pages planned so far: it can grow while links are found, never past `maxPages`"
    )
    currentStep: str = Field(
        description="what the job is doing; `Complete` or `Failed` once it has finished",
        examples=["Scraping https://linear.app/features"],
    )


class Job(Documented):
    """An extraction job. Every key is always present; absent values are `null`."""

    id: str = Field(description="`job_` and at least 12 URL-safe characters")
    status: JobStatus = Field(description="`pending` → `processing` → `completed` | `failed`")
    progress: Progress | None = Field(description="`null` while the job is pending")
    result: ExtractResult | None = Field(description="only when `completed`")
    error: str | None = Field(
        description="only when `failed`: the cause, e.g. `Failed to scrape URL: Connection "
        "timeout after 30s`, or `Job cancelled`"
    )
    startedAt: Timestamp | None = Field(description="`null` while the job is pending")
    finishedAt: Timestamp | None = Field(description="`null` until the job has finished")
    durationMs: int | None = Field(description="`null` until the job has finished")


class JobListEntry(Job):
    """A job in a list: with the `url` it extracts, and `result: null`."""

    url: str = Field(description="the `url` of the job's request")


class JobList(Documented):
    """A page of this key's jobs, newest first; each with its `url` and `result: null`."""

    jobs: list[JobListEntry]
    nextCursor: str | None = Field(
        description="pass it as `cursor` for the next page; `null` on the last page"
    )


class JobAccepted(Documented):
    """The job was created (or, for a reused `Idempotency-Key`, found)."""

    jobId: str = Field(examples=["job_abc123def456"])
    status: JobStatus


class Health(Documented):
    """The process is up."""

    status: Literal["ok"]


class Ready(Documented):
    """The database answers."""

    status: Literal["ready"]

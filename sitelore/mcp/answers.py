"""The shapes of the MCP tools' answers, and how each is made from a job or a search.

Every answer is a pydantic model (the tool's output schema) built within the budget of
:class:`~sitelore.mcp.paging.OutputLimits`: a page of entries, each entry's text cut to
the item budget, and a ``nextCursor`` where more is left. Field names are the HTTP API's
(camelCase), so an agent that knows one knows the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from sitelore.jobs.knowledge import DomainSummary, SearchHit, StoredItem
from sitelore.jobs.models import Job, JobStatus
from sitelore.mcp.paging import CURSOR_ROOM, Cursor, OutputLimits, clip, fitting, json_size
from sitelore.mcp.paging import text_piece as _text_piece
from sitelore.models import ItemCategory, JobTask

KNOWLEDGE = "knowledge"  # the cursors of get_knowledge (extract_knowledge's continue there)
MAX_PAGE_ITEMS = 100  # items of one page, at most (fewer when they do not fit)
LINK_SHARE = 5  # a scrape's first page gives at most a fifth of its budget to links
MIN_ROOM = 200  # the text a page always has room for, however long its other fields
LIST_FIELDS = 100  # what a list answer holds besides its entries ({"jobs": [], ...})


class Progress(BaseModel):
    pagesScraped: int
    totalPages: int
    currentStep: str


class Business(BaseModel):
    name: str
    domain: str
    category: str = Field(description="the industry")
    description: str
    logo: str | None


class Item(BaseModel):
    id: str | None = Field(
        default=None, description="a stored item's stable id (none in a job's result)"
    )
    title: str
    category: ItemCategory
    content: str
    source: str = Field(description="the URL of the page it comes from: cite it")
    truncated: bool = Field(default=False, description="content was cut to fit the answer")


class JobAnswer(BaseModel):
    jobId: str
    task: JobTask = Field(description="extract, sitemap or scrape")
    url: str
    status: JobStatus
    progress: Progress | None
    error: str | None = Field(description="why it failed")
    startedAt: str | None
    finishedAt: str | None
    business: Business | None = Field(default=None, description="a completed extraction's")
    itemCount: int | None = Field(default=None, description="a completed extraction's items")
    counts: dict[str, int] | None = Field(default=None, description="those items by category")
    hint: str = Field(default="", description="what to call next")


class ExtractAnswer(JobAnswer):
    items: list[Item] = Field(default_factory=list, description="the first page of items")
    nextCursor: str | None = Field(
        default=None, description="more items: get_knowledge(cursor=...)"
    )


class JobList(BaseModel):
    jobs: list[JobAnswer]
    nextCursor: str | None


class DomainEntry(BaseModel):
    domain: str
    name: str
    itemCount: int
    jobId: str
    updatedAt: float


class KnowledgeAnswer(BaseModel):
    domain: str | None = None
    jobId: str | None = None
    business: Business | None = None
    total: int = Field(default=0, description="items in all (of the category, if one was given)")
    items: list[Item] = Field(default_factory=list)
    domains: list[DomainEntry] | None = Field(
        default=None, description="with neither jobId nor domain: the sites there is knowledge of"
    )
    nextCursor: str | None = None


ItemT = TypeVar("ItemT", bound=Item)


class Hit(Item):
    snippet: str = Field(description="the content around the matches, matches in **")
    score: float = Field(description="0..1 within the query: the best hit is 1")
    domain: str


class SearchAnswer(BaseModel):
    query: str
    total: int = Field(description="every match, exact up to 10,000")
    hits: list[Hit]
    nextCursor: str | None = None


class SitemapPage(BaseModel):
    url: str
    purpose: str = Field(description="the page's kind: home, pricing, faq, about ...")


class SitemapAnswer(BaseModel):
    jobId: str
    status: JobStatus
    url: str
    count: int = Field(default=0, description="URLs found in all (up to the limit asked)")
    pages: list[SitemapPage] = Field(default_factory=list, description="best first")
    nextCursor: str | None = None


class ScrapeAnswer(BaseModel):
    jobId: str
    status: JobStatus
    url: str
    title: str = ""
    description: str = ""
    markdown: str = Field(default="", description="this piece of the page's main text")
    offset: int = Field(default=0, description="where this piece starts in the whole text")
    totalChars: int = Field(default=0, description="the whole text's length")
    links: list[str] = Field(default_factory=list, description="on the first piece only")
    linkCount: int = 0
    nextCursor: str | None = None


class ClassifyAnswer(BaseModel):
    jobId: str
    status: JobStatus
    url: str
    businessName: str | None = None
    businessType: str | None = Field(default=None, description="the schema.org type declared")
    industrySector: str | None = Field(default=None, description="null where it would be Other")
    targetAudience: str | None = None
    description: str | None = None
    valueProposition: str | None = Field(default=None, description="the home page's headline")
    uniqueSellingPoints: list[str] | None = None
    confidenceScore: float | None = Field(default=None, description="of the sector, 0..1")
    domain: str | None = None
    logo: str | None = None
    pages: list[str] = Field(default_factory=list, description="the pages read")
    nextCursor: str | None = Field(default=None, description="while it runs: wait on with it")


# -- jobs ------------------------------------------------------------------------------------


def job_answer(job: Job, limits: OutputLimits) -> JobAnswer:
    """The job without its result's items: for an extraction, its business and counts."""
    return JobAnswer.model_validate(_job_fields(job, limits))


def _job_fields(job: Job, limits: OutputLimits) -> dict[str, Any]:
    shown = job.to_dict(with_result=False)
    fields: dict[str, Any] = {
        "jobId": job.id,
        "task": job.request.task,
        "url": job.request.url,
        "status": job.status,
        "progress": shown["progress"],
        "error": shown["error"],
        "startedAt": shown["startedAt"],
        "finishedAt": shown["finishedAt"],
        "hint": _hint(job),
    }
    if job.status is JobStatus.COMPLETED and job.request.task is JobTask.EXTRACT:
        result = job.result or {}
        items = result.get("knowledgeItems", [])
        fields["business"] = business(result.get("business"), limits)
        fields["itemCount"] = len(items)
        fields["counts"] = dict(Counter(str(item["category"]) for item in items))
    return fields


def _hint(job: Job) -> str:
    if not job.status.finished:
        return "still running: get_job(jobId, waitSeconds=...) waits for it"
    if job.status is JobStatus.FAILED:
        return ""
    if job.request.task is JobTask.EXTRACT:
        return "its items: get_knowledge(jobId=...), or search_knowledge"
    tool = RESULT_TOOLS[job.request.task]
    return f"its result: {tool}(url, cursor={job_cursor(tool, job.id, 0)!r})"


# The tool that reads each task's result, from a cursor naming the job.
RESULT_TOOLS = {
    JobTask.SITEMAP: "get_sitemap",
    JobTask.SCRAPE: "scrape_page",
    JobTask.CLASSIFY: "classify_business",
}


def job_cursor(tool: str, job_id: str, offset: int) -> str:
    """The cursor of ``tool`` (a sitemap, scrape or classification's) for the job's
    result from ``offset``."""
    return Cursor(tool, (job_id,), offset).encode()


def business(data: dict[str, Any] | None, limits: OutputLimits) -> Business | None:
    """A profile's JSON as an answer's, its description cut to the item budget."""
    if data is None:
        return None
    description, _ = clip(str(data.get("description") or ""), limits.item_chars)
    return Business.model_validate({**data, "description": description})


def extract_answer(job: Job, limits: OutputLimits) -> ExtractAnswer:
    """The job and, once it is done, the first page of its items."""
    answer = ExtractAnswer.model_validate(_job_fields(job, limits))
    if answer.itemCount is None:
        return answer
    items = job_items(job, None)
    used = json_size(answer.model_dump())
    page, next_offset = items_page(items, 0, MAX_PAGE_ITEMS, limits, used)
    answer.items = page
    if next_offset is not None:
        answer.nextCursor = knowledge_cursor(("job", job.id, ""), next_offset)
    return answer


def knowledge_cursor(subject: tuple[str, ...], offset: int) -> str:
    return Cursor(KNOWLEDGE, subject, offset).encode()


# -- items -----------------------------------------------------------------------------------


def job_items(job: Job, category: ItemCategory | None) -> list[Item]:
    """A completed extraction's items (of ``category``, if given), uncut."""
    result = job.result or {}
    items = [
        Item(
            title=entry["title"],
            category=ItemCategory(entry["category"]),
            content=entry["content"],
            source=entry["source"],
        )
        for entry in result.get("knowledgeItems", [])
    ]
    return [item for item in items if category is None or item.category is category]


def stored_items(items: Sequence[StoredItem], category: ItemCategory | None) -> list[Item]:
    return [
        Item(
            id=item.id,
            title=item.title,
            category=item.category,
            content=item.content,
            source=item.source,
        )
        for item in items
        if category is None or item.category is category
    ]


def items_page(
    items: Sequence[Item], offset: int, limit: int, limits: OutputLimits, used: int
) -> tuple[list[Item], int | None]:
    """Up to ``limit`` of ``items`` from ``offset``, each cut to the item budget, as many as
    fit beside the ``used`` characters of the rest of the answer; the next offset, if any."""
    page = [_cut(item, limits) for item in items[offset : offset + limit]]
    count = fitting([item.model_dump() for item in page], _room(limits, used))
    end = offset + count
    return page[:count], end if end < len(items) else None


def _cut(item: ItemT, limits: OutputLimits) -> ItemT:
    content, cut = clip(item.content, limits.item_chars)
    title, _ = clip(item.title, limits.item_chars // 4)
    return item.model_copy(update={"content": content, "title": title, "truncated": cut})


def _room(limits: OutputLimits, used: int) -> int:
    """The characters left for a page's entries (or text) beside ``used``."""
    return max(limits.max_chars - used - CURSOR_ROOM, MIN_ROOM)


def search_answer(
    query: str, total: int, hits: Sequence[SearchHit], offset: int, limits: OutputLimits
) -> tuple[SearchAnswer, int]:
    """The hits from ``offset`` that fit; and how many of them there are."""
    answer = SearchAnswer(query=query, total=total, hits=[])
    page = [
        _cut(
            Hit(
                id=hit.id,
                title=hit.title,
                category=hit.category,
                content=hit.content,
                source=hit.source,
                snippet=clip(hit.snippet, limits.item_chars // 2)[0],
                score=hit.score,
                domain=hit.domain,
            ),
            limits,
        )
        for hit in hits[offset:]
    ]
    used = json_size(answer.model_dump())
    count = fitting([hit.model_dump() for hit in page], _room(limits, used))
    answer.hits = page[:count]
    return answer, count


# -- lists from the store --------------------------------------------------------------------


def domain_entry(summary: DomainSummary) -> DomainEntry:
    return DomainEntry(
        domain=summary.domain,
        name=summary.name,
        itemCount=summary.item_count,
        jobId=summary.job_id,
        updatedAt=summary.updated_at,
    )


def fitting_count(entries: Sequence[BaseModel], limits: OutputLimits) -> int:
    """How many of ``entries`` (a list answer's) fit its budget."""
    return fitting([entry.model_dump() for entry in entries], _room(limits, LIST_FIELDS))


# -- sitemap and scrape ----------------------------------------------------------------------


def sitemap_answer(
    job: Job, offset: int, limits: OutputLimits, cursor: Callable[[int], str]
) -> SitemapAnswer:
    """The job's URLs from ``offset`` (none while it runs: ``cursor(0)`` waits on)."""
    answer = SitemapAnswer(jobId=job.id, status=job.status, url=job.request.url)
    if job.status is not JobStatus.COMPLETED:
        answer.nextCursor = cursor(0)
        return answer
    result = job.result or {}
    pages = [SitemapPage.model_validate(page) for page in result.get("pages", [])]
    answer.count = len(pages)
    used = json_size(answer.model_dump())
    count = fitting([page.model_dump() for page in pages[offset:]], _room(limits, used))
    answer.pages = pages[offset : offset + count]
    if offset + count < len(pages):
        answer.nextCursor = cursor(offset + count)
    return answer


def classify_answer(job: Job, limits: OutputLimits) -> ClassifyAnswer:
    """The job's classification (none while it runs: the cursor waits on)."""
    answer = ClassifyAnswer(jobId=job.id, status=job.status, url=job.request.url)
    if job.status is not JobStatus.COMPLETED:
        answer.nextCursor = job_cursor("classify_business", job.id, 0)
        return answer
    result = dict(job.result or {})
    for name in ("description", "valueProposition", "targetAudience", "businessName"):
        if isinstance(result.get(name), str):
            result[name] = clip(result[name], limits.item_chars)[0]
    return ClassifyAnswer.model_validate({**result, "jobId": job.id, "status": job.status})


def scrape_answer(
    job: Job, offset: int, limits: OutputLimits, cursor: Callable[[int], str]
) -> ScrapeAnswer:
    """The page's text from character ``offset`` (and its links on the first piece)."""
    answer = ScrapeAnswer(jobId=job.id, status=job.status, url=job.request.url)
    if job.status is not JobStatus.COMPLETED:
        answer.nextCursor = cursor(0)
        return answer
    result = job.result or {}
    markdown: str = result.get("markdown", "")
    links: list[str] = [link for link in result.get("links", []) if len(link) <= 2048]
    answer.title = clip(result.get("title", ""), limits.item_chars // 4)[0]
    answer.description = clip(result.get("description", ""), limits.item_chars // 2)[0]
    answer.url = result.get("url", answer.url)
    answer.offset, answer.totalChars, answer.linkCount = offset, len(markdown), len(links)
    if offset == 0:
        answer.links = links[: fitting(links, limits.max_chars // LINK_SHARE)]
    piece = _text_piece(markdown, offset, _room(limits, json_size(answer.model_dump())))
    answer.markdown = piece
    if offset + len(piece) < len(markdown):
        answer.nextCursor = cursor(offset + len(piece))
    return answer

"""The MCP tools of sitelore, declared on the official ``mcp`` SDK.

:func:`build_server` makes one ``MCPServer`` whose tools ask a
:class:`~sitelore.mcp.service.ToolService` for everything, on behalf of the owner that
``caller_of`` finds for each call (the local owner over stdio, the key's id over HTTP).
The tools the hosted anchor has keep its names and arguments (``extract_knowledge``,
``classify_business``, ``get_sitemap``, ``scrape_page``, ``search_knowledge``);
``get_knowledge``, ``get_job``, ``list_jobs`` and ``cancel_job`` are ours (what each says
to an agent: :mod:`sitelore.mcp.descriptions`). Each answer is a structured result whose
text is the same JSON, compact, within the character budget of
:class:`~sitelore.mcp.paging.OutputLimits`; what is left out comes with a ``nextCursor``.

A tool that cannot answer (a bad argument, a URL the network guard refuses, another
owner's job, a failed crawl) answers an error result with one sentence saying why.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from sitelore.errors import RefusedByGuard, SiteloreError
from sitelore.jobs.models import JobEvent, JobStatus
from sitelore.jobs.store import StoreUnavailable
from sitelore.mapping import MAX_LIMIT
from sitelore.mcp import answers
from sitelore.mcp.answers import (
    ClassifyAnswer,
    ExtractAnswer,
    JobAnswer,
    JobList,
    KnowledgeAnswer,
    ScrapeAnswer,
    SearchAnswer,
    SitemapAnswer,
)
from sitelore.mcp.descriptions import (
    CANCEL,
    CLASSIFY,
    EXTRACT,
    GET_JOB,
    INSTRUCTIONS,
    KNOWLEDGE,
    LIST_JOBS,
    QUERY,
    SCRAPE,
    SEARCH,
    SITEMAP,
)
from sitelore.mcp.paging import BadCursor, Cursor, OutputLimits, compact, json_size
from sitelore.mcp.service import ToolService
from sitelore.models import ExtractRequest, ItemCategory
from sitelore.settings import GUARD_SETTINGS

P = ParamSpec("P")
MAX_WAIT = 300.0
MAX_SEARCH_HITS = 100  # the store answers the best 100 of a query at most


@dataclass(frozen=True)
class Caller:
    """Who a tool call is for: the service to ask and the owner it asks for."""

    service: ToolService
    owner: str


CallerOf = Callable[[Context], Caller]
Url = Annotated[str, Field(description="http(s) URL", max_length=2048)]
Wait = Annotated[
    float,
    Field(ge=0, le=MAX_WAIT, description="seconds to wait for the job before answering"),
]
CursorArg = Annotated[
    str | None,
    Field(description="the nextCursor of the last answer, to go on from there", max_length=1000),
]
Patterns = Annotated[
    list[str] | None, Field(description="URL path globs, e.g. /blog/**", max_length=100)
]


def build_server(
    caller_of: CallerOf, limits: OutputLimits, *, guard_advice: str, version: str = "0.1.0"
) -> MCPServer:
    """The sitelore MCP server. ``guard_advice`` ends the message of a URL the network
    guard refuses: how this server's operator opens it, with ``{setting}`` for the
    setting's name."""
    server = MCPServer("sitelore", instructions=INSTRUCTIONS, version=version, log_level="WARNING")
    Tools(caller_of, limits, guard_advice).register(server)
    return server


def _result(answer: BaseModel) -> CallToolResult:
    """The answer as structured content, and as its compact JSON for the model to read."""
    data = answer.model_dump(mode="json")
    return CallToolResult(
        content=[TextContent(type="text", text=compact(data))], structured_content=data
    )


class _Progress:
    """Turns a job's ``progress`` events into MCP progress notifications (pages scraped
    out of pages planned), each higher than the last, as the protocol wants."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.last = -1

    async def __call__(self, event: JobEvent) -> None:
        if event.name != "progress":
            return
        done = int(event.data.get("pagesScraped", 0))
        if done <= self.last:
            return
        self.last = done
        total = max(int(event.data.get("totalPages", 0)), done)
        await self.ctx.report_progress(done, total, str(event.data.get("currentStep", "")))


class Tools:
    """The tools, over ``caller_of``; :meth:`register` adds them to a server."""

    def __init__(self, caller_of: CallerOf, limits: OutputLimits, guard_advice: str) -> None:
        self.caller_of = caller_of
        self.limits = limits
        self.guard_advice = guard_advice

    def register(self, server: MCPServer) -> None:
        for tool, description, hints in (
            (self.extract_knowledge, EXTRACT, _hints(read_only=False, open_world=True)),
            (self.get_sitemap, SITEMAP, _hints(read_only=True, open_world=True)),
            (self.scrape_page, SCRAPE, _hints(read_only=True, open_world=True)),
            (self.classify_business, CLASSIFY, _hints(read_only=True, open_world=True)),
            (self.search_knowledge, SEARCH, _hints(read_only=True)),
            (self.get_knowledge, KNOWLEDGE, _hints(read_only=True)),
            (self.get_job, GET_JOB, _hints(read_only=True)),
            (self.list_jobs, LIST_JOBS, _hints(read_only=True)),
            (self.cancel_job, CANCEL, _hints(read_only=False, destructive=True)),
        ):
            server.add_tool(
                self._worded(tool), name=tool.__name__, description=description, annotations=hints
            )

    def _worded(
        self, tool: Callable[P, Awaitable[CallToolResult]]
    ) -> Callable[P, Awaitable[CallToolResult]]:
        """``tool``, with sitelore's errors said as tool errors (one sentence, no trace)."""

        @functools.wraps(tool)
        async def worded(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
            try:
                return await tool(*args, **kwargs)
            except RefusedByGuard as error:
                setting = GUARD_SETTINGS.get(error.opened_by, "the network guard's settings")
                raise ToolError(f"{error}; {self.guard_advice.format(setting=setting)}") from None
            except (SiteloreError, ValueError) as error:
                raise ToolError(str(error)) from None
            except StoreUnavailable:
                raise ToolError("the database is unreachable now; try again later") from None

        return worded

    # -- crawling ------------------------------------------------------------------------------

    async def extract_knowledge(
        self,
        url: Url,
        ctx: Context,
        maxPages: Annotated[int, Field(ge=1, description="pages to extract at most")] = 10,
        singlePage: Annotated[bool, Field(description="only the page at url")] = False,
        urls: Annotated[
            list[str] | None, Field(description="exactly these pages of the site", max_length=100)
        ] = None,
        includePatterns: Patterns = None,
        excludePatterns: Patterns = None,
        waitSeconds: Wait = 50.0,
    ) -> Annotated[CallToolResult, ExtractAnswer]:
        caller = self.caller_of(ctx)
        request = ExtractRequest(
            url,
            max_pages=maxPages,
            single_page=singlePage,
            include_patterns=tuple(includePatterns or ()),
            exclude_patterns=tuple(excludePatterns or ()),
            urls=None if urls is None else tuple(urls),
        )
        job = await caller.service.extract(caller.owner, request, waitSeconds, _Progress(ctx))
        if job.status is JobStatus.FAILED:
            raise ToolError(f"the extraction of {job.request.url} failed: {job.error} ({job.id})")
        return _result(answers.extract_answer(job, self.limits))

    async def get_sitemap(
        self,
        url: Url,
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="URLs at most")] = 100,
        includePatterns: Patterns = None,
        excludePatterns: Patterns = None,
        waitSeconds: Wait = 50.0,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, SitemapAnswer]:
        caller = self.caller_of(ctx)
        if cursor is not None:
            job_id, offset = self._job_cursor(cursor, "get_sitemap")
            job = await caller.service.get_job(caller.owner, job_id, waitSeconds)
        else:
            include, exclude = list(includePatterns or ()), list(excludePatterns or ())
            job = await caller.service.sitemap(
                caller.owner, url, limit, include, exclude, waitSeconds
            )
            offset = 0
        _raise_failed(job.status, job.error, job.request.url)
        cursor_at = functools.partial(answers.job_cursor, "get_sitemap", job.id)
        return _result(answers.sitemap_answer(job, offset, self.limits, cursor_at))

    async def scrape_page(
        self, url: Url, ctx: Context, waitSeconds: Wait = 50.0, cursor: CursorArg = None
    ) -> Annotated[CallToolResult, ScrapeAnswer]:
        caller = self.caller_of(ctx)
        if cursor is not None:
            job_id, offset = self._job_cursor(cursor, "scrape_page")
            job = await caller.service.get_job(caller.owner, job_id, waitSeconds)
        else:
            job = await caller.service.scrape(caller.owner, url, waitSeconds)
            offset = 0
        _raise_failed(job.status, job.error, job.request.url)
        cursor_at = functools.partial(answers.job_cursor, "scrape_page", job.id)
        return _result(answers.scrape_answer(job, offset, self.limits, cursor_at))

    async def classify_business(
        self, url: Url, ctx: Context, waitSeconds: Wait = 50.0, cursor: CursorArg = None
    ) -> Annotated[CallToolResult, ClassifyAnswer]:
        caller = self.caller_of(ctx)
        if cursor is not None:
            job_id, _ = self._job_cursor(cursor, "classify_business")
            job = await caller.service.get_job(caller.owner, job_id, waitSeconds)
        else:
            job = await caller.service.classify(caller.owner, url, waitSeconds)
        _raise_failed(job.status, job.error, job.request.url)
        return _result(answers.classify_answer(job, self.limits))

    def _job_cursor(self, cursor: str, tool: str) -> tuple[str, int]:
        found = Cursor.decode(cursor, tool, tool)
        if len(found.subject) != 1:
            raise BadCursor(tool)
        return found.subject[0], found.offset

    # -- knowledge -----------------------------------------------------------------------------

    async def search_knowledge(
        self,
        query: Annotated[str, Field(min_length=1, max_length=2000, description=QUERY)],
        ctx: Context,
        domain: Annotated[str | None, Field(description="only this site's, e.g. acme.com")] = None,
        category: Annotated[ItemCategory | None, Field(description="only this category")] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="hits per page")] = 10,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, SearchAnswer]:
        caller = self.caller_of(ctx)
        offset = 0
        if cursor is not None:  # the search it continues, from where it stopped
            found = Cursor.decode(cursor, "search_knowledge", "search_knowledge")
            if len(found.subject) != 3:
                raise BadCursor("search_knowledge")
            query, domain, kind = found.subject[0], found.subject[1] or None, found.subject[2]
            category, offset = ItemCategory(kind) if kind else None, found.offset
        fetch = min(offset + limit, MAX_SEARCH_HITS)
        hits = await caller.service.search(caller.owner, query, domain, category, fetch)
        answer, count = answers.search_answer(
            hits.query, hits.total, hits.hits[:fetch], offset, self.limits
        )
        end = offset + count
        if end < min(hits.total, MAX_SEARCH_HITS):
            subject = (query, domain or "", category.value if category else "")
            answer.nextCursor = Cursor("search_knowledge", subject, end).encode()
        return _result(answer)

    async def get_knowledge(
        self,
        ctx: Context,
        jobId: Annotated[str | None, Field(description="an extraction's job id")] = None,
        domain: Annotated[str | None, Field(description="a site's domain, e.g. acme.com")] = None,
        category: Annotated[ItemCategory | None, Field(description="only this category")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="items per page")] = 25,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, KnowledgeAnswer]:
        caller = self.caller_of(ctx)
        if cursor is not None:
            found = Cursor.decode(cursor, answers.KNOWLEDGE, "get_knowledge")
            return _result(await self._knowledge_page(caller, found.subject, found.offset, limit))
        if jobId is not None and domain is not None:
            raise ToolError("give jobId or domain, not both")
        if jobId is None and domain is None:
            return _result(await self._domains(caller, limit))
        source = ("job", jobId) if jobId is not None else ("domain", str(domain))
        subject = (*source, category.value if category else "")
        return _result(await self._knowledge_page(caller, subject, 0, limit))

    async def _knowledge_page(
        self, caller: Caller, subject: tuple[str, ...], offset: int, limit: int
    ) -> KnowledgeAnswer:
        if len(subject) != 3 or subject[0] not in ("job", "domain", "domains"):
            raise BadCursor("get_knowledge")
        kind, name, category_name = subject
        if kind == "domains":
            return await self._domains(caller, limit, name or None)
        category = ItemCategory(category_name) if category_name else None
        if kind == "job":
            job = await caller.service.get_job(caller.owner, name)
            if job.status is not JobStatus.COMPLETED or job.result is None:
                raise ToolError(_not_ready(job.id, job.status, job.request.task.value))
            answer = KnowledgeAnswer(jobId=job.id)
            answer.business = answers.business(job.result.get("business"), self.limits)
            items = answers.job_items(job, category)
        else:
            stored = await caller.service.knowledge(caller.owner, name)
            if stored is None:
                raise ToolError(f"no knowledge of {name}: extract_knowledge crawls it")
            answer = KnowledgeAnswer(domain=stored.domain, jobId=stored.job_id)
            answer.business = answers.business(stored.profile.to_dict(), self.limits)
            items = answers.stored_items(stored.items, category)
        answer.total = len(items)
        used = json_size(answer.model_dump())
        answer.items, next_offset = answers.items_page(items, offset, limit, self.limits, used)
        if next_offset is not None:
            answer.nextCursor = answers.knowledge_cursor(subject, next_offset)
        return answer

    async def _domains(
        self, caller: Caller, limit: int, after: str | None = None
    ) -> KnowledgeAnswer:
        async def fetch(count: int) -> tuple[list[answers.DomainEntry], str | None]:
            found, following = await caller.service.domains(caller.owner, count, after)
            return [answers.domain_entry(summary) for summary in found], following

        entries, following = await _fitted(fetch, limit, self.limits)
        next_cursor = None
        if following is not None:
            next_cursor = answers.knowledge_cursor(("domains", following, ""), 0)
        return KnowledgeAnswer(domains=entries, nextCursor=next_cursor)

    # -- jobs ----------------------------------------------------------------------------------

    async def get_job(
        self,
        jobId: Annotated[str, Field(description="the job's id (job_...)")],
        ctx: Context,
        waitSeconds: Annotated[
            float, Field(ge=0, le=MAX_WAIT, description="wait this long for it to finish")
        ] = 0.0,
    ) -> Annotated[CallToolResult, JobAnswer]:
        caller = self.caller_of(ctx)
        job = await caller.service.get_job(caller.owner, jobId, waitSeconds, _Progress(ctx))
        return _result(answers.job_answer(job, self.limits))

    async def list_jobs(
        self,
        ctx: Context,
        status: Annotated[JobStatus | None, Field(description="only jobs in this state")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="jobs per page")] = 20,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, JobList]:
        caller = self.caller_of(ctx)

        async def fetch(count: int) -> tuple[list[JobAnswer], str | None]:
            found, following = await caller.service.list_jobs(caller.owner, status, count, cursor)
            return [answers.job_answer(job, self.limits) for job in found], following

        jobs, following = await _fitted(fetch, limit, self.limits)
        return _result(JobList(jobs=jobs, nextCursor=following))

    async def cancel_job(
        self, jobId: Annotated[str, Field(description="the job's id (job_...)")], ctx: Context
    ) -> Annotated[CallToolResult, JobAnswer]:
        caller = self.caller_of(ctx)
        job = await caller.service.cancel(caller.owner, jobId)
        return _result(answers.job_answer(job, self.limits))


Entry = TypeVar("Entry", bound=BaseModel)


async def _fitted(
    fetch: Callable[[int], Awaitable[tuple[list[Entry], str | None]]],
    limit: int,
    limits: OutputLimits,
) -> tuple[list[Entry], str | None]:
    """A page of a list the store pages itself: as many of ``limit`` entries as fit; when
    fewer fit, the page is asked again that long, for the store's cursor after it."""
    entries, following = await fetch(limit)
    count = answers.fitting_count(entries, limits)
    if count < len(entries):
        entries, following = await fetch(count)
    return entries, following


def _raise_failed(status: JobStatus, error: str | None, url: str) -> None:
    if status is JobStatus.FAILED:
        raise ToolError(f"{url} could not be read: {error}")


def _not_ready(job_id: str, status: JobStatus, task: str) -> str:
    if task != "extract":
        return f"job {job_id} is a {task} job: it has no knowledge items"
    if status is JobStatus.FAILED:
        return f"job {job_id} failed: it has no knowledge items"
    return f"job {job_id} is {status.value}: get_job(jobId, waitSeconds=...) waits for it"


def _hints(
    *, read_only: bool, open_world: bool = False, destructive: bool = False
) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=read_only,
        destructive_hint=destructive,
        idempotent_hint=False,
        open_world_hint=open_world,
    )

"""What the framework loaders share, free of any framework: which knowledge a loader reads,
from where, and each item's text and metadata.

A loader reads one of three sources:

- ``url``: a site, extracted now: in this process as ``sitelore extract`` does it
  (:func:`sitelore.pipeline.extract_locally`), or as a job on a server;
- ``job_id``: the result of a server's extraction job (waited for if it still runs);
- ``domain``: a site's stored knowledge: the local store that ``sitelore extract --save``
  fills (read as ``sitelore search`` reads it), or a server's (``GET /v1/knowledge/{domain}``).

With ``base_url`` and ``api_key`` everything goes through :class:`sitelore.AsyncClient`;
without them it runs here. Nothing here reads the environment: the local store is
``data_dir`` (default ``~/.local/share/sitelore``; pass the CLI's ``SITELORE_DATA_DIR`` if
you set one) or ``database_url``.

One :class:`LoadedItem` per knowledge item. Its text is the item's content, which names
the item's title in its first line (a ``## Title`` heading); content that does not gets
the title and a blank line before it. Its metadata: ``item_id``, ``domain``,
``category``, ``source`` (the page's URL), ``title``, ``description``, ``business`` (the
site's business name), and ``job_id`` when a job made it (``"local"`` for a local
``--save``). ``item_id`` is the knowledge store's id for a stored item; for an
extraction's item it is the id the item gets in the local store, a hash of the item and
its site, so the same item always has the same id.

Errors are sitelore's (:mod:`sitelore.errors`): a server's answers as the client raises
them (``NotFoundError``, ``AuthenticationError`` ...), ``ExtractionFailed`` for a job that
failed, ``KnowledgeNotFound`` for a domain the local store lacks; options that do not go
together are a ``ValueError`` when the loader is made, an unknown one a ``TypeError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from sitelore.core.urls import registrable_domain
from sitelore.errors import ExtractionFailed, KnowledgeNotFound
from sitelore.jobs.knowledge import LOCAL_OWNER, item_id
from sitelore.models import CrawlOptions, ExtractRequest, ItemCategory, KnowledgeItem

if TYPE_CHECKING:
    from sitelore.client import AsyncClient
    from sitelore.settings import Settings

T = TypeVar("T")

POLL_INTERVAL = 1.0  # seconds between looks at a server's job (the client backs off from it)


class LoadOptions(TypedDict, total=False):
    """The options every loader takes, by name (all optional; one source is required)."""

    job_id: str | None  # a server's extraction job, instead of a url
    domain: str | None  # a site's stored knowledge, instead of a url
    base_url: str | None  # a sitelore server, e.g. "http://localhost:8000"
    api_key: str | None  # the server's key (with base_url)
    timeout: float | None  # seconds to wait for a server's job (None: as long as it takes)
    max_pages: int | None  # for a url: the pages to extract (default 10)
    single_page: bool | None  # for a url: only that page
    include_patterns: Sequence[str] | None  # for a url: path globs a page must match
    exclude_patterns: Sequence[str] | None  # for a url: path globs to leave out
    data_dir: str | Path | None  # here: the local store's directory
    database_url: str | None  # here: a PostgreSQL store instead of the directory's
    chromium: str | None  # here: the browser for script-built pages (else the installed one)
    crawl_options: CrawlOptions | None  # here: timeouts, user agent, robots.txt ...


URL_ONLY = ("max_pages", "single_page", "include_patterns", "exclude_patterns")
HERE_ONLY = ("data_dir", "database_url", "chromium", "crawl_options")
SERVER_ONLY = ("api_key", "timeout")


@dataclass(frozen=True)
class LoadedItem:
    """One knowledge item as a loader hands it on."""

    id: str
    title: str
    description: str
    content: str
    category: str
    source: str
    domain: str
    business: str
    job_id: str | None = None

    @property
    def text(self) -> str:
        """The content, after the title unless its first line names the title already."""
        first_line = self.content.lstrip().split("\n", 1)[0]
        if self.title.strip() and self.title.strip() not in first_line:
            return f"{self.title}\n\n{self.content}".strip()
        return self.content.strip() or self.title

    def metadata(self) -> dict[str, str]:
        data = {
            "item_id": self.id,
            "domain": self.domain,
            "category": self.category,
            "source": self.source,
            "title": self.title,
            "description": self.description,
            "business": self.business,
        }
        if self.job_id is not None:
            data["job_id"] = self.job_id
        return data


@dataclass(frozen=True)
class ItemSource:
    """Where a loader's items come from: build with :meth:`of`, read with :meth:`load`."""

    url: str | None
    options: LoadOptions

    @classmethod
    def of(cls, url: str | None, options: Mapping[str, Any]) -> ItemSource:
        """Checks that the options name one source and fit it; raises ``TypeError`` for an
        unknown option and ``ValueError`` for options that do not go together."""
        unknown = sorted(set(options) - set(LoadOptions.__annotations__))
        if unknown:
            raise TypeError(f"unknown option {unknown[0]!r}")
        values = {name: value for name, value in options.items() if value is not None}
        for patterns in ("include_patterns", "exclude_patterns"):
            if isinstance(values.get(patterns), str):  # one glob, not its characters
                values[patterns] = (values[patterns],)
        given = cast(LoadOptions, values)
        _check(url, given)
        return cls(url, given)

    def load(self) -> list[LoadedItem]:
        """The items (blocking; from async code too, on a thread of its own)."""
        return run_blocking(self.aload())

    async def aload(self) -> list[LoadedItem]:
        if "base_url" in self.options:
            return await self._from_server()
        return await self._from_here()

    async def _from_server(self) -> list[LoadedItem]:
        from sitelore.client import AsyncClient

        options = self.options
        async with AsyncClient(options["base_url"] or "", options["api_key"] or "") as client:
            if self.url is not None:
                job_id = await client.extract_async(self.url, **_request_fields(options))
                return await _job_items(client, job_id, options.get("timeout"))
            if "job_id" in options:
                return await _job_items(client, options["job_id"] or "", options.get("timeout"))
            return knowledge_items(await client.knowledge(self._domain()))

    async def _from_here(self) -> list[LoadedItem]:
        if self.url is None:
            return knowledge_items(await _stored_knowledge(self._settings(), self._domain()))
        from sitelore.pipeline import extract_locally

        options = self.options
        max_pages = options.get("max_pages")
        request = ExtractRequest(
            url=self.url,
            max_pages=10 if max_pages is None else max_pages,
            single_page=bool(options.get("single_page")),
            include_patterns=tuple(options.get("include_patterns") or ()),
            exclude_patterns=tuple(options.get("exclude_patterns") or ()),
        )
        result = await extract_locally(
            request, options=options.get("crawl_options"), chromium=options.get("chromium")
        )
        return result_items(result.to_dict())

    def _domain(self) -> str:
        return registrable_domain((self.options.get("domain") or "").strip())

    def _settings(self) -> Settings:
        from sitelore.settings import Settings

        settings = Settings(database_url=self.options.get("database_url") or "")
        data_dir = self.options.get("data_dir")
        return settings if data_dir is None else replace(settings, data_dir=Path(data_dir))


def _check(url: str | None, given: LoadOptions) -> None:
    sources = [name for name in ("url", "job_id", "domain") if (given | {"url": url}).get(name)]
    if len(sources) != 1:
        named = " and ".join(sources) or "none"
        raise ValueError(f"give one of url, job_id or domain (got {named})")
    remote = "base_url" in given
    if remote != ("api_key" in given):
        raise ValueError("base_url and api_key go together: the server and its key")
    if "job_id" in given and not remote:
        raise ValueError("a job_id names a job on a server: give base_url and api_key too")
    misplaced = [name for name in (HERE_ONLY if remote else SERVER_ONLY) if name in given]
    if url is None:
        misplaced += [name for name in URL_ONLY if name in given]
    if misplaced:
        name = misplaced[0]
        if name in URL_ONLY:
            raise ValueError(f"{name} is only for a url (a job or a domain is read as it is)")
        where = "in this process (not with base_url)" if remote else "from a server (base_url)"
        raise ValueError(f"{name} is only for loading {where}")


def _request_fields(options: LoadOptions) -> dict[str, Any]:
    """A url's extraction request as the API names its fields (only those given)."""
    fields: dict[str, Any] = {}
    if "max_pages" in options:
        fields["maxPages"] = options["max_pages"]
    if "single_page" in options:
        fields["singlePage"] = options["single_page"]
    if "include_patterns" in options:
        fields["includePatterns"] = list(options["include_patterns"] or ())
    if "exclude_patterns" in options:
        fields["excludePatterns"] = list(options["exclude_patterns"] or ())
    return fields


async def _job_items(client: AsyncClient, job_id: str, timeout: float | None) -> list[LoadedItem]:
    job = await client.get_job(job_id)
    if job["status"] not in ("completed", "failed"):
        job = await client.wait(job_id, POLL_INTERVAL, timeout)
    if job["status"] == "failed":
        raise ExtractionFailed(f"job {job_id} failed: {job.get('error') or 'no reason given'}")
    result = job.get("result") or {}
    if "knowledgeItems" not in result:
        raise ValueError(f"job {job_id} is not an extraction: its result has no knowledge items")
    return result_items(result, job_id)


async def _stored_knowledge(settings: Settings, domain: str) -> dict[str, Any]:
    """The domain's stored knowledge as ``GET /v1/knowledge/{domain}`` answers it."""
    from sitelore.jobs.pgsql import describe
    from sitelore.runtime.backends import open_store

    url = settings.database_url
    where = describe(url) if url else str(settings.database_path)
    if not url and not settings.database_path.exists():  # opening it would make it
        raise KnowledgeNotFound(f"no local knowledge store at {where}")
    store = await open_store(settings)
    try:
        found = await store.knowledge().get_knowledge(LOCAL_OWNER, domain)
    finally:
        await store.close()
    if found is None:
        raise KnowledgeNotFound(f"no knowledge of {domain} in {where}")
    return {
        "domain": found.domain,
        "business": found.profile.to_dict(),
        "knowledgeItems": [item.to_dict() for item in found.items],
    }


def result_items(result: Mapping[str, Any], job_id: str | None = None) -> list[LoadedItem]:
    """The items of an extraction's result (its JSON, as the API and the CLI give it)."""
    business = result["business"]
    domain = registrable_domain(business["domain"])
    items = []
    for entry in result["knowledgeItems"]:
        item = KnowledgeItem(
            entry["title"],
            entry["description"],
            entry["content"],
            ItemCategory(entry["category"]),
            entry["source"],
        )
        identity = item_id(LOCAL_OWNER, domain, item)
        items.append(_loaded(identity, entry, domain, business["name"], job_id))
    return items


def knowledge_items(knowledge: Mapping[str, Any]) -> list[LoadedItem]:
    """The items of a domain's stored knowledge (``GET /v1/knowledge/{domain}``'s JSON)."""
    name = knowledge["business"]["name"]
    return [
        _loaded(entry["id"], entry, knowledge["domain"], name, entry.get("jobId"))
        for entry in knowledge["knowledgeItems"]
    ]


def _loaded(
    identity: str, entry: Mapping[str, Any], domain: str, business: str, job_id: str | None
) -> LoadedItem:
    return LoadedItem(
        id=identity,
        title=entry["title"],
        description=entry["description"],
        content=entry["content"],
        category=entry["category"],
        source=entry["source"],
        domain=domain,
        business=business,
        job_id=job_id,
    )


def run_blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end. Called from code that runs an event loop on this thread (a
    notebook, an async framework calling a blocking API), it runs on a thread of its own,
    since a loop cannot be started inside a running one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(1, thread_name_prefix="sitelore-load") as pool:
        return pool.submit(asyncio.run, work).result()

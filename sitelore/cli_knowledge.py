"""The knowledge side of the ``sitelore`` command: ``search`` (the local store, or a
server's with ``--server``), and where ``extract --save`` keeps what it extracted.

Without a server, knowledge lives in the store of the settings (the data directory's
SQLite file, or ``SITELORE_DATABASE_URL``) under the local owner; a server keeps each
key's apart.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from sitelore.cli_args import BadInput, server_key
from sitelore.cli_server import DataDirOption

if TYPE_CHECKING:
    from pathlib import Path

    from sitelore.jobs.store import JobStore
    from sitelore.models import ExtractRequest, ExtractResult, ItemCategory


def register(app: typer.Typer) -> None:
    app.command()(search)


def search(
    query: Annotated[str, typer.Argument(help='Words that must all appear; "a phrase" in quotes.')],
    domain: Annotated[str | None, typer.Option(help="Only this site's items.")] = None,
    category: Annotated[str | None, typer.Option(help="Only items of this category.")] = None,
    limit: Annotated[int, typer.Option(help="Hits to show (1-100).")] = 10,
    data_dir: DataDirOption = None,
    server: Annotated[
        str | None,
        typer.Option("--server", help="Search the knowledge of a sitelore server at this URL."),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Key for --server (or SITELORE_API_KEY).")
    ] = None,
) -> None:
    """Search the knowledge saved by `sitelore extract --save`, or a server's (JSON on
    stdout)."""
    from sitelore.models import ItemCategory

    if category is not None and category.upper() not in ItemCategory.__members__:
        names = ", ".join(ItemCategory.__members__)
        raise BadInput(f"--category must be one of {names}, got {category!r}")
    kind = None if category is None else ItemCategory[category.upper()]
    if server is None:
        answer = _search_locally(query, domain, kind, limit, data_dir)
    elif data_dir is not None:
        raise BadInput("--data-dir is the local store's: --server searches the server's")
    else:
        answer = _search_server(server, server_key(api_key), query, domain, kind, limit)
    sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")


def _search_locally(
    query: str,
    domain: str | None,
    category: ItemCategory | None,
    limit: int,
    data_dir: Path | None,
) -> dict[str, object]:
    from sitelore.cli_server import _settings, _with_store
    from sitelore.jobs.knowledge import LOCAL_OWNER

    async def run(store: JobStore) -> dict[str, object]:
        found = await store.knowledge().search(
            LOCAL_OWNER, query, domain=domain, category=category, limit=limit
        )
        hits = [hit.to_dict() for hit in found.hits]
        return {"hits": hits, "total": found.total, "query": found.query}

    return _with_store(_settings(data_dir=data_dir), run)


def _search_server(
    server: str,
    key: str,
    query: str,
    domain: str | None,
    category: ItemCategory | None,
    limit: int,
) -> dict[str, object]:
    """The same search on a server: its answer has the local one's shape."""
    from sitelore.client import Client

    with Client(server, key) as client:
        return client.search(query, domain=domain, category=category, limit=limit)


def save_locally(request: ExtractRequest, result: ExtractResult, done: set[str]) -> str:
    """Keep ``result`` in the local store; where it went, for the user."""
    from sitelore.cli_server import _settings, _where, _with_store
    from sitelore.jobs.knowledge import LOCAL_OWNER, replaced_pages, site_domain

    settings = _settings()
    pages = replaced_pages(request, result, done)

    async def run(store: JobStore) -> None:
        await store.knowledge().save_knowledge(
            LOCAL_OWNER, result, scraped_pages=pages, job_id="local"
        )

    _with_store(settings, run)
    return f"saved the knowledge of {site_domain(result)} to {_where(settings)}"

"""The knowledge side of the ``sitelore`` command: ``search``, and where ``extract --save``
keeps what it extracted.

Without a server, knowledge lives in the store of the settings (the data directory's
SQLite file, or ``SITELORE_DATABASE_URL``) under the local owner; a server keeps each
key's apart.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from sitelore.cli_args import BadInput
from sitelore.cli_server import DataDirOption

if TYPE_CHECKING:
    from sitelore.jobs.store import JobStore
    from sitelore.models import ExtractRequest, ExtractResult


def register(app: typer.Typer) -> None:
    app.command()(search)


def search(
    query: Annotated[str, typer.Argument(help='Words that must all appear; "a phrase" in quotes.')],
    domain: Annotated[str | None, typer.Option(help="Only this site's items.")] = None,
    category: Annotated[str | None, typer.Option(help="Only items of this category.")] = None,
    limit: Annotated[int, typer.Option(help="Hits to show (1-100).")] = 10,
    data_dir: DataDirOption = None,
) -> None:
    """Search the knowledge saved by `sitelore extract --save` (JSON on stdout)."""
    from sitelore.cli_server import _settings, _with_store
    from sitelore.jobs.knowledge import LOCAL_OWNER
    from sitelore.models import ItemCategory

    if category is not None and category.upper() not in ItemCategory.__members__:
        names = ", ".join(ItemCategory.__members__)
        raise BadInput(f"--category must be one of {names}, got {category!r}")
    kind = None if category is None else ItemCategory[category.upper()]
    settings = _settings(data_dir=data_dir)

    async def run(store: JobStore) -> dict[str, object]:
        found = await store.knowledge().search(
            LOCAL_OWNER, query, domain=domain, category=kind, limit=limit
        )
        hits = [hit.to_dict() for hit in found.hits]
        return {"hits": hits, "total": found.total, "query": found.query}

    answer = _with_store(settings, run)
    sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")


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

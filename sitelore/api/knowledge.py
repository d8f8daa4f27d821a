"""Knowledge that outlives its jobs: ``GET /v1/knowledge``, ``GET`` and ``DELETE
/v1/knowledge/{domain}``, and ``POST /v1/search``.

Every completed job stores its site's profile and items under the job's key, by the
site's registrable domain (:mod:`sitelore.jobs.knowledge`); a key sees only its own. The
search answers in the shape the hosted anchor's SDK reads (``hits``, ``total``,
``query``; ``domain`` and ``snippet`` are ours).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StrictInt, StrictStr
from starlette.responses import Response

from sitelore.api.docs import KEYED, errors
from sitelore.api.errors import StatusError, json_response
from sitelore.api.routes import KeyDep, ServicesDep
from sitelore.api.schemas import Business
from sitelore.jobs.knowledge import StoredKnowledge
from sitelore.models import ItemCategory

router = APIRouter()
Domain = Annotated[
    str,
    Path(description="the site's registrable domain, e.g. `acme.com`", examples=["acme.com"]),
]


class SearchBody(BaseModel):
    query: StrictStr = Field(
        description="words that must all appear (accents and case do not matter); "
        '`"a phrase"` in double quotes must appear as it is; nothing else is an operator',
        max_length=2_000,
    )
    domain: StrictStr | None = Field(None, description="only this site's items")
    category: ItemCategory | None = Field(None, description="only items of this category")
    limit: StrictInt = Field(10, ge=1, le=100, description="hits to answer, 1 to 100")


class Hit(BaseModel):
    id: str
    title: str
    content: str
    category: ItemCategory
    source: str = Field(description="the URL of the page the item comes from")
    score: float = Field(description="0..1 within the query: the best hit is 1")
    domain: str
    snippet: str = Field(description="the content around the matches, matches in `**`")


class SearchAnswer(BaseModel):
    hits: list[Hit]
    total: int = Field(description="every match, exact up to 10,000")
    query: str


class DomainEntry(BaseModel):
    domain: str
    name: str
    itemCount: int
    jobId: str = Field(description="the job that stored the site's knowledge last")
    updatedAt: float = Field(description="when, in seconds since the epoch")


class DomainList(BaseModel):
    domains: list[DomainEntry]
    nextCursor: str | None


class StoredItemAnswer(BaseModel):
    id: str = Field(description="stable: the same item saved again keeps it")
    title: str
    description: str
    content: str
    category: ItemCategory
    source: str
    jobId: str


class KnowledgeAnswer(BaseModel):
    domain: str
    business: Business
    knowledgeItems: list[StoredItemAnswer]
    jobId: str
    updatedAt: float


class Deleted(BaseModel):
    domain: str
    deleted: bool


@router.post(
    "/v1/search",
    tags=["knowledge"],
    response_model=SearchAnswer,
    responses=errors(*KEYED, 400, 413),
)
async def search(body: SearchBody, context: ServicesDep, key: KeyDep) -> Response:
    """Search every item of this key's knowledge: `{hits, total, query}`, best first;
    `score` is 0..1 within the query and `total` is exact up to 10,000."""
    found = await context.store.knowledge().search(
        key.id, body.query, domain=body.domain, category=body.category, limit=body.limit
    )
    hits = [hit.to_dict() for hit in found.hits]
    return json_response({"hits": hits, "total": found.total, "query": found.query})


@router.get(
    "/v1/knowledge", tags=["knowledge"], response_model=DomainList, responses=errors(*KEYED, 400)
)
async def list_knowledge(
    context: ServicesDep,
    key: KeyDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sites this key has knowledge of, by domain, with `nextCursor` for the next page."""
    try:
        domains, next_cursor = await context.store.knowledge().list_domains(key.id, limit, cursor)
    except ValueError:
        raise StatusError(400, "cursor is not one this server gave") from None
    listed = [
        {
            "domain": summary.domain,
            "name": summary.name,
            "itemCount": summary.item_count,
            "jobId": summary.job_id,
            "updatedAt": summary.updated_at,
        }
        for summary in domains
    ]
    return json_response({"domains": listed, "nextCursor": next_cursor})


@router.get(
    "/v1/knowledge/{domain}",
    tags=["knowledge"],
    response_model=KnowledgeAnswer,
    responses=errors(*KEYED, 404),
)
async def get_knowledge(domain: Domain, context: ServicesDep, key: KeyDep) -> Response:
    """The site's business profile and knowledge items, as its last job left them."""
    found = await context.store.knowledge().get_knowledge(key.id, domain.lower())
    if found is None:
        raise StatusError(404, f"no knowledge of {domain} for this key")
    return json_response(_knowledge(found))


@router.delete(
    "/v1/knowledge/{domain}",
    tags=["knowledge"],
    response_model=Deleted,
    responses=errors(*KEYED, 404),
)
async def delete_knowledge(domain: Domain, context: ServicesDep, key: KeyDep) -> Response:
    """Forget the site: its profile and items (its jobs are kept until their retention)."""
    if not await context.store.knowledge().delete_knowledge(key.id, domain.lower()):
        raise StatusError(404, f"no knowledge of {domain} for this key")
    return json_response({"domain": domain.lower(), "deleted": True})


def _knowledge(found: StoredKnowledge) -> dict[str, Any]:
    return {
        "domain": found.domain,
        "business": found.profile.to_dict(),
        "knowledgeItems": [item.to_dict() for item in found.items],
        "jobId": found.job_id,
        "updatedAt": found.updated_at,
    }

"""``POST/GET/DELETE /v1/webhooks`` and ``POST /v1/webhooks/{id}/test``: a key's account
webhooks, as the hosted anchor's SDK sends and reads them (camelCase).

The URL is judged at creation as a job's ``callbackUrl`` is (the server's network policy);
the ``token`` (the webhook's signing secret) is shown once, in the answer to its creation.
The key's extraction jobs then send the webhook the events it chose (the store adds the
deliveries; the sender signs them with the token); ``/test`` queues one ``WEBHOOK_TEST``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, StrictStr
from starlette.responses import Response

from sitelore.api.docs import KEYED, errors
from sitelore.api.errors import StatusError, json_response
from sitelore.api.routes import KeyDep, ServicesDep
from sitelore.core.request import check_url
from sitelore.errors import InvalidRequest
from sitelore.jobs.hookstore import WEBHOOK_EVENTS

router = APIRouter()
MAX_DISPLAY_NAME = 200

WebhookId = Annotated[
    str, Path(alias="webhookId", description="the webhook's id (`weh_...`)", max_length=100)
]


class WebhookBody(BaseModel):
    url: StrictStr = Field(description="where to POST the events, `http://` or `https://`")
    events: list[StrictStr] = Field(description=f"some of {', '.join(WEBHOOK_EVENTS)}")
    displayName: StrictStr | None = Field(None, description="a label", max_length=200)


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    status: str = Field(description="`active`")
    token: str | None = Field(description="the signing secret: at creation only, else null")
    displayName: str | None
    createdAt: str


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class WebhookTestOut(BaseModel):
    id: str = Field(description="the delivery's event id (its `x-sitelore-event-id`)")
    status: str = Field(description="`queued`: it is sent (and retried) like any event")


def _checked_events(events: list[str]) -> tuple[str, ...]:
    unknown = sorted({event for event in events if event not in WEBHOOK_EVENTS})
    if unknown or not events:
        found = f"; unknown: {', '.join(unknown)}" if unknown else ""
        raise InvalidRequest(
            f"events must list some of {', '.join(WEBHOOK_EVENTS)}{found}", field="events"
        )
    return tuple(events)


@router.post(
    "/v1/webhooks",
    tags=["webhooks"],
    status_code=201,
    response_model=WebhookOut,
    response_description="The new webhook, with its token (shown only here)",
    responses=errors(*KEYED, 400, 413),
)
async def create_webhook(body: WebhookBody, context: ServicesDep, key: KeyDep) -> Response:
    """Every extraction job of this key then also POSTs the chosen events to `url` (the
    bodies a job's `callbackUrl` gets), signed with the webhook's `token` as a
    `callbackUrl` delivery is signed with the key's secret."""
    url = check_url(body.url, "url", context.policy)
    events = _checked_events(body.events)
    hook = await context.store.create_webhook(key.id, url, events, body.displayName)
    return json_response(hook.to_dict(with_token=True), status=201)


@router.get(
    "/v1/webhooks",
    tags=["webhooks"],
    response_model=WebhookList,
    response_description="The key's active webhooks, oldest first, without their tokens",
    responses=errors(*KEYED),
)
async def list_webhooks(context: ServicesDep, key: KeyDep) -> Response:
    """The key's active webhooks."""
    hooks = await context.store.list_webhooks(key.id)
    return json_response({"webhooks": [hook.to_dict(with_token=False) for hook in hooks]})


@router.delete(
    "/v1/webhooks/{webhookId}",
    tags=["webhooks"],
    status_code=204,
    response_description="Deleted: no more events are sent to it",
    responses=errors(*KEYED, 404),
)
async def delete_webhook(webhook_id: WebhookId, context: ServicesDep, key: KeyDep) -> Response:
    """Stop sending events to a webhook: its deliveries not yet made fail (`webhook
    deleted`); one already being sent finishes."""
    if not await context.store.delete_webhook(webhook_id, key.id):
        raise StatusError(404, f"webhook {webhook_id} not found")
    return Response(status_code=204)


@router.post(
    "/v1/webhooks/{webhookId}/test",
    tags=["webhooks"],
    status_code=202,
    response_model=WebhookTestOut,
    response_description="A test event is queued for the webhook",
    responses=errors(*KEYED, 404),
)
async def test_webhook(webhook_id: WebhookId, context: ServicesDep, key: KeyDep) -> Response:
    """Send the webhook one `WEBHOOK_TEST` event, `{"event": "WEBHOOK_TEST", "payload":
    {"webhookId": ...}, "timestamp": ..., "version": 1}`, signed with its token like its
    other events, through the same queue and retries. Another key's webhook, or a deleted
    one, is a 404."""
    delivery = await context.store.queue_webhook_test(webhook_id, key.id)
    if delivery is None:
        raise StatusError(404, f"webhook {webhook_id} not found")
    context.delivery_added()
    return json_response({"id": delivery.id, "status": "queued"}, status=202)

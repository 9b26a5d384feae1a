"""``/v1/webhooks``: subscriptions, signed per Standard Webhooks, and their delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam

from api.deps import AdminCaller, ServicesDep, oms_of
from api.schemas import error_responses
from api.schemas.events import DeliveriesOut, WebhookIn, WebhookOut
from dom.events import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

WebhookId = Annotated[str, PathParam(min_length=1, max_length=40)]


@router.post(
    "", status_code=201, response_model=WebhookOut, responses=error_responses(401, 403, 422, 503)
)
def subscribe(body: WebhookIn, services: ServicesDep, _: AdminCaller) -> dict[str, Any]:
    """Subscribe a URL (its host in ``DOM_WEBHOOK_HOSTS``) to event patterns; the answer shows
    the secret, once."""
    oms = oms_of(services)
    return webhooks.subscribe(
        oms.store,
        body.model_dump(exclude_none=True),
        allowed_hosts=services.settings.allowed_webhook_hosts(),
        now=oms.clock(),
    )


@router.get("", response_model=list[WebhookOut], responses=error_responses(401, 403, 503))
def list_webhooks(services: ServicesDep, _: AdminCaller) -> list[dict[str, Any]]:
    return webhooks.list_webhooks(oms_of(services).store)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
def delete_webhook(webhook_id: WebhookId, services: ServicesDep, _: AdminCaller) -> Response:
    webhooks.delete_webhook(oms_of(services).store, webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveriesOut,
    responses=error_responses(401, 403, 404, 422, 503),
)
def deliveries(
    webhook_id: WebhookId,
    services: ServicesDep,
    _: AdminCaller,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Each delivery's attempts, last status and next try, newest first."""
    return webhooks.deliveries(oms_of(services).store, webhook_id, limit=limit)

"""``/v1/orders``: capture, read, list, import, cancel, hold, tracking and returns of orders
(contracts §7). Each handler makes one call of ``dom.orders``."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.routing import Route

from api.deps import OrdersCaller, ServicesDep, authorize, oms_of
from api.errors import ApiError
from api.schemas import error_responses
from api.schemas.lifecycle import (
    CancelIn,
    HoldIn,
    ImportOut,
    OrderCreate,
    OrderOut,
    OrderPage,
    ReturnIn,
    ReturnOut,
    TrackingOut,
)
from dom import orders
from dom.errors import InvalidInput
from dom.io import parse_json
from dom.orders.outbox import apply_ops_async

router = APIRouter(prefix="/v1/orders", tags=["orders"])

OrderId = Annotated[str, PathParam(min_length=1, max_length=128)]
_ERRORS = error_responses(401, 403, 404, 409, 422, 503)


async def create_order(request: Request) -> JSONResponse:
    """Capture an order: routed by the exact kernel against live stock and committed at once
    (``allocation: now``), or left pending for a batch. The order id is the idempotency key:
    the same body again answers 200 and the stored order, another body 409.

    The hot path of the lifecycle, served by a plain Starlette route (``CREATE``; FastAPI's
    request machinery cost about as much as the order's share of its transaction): the order is
    prepared (validated, routed, its stock held) on a thread, then written by the process's
    batch writer with whatever other creates are waiting; no thread waits for the write.
    """
    authorize(request, "orders")
    request.scope["route"] = CREATE  # the latency metric's label
    try:
        body = parse_json(await request.body())
    except InvalidInput as exc:
        raise ApiError(422, "invalid_input", f"the body is not JSON: {exc.message}") from None
    oms = oms_of(request.app.state.services)
    capture = await run_in_threadpool(orders.prepare_order, oms, body)
    result = await asyncio.wrap_future(oms.writer.submit(capture))
    if result is None:
        return JSONResponse(await run_in_threadpool(orders.settle_duplicate, oms, capture))
    await apply_ops_async(oms, capture.ops)
    return JSONResponse(result, status_code=201)


def _create_as_documented(order: OrderCreate, _: OrdersCaller) -> None:
    """Describes ``create_order`` in the OpenAPI document (body, key, answers); never served."""


CREATE = Route("/v1/orders", create_order, methods=["POST"])
CREATE.path_format = "/v1/orders"
OPENAPI_CREATE = APIRoute(
    "/v1/orders",
    _create_as_documented,
    methods=["POST"],
    status_code=201,
    tags=["orders"],
    summary="Create Order",
    description=create_order.__doc__,
    response_model=OrderOut,
    responses={
        200: {"model": OrderOut, "description": "the same order was stored before"},
        **_ERRORS,
    },
)


@router.get("", response_model=OrderPage, responses=error_responses(401, 403, 422, 503))
def list_orders(
    services: ServicesDep,
    _: OrdersCaller,
    status: Annotated[Literal[orders.STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    channel: Annotated[str | None, Query(max_length=128)] = None,
    fc_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> dict[str, Any]:
    """A page of orders, newest first; pass ``next_cursor`` back as ``cursor`` for the next."""
    return orders.list_orders(
        oms_of(services), status=status, channel=channel, fc_id=fc_id, limit=limit, cursor=cursor
    )


@router.post(
    "/import",
    response_model=ImportOut,
    responses=error_responses(401, 403, 413, 415, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "allocation": {"type": "string", "enum": ["now", "batch"]},
                        },
                    }
                }
            },
        }
    },
)
async def import_orders(request: Request, services: ServicesDep, _: OrdersCaller) -> dict[str, Any]:
    """A CSV or Parquet file of contracts §2 rows: ``{created, duplicates, rejected}``; the rows
    of a rejected order create nothing."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type", "send a multipart/form-data 'file' upload")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid_input", "the upload needs a 'file' part", field="file")
        allocation = str(form.get("allocation") or "now")
        if allocation not in orders.ALLOCATIONS:
            raise ApiError(422, "invalid_input", "allocation is now or batch", field="allocation")
        name = PurePath(upload.filename or "orders.csv").name
        suffix = PurePath(name).suffix.lower()
        if suffix not in (".csv", ".parquet", ".pq"):
            raise ApiError(
                422, "invalid_input", f"upload {name!r} is neither .csv nor .parquet", field="file"
            )
        data = await upload.read()
    with tempfile.TemporaryDirectory(prefix="dom-import-") as tmp:
        path = Path(tmp) / ("orders" + suffix)
        path.write_bytes(data)
        result: dict[str, Any] = await run_in_threadpool(
            orders.import_orders, oms_of(services), path, allocation=allocation
        )
    return result


@router.get("/{order_id}", response_model=OrderOut, responses=_ERRORS)
def get_order(order_id: OrderId, services: ServicesDep, _: OrdersCaller) -> dict[str, Any]:
    """One order: its lines' quantities, fulfillments and returns."""
    return orders.get_order(oms_of(services), order_id)


@router.post("/{order_id}/cancel", response_model=OrderOut, responses=_ERRORS)
def cancel_order(
    order_id: OrderId,
    services: ServicesDep,
    _: OrdersCaller,
    body: Annotated[CancelIn | None, Body()] = None,
) -> dict[str, Any]:
    """Cancel units not yet picked (every such unit without a body); their stock is available
    again. Picked or shipped units are 409, naming the line and its quantities."""
    lines = None if body is None else [line.model_dump() for line in body.lines]
    return orders.cancel_order(oms_of(services), order_id, lines)


@router.post("/{order_id}/hold", response_model=OrderOut, responses=_ERRORS)
def hold_order(
    order_id: OrderId,
    services: ServicesDep,
    _: OrdersCaller,
    body: Annotated[HoldIn | None, Body()] = None,
) -> dict[str, Any]:
    """Put the order on hold (fraud review, payment): nothing of it is released meanwhile."""
    return orders.hold_order(oms_of(services), order_id, None if body is None else body.reason)


@router.delete("/{order_id}/hold", response_model=OrderOut, responses=_ERRORS)
def release_hold(order_id: OrderId, services: ServicesDep, _: OrdersCaller) -> dict[str, Any]:
    """Release the hold."""
    return orders.release_hold(oms_of(services), order_id)


@router.get("/{order_id}/tracking", response_model=TrackingOut, responses=_ERRORS)
def order_tracking(order_id: OrderId, services: ServicesDep, _: OrdersCaller) -> dict[str, Any]:
    """Per fulfillment: carrier, service, tracking number, promised and estimated dates, events."""
    return orders.order_tracking(oms_of(services), order_id)


@router.post("/{order_id}/returns", status_code=201, response_model=ReturnOut, responses=_ERRORS)
def request_return(
    order_id: OrderId, body: ReturnIn, services: ServicesDep, _: OrdersCaller
) -> dict[str, Any]:
    """A return of delivered units, to the node accepting returns with the cheapest GROUND
    label from the order's destination."""
    lines = [line.model_dump(exclude_none=True) for line in body.lines]
    return orders.request_return(oms_of(services), order_id, lines)

"""Carrier events: tracking updates of shipped fulfillments, delivery, and what the customer sees
(``GET /v1/orders/{id}/tracking``).

An event is idempotent (the same number, status and time again changes nothing) and never moves
a status back: statuses rank ``in_transit < out_for_delivery < delivered``, an older or lower one
is recorded in the history only. ``exception`` leaves the fulfillment shipped with the exception
recorded; ``delivered`` delivers the fulfillment and its lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dom.errors import InvalidInput
from dom.model import check_timestamp
from dom.orders.capture import utc_naive
from dom.orders.errors import IllegalTransition
from dom.orders.inputs import choice, text
from dom.orders.models import FulfillmentRow, TrackingRow
from dom.orders.oms import Oms
from dom.orders.state import OrderState, iso

TRACKING_STATUSES = ("in_transit", "out_for_delivery", "delivered", "exception")
_RANK = {None: 0, "in_transit": 1, "out_for_delivery": 2, "delivered": 3}


def track(oms: Oms, body: Any) -> dict[str, Any]:
    """Record one carrier event ``{"tracking_number", "status", "at", "detail"?}``; answers the
    fulfillment."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    for key in body:
        if key not in ("tracking_number", "status", "at", "detail"):
            raise InvalidInput(f"unknown field {key}", column=str(key))
    number = text(body.get("tracking_number"), "tracking_number", limit=64, required=True)
    status = choice(body.get("status"), "status", TRACKING_STATUSES)
    at = utc_naive(check_timestamp(body.get("at"), "at"), oms.clock())
    detail = text(body.get("detail"), "detail")
    with oms.change() as unit:
        state = OrderState.load_of(
            oms.store,
            unit.session,
            FulfillmentRow.order_id,
            FulfillmentRow.tracking_number == number,
            f"no shipment has tracking number '{number}'",
        )
        order_id = state.order_id
        f = next(x for x in state.fulfillments.values() if x.row.tracking_number == number)
        if f.row.status not in ("shipped", "delivered"):
            raise IllegalTransition(f"fulfillment '{f.row.fulfillment_id}' is {f.row.status}")
        seen = unit.session.execute(
            select(TrackingRow.id).where(
                TrackingRow.fulfillment_id == f.row.fulfillment_id,
                TrackingRow.status == status,
                TrackingRow.at == at,
            )
        ).first()
        if seen is not None:
            return f.to_json()  # a repeat: nothing changes
        unit.session.add(
            TrackingRow(
                fulfillment_id=f.row.fulfillment_id,
                status=status,
                at=at,
                detail=detail,
                received_at=unit.now,
            )
        )
        if status == "exception":
            f.row.exception = detail or "exception"
        elif _RANK[status] > _RANK[f.row.tracking_status]:
            f.row.tracking_status = status
            f.row.tracking_at = at
        moved = f.row.status == "shipped" and status == "delivered"
        if moved:
            f.row.status = "delivered"
            f.row.delivered_at = at
            f.row.exception = None
            for n, fl in f.lines.items():
                state.lines[n].delivered += fl.qty
        state.refresh_status(unit.now)
        data: dict[str, Any] = {
            "order_status": state.row.status,
            "fulfillment_id": f.row.fulfillment_id,
            "tracking_number": number,
            "status": status,
            "at": iso(at),
            "detail": detail,
        }
        unit.event("fulfillment.tracking", order_id, data)
        if moved:
            data = {"order_status": state.row.status, "fulfillment": f.to_json()}
            unit.event("fulfillment.delivered", order_id, data)
    return f.to_json()


def order_tracking(oms: Oms, order_id: str) -> dict[str, Any]:
    """Per fulfillment: carrier, service, tracking number, promised and estimated delivery date,
    and the carrier's events so far."""
    with oms.store.read() as session:
        state = OrderState.load(oms.store, session, order_id)
        ids = list(state.fulfillments)
        events: dict[str, list[dict[str, Any]]] = {fid: [] for fid in ids}
        if ids:
            for row in session.execute(
                select(TrackingRow)
                .where(TrackingRow.fulfillment_id.in_(ids))
                .order_by(TrackingRow.at, TrackingRow.id)
            ).scalars():
                events[row.fulfillment_id].append(
                    {"status": row.status, "at": iso(row.at), "detail": row.detail}
                )
    return {
        "order_id": order_id,
        "status": state.row.status,
        "fulfillments": [
            {
                "fulfillment_id": f.row.fulfillment_id,
                "fc_id": f.row.fc_id,
                "status": f.row.status,
                "carrier": f.row.carrier,
                "service": f.row.service,
                "tracking_number": f.row.tracking_number,
                "promised_date": f.row.promised_date,
                "estimated_date": f.row.estimated_date,
                "tracking_status": f.row.tracking_status,
                "exception": f.row.exception,
                "delivered_at": iso(f.row.delivered_at),
                "events": events[f.row.fulfillment_id],
            }
            for f in state.fulfillments.values()
        ],
    }

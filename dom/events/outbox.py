"""The event outbox: every change of contracts §7 appends its events in its own transaction.

Ids come from the store's ``events`` counter (``OrderStore.next_ids``), taken as the last step
of the transaction: the counter row stays locked until the commit, so transactions that append
events commit in the order of their ids, and a reader that has seen id N never later finds a
new event below N (a feed or a webhook cursor can never skip one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from dom.orders.models import EventRow
from dom.orders.store import OrderStore

EVENT_TYPES = (
    "order.created",
    "order.allocated",
    "order.backordered",
    "order.cancelled",
    "order.held",
    "order.hold_released",
    "line.rerouted",
    "fulfillment.cancelled",
    "fulfillment.released",
    "fulfillment.picked",
    "fulfillment.shipped",
    "fulfillment.tracking",
    "fulfillment.delivered",
    "return.requested",
    "return.received",
    "inventory.restock_alert",
)

PendingEvent = tuple[str, str | None, dict[str, Any]]  # (type, order_id, data)


def append_events(
    store: OrderStore, session: Session, events: list[PendingEvent], at: datetime
) -> list[dict[str, Any]]:
    """Insert ``events`` with the next ids; returns them as the feed shows them."""
    if not events:
        return []
    first = store.next_ids(session, "events", len(events))
    rows: list[dict[str, Any]] = [
        {"id": first + k, "type": t, "at": at, "order_id": order_id, "data": data}
        for k, (t, order_id, data) in enumerate(events)
    ]
    session.execute(insert(EventRow), rows)
    return [event_json(**row) for row in rows]


def event_json(
    *, id: int, type: str, at: datetime, order_id: str | None, data: dict[str, Any]
) -> dict[str, Any]:
    """An event of contracts §8."""
    stamp = at.isoformat(timespec="milliseconds") + "Z"
    return {"id": id, "type": type, "at": stamp, "order_id": order_id, "data": data}


def row_json(row: EventRow) -> dict[str, Any]:
    return event_json(id=row.id, type=row.type, at=row.at, order_id=row.order_id, data=row.data)

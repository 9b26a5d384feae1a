"""Reading orders: one order, and pages of orders newest first with an opaque cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, tuple_

from dom.errors import InvalidInput
from dom.orders.models import FulfillmentRow, OrderRow
from dom.orders.oms import Oms
from dom.orders.state import OrderState

MAX_PAGE = 500
STATUSES = (
    "pending",
    "allocated",
    "backordered",
    "partially_shipped",
    "shipped",
    "delivered",
    "cancelled",
)


def get_order(oms: Oms, order_id: str) -> dict[str, Any]:
    with oms.store.read() as session:
        return OrderState.load(oms.store, session, order_id).to_json()


def _cursor(row: OrderRow) -> str:
    raw = f"{row.created_at.isoformat()}|{row.order_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, order_id = raw.split("|", 1)
        return datetime.fromisoformat(stamp), order_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "cursor is not one this service gave", column="cursor", fix="pass next_cursor as given"
        ) from None


def list_orders(
    oms: Oms,
    *,
    status: str | None = None,
    channel: str | None = None,
    fc_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """A page of orders, newest first, and ``next_cursor`` (None on the last page)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is {limit}", column="limit", fix=f"give 1 to {MAX_PAGE}")
    if status is not None and status not in STATUSES:
        raise InvalidInput(
            f"status is {status!r}", column="status", fix=f"use one of {', '.join(STATUSES)}"
        )
    stmt = select(OrderRow)
    if status is not None:
        stmt = stmt.where(OrderRow.status == status)
    if channel is not None:
        stmt = stmt.where(OrderRow.channel == channel)
    if fc_id is not None:
        stmt = stmt.where(
            exists().where(
                FulfillmentRow.order_id == OrderRow.order_id, FulfillmentRow.fc_id == fc_id
            )
        )
    if cursor is not None:
        at, order_id = _parse_cursor(cursor)
        stmt = stmt.where(tuple_(OrderRow.created_at, OrderRow.order_id) < tuple_(at, order_id))
    stmt = stmt.order_by(OrderRow.created_at.desc(), OrderRow.order_id.desc()).limit(limit + 1)
    with oms.store.read() as session:
        rows = list(session.execute(stmt).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        orders = [OrderState.of_row(session, row).to_json() for row in rows]
    return {"orders": orders, "next_cursor": _cursor(rows[-1]) if more and rows else None}

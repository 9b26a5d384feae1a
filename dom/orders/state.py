"""One order as its rows, read (and locked) in a transaction, with the rules every action shares:
the quantity buckets of a line, the derived order status, and the resources the API answers.

Order status (contracts §7), first match wins: ``cancelled`` (every unit cancelled),
``delivered`` (every other unit delivered), ``shipped`` (every other unit shipped),
``partially_shipped`` (some unit shipped), ``backordered`` (some unit backordered), ``allocated``
(every other unit allocated), ``pending``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dom.orders.errors import OrderNotFound
from dom.orders.models import (
    FulfillmentLineRow,
    FulfillmentRow,
    LineRow,
    OrderRow,
    ReturnLineRow,
    ReturnRow,
)
from dom.orders.store import OrderStore

# fulfillment states whose units are allocated at their node (the ledger's `allocated`)
OPEN = ("allocated", "released", "picked")
BUCKETS = ("pending", "backordered", "allocated", "shipped", "cancelled")


def iso(moment: datetime | None) -> str | None:
    """``2026-03-02T14:05:00.123Z`` of a naive UTC datetime; None for None."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds") + "Z"


def derive_status(lines: Iterable[LineRow]) -> str:
    """The order status of contracts §7 from its lines' buckets."""
    qty = cancelled = delivered = shipped = backordered = allocated = 0
    for line in lines:
        qty += line.qty
        cancelled += line.cancelled
        delivered += line.delivered
        shipped += line.shipped
        backordered += line.backordered
        allocated += line.allocated
    live = qty - cancelled
    if live == 0:
        return "cancelled"
    if delivered == live:
        return "delivered"
    if shipped == live:
        return "shipped"
    if shipped > 0:
        return "partially_shipped"
    if backordered > 0:
        return "backordered"
    if allocated == live:
        return "allocated"
    return "pending"


def check_line(line: LineRow) -> None:
    """The bucket rule of one line; a broken one is a bug, never the caller's fault."""
    total = line.pending + line.backordered + line.allocated + line.shipped + line.cancelled
    ok = total == line.qty and min(getattr(line, b) for b in BUCKETS) >= 0
    ok = ok and 0 <= line.returned <= line.delivered <= line.shipped
    if not ok:
        raise AssertionError(
            f"line {line.order_id}/{line.line_no} buckets broken: {line_json(line)}"
        )


def line_json(line: LineRow) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "sku": line.sku,
        "qty": line.qty,
        "pending": line.pending,
        "backordered": line.backordered,
        "allocated": line.allocated,
        "shipped": line.shipped,
        "delivered": line.delivered,
        "cancelled": line.cancelled,
        "returned": line.returned,
    }


@dataclass
class Fulfillment:
    """A fulfillment row and its lines by line_no."""

    row: FulfillmentRow
    lines: dict[int, FulfillmentLineRow] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines.values())

    def to_json(self) -> dict[str, Any]:
        f = self.row
        return {
            "fulfillment_id": f.fulfillment_id,
            "order_id": f.order_id,
            "fc_id": f.fc_id,
            "status": f.status,
            "lines": [
                {"line_no": n, "sku": line.sku, "qty": line.qty, "missing": line.missing}
                for n, line in sorted(self.lines.items())
            ],
            "service": f.service,
            "carrier": f.carrier,
            "tracking_number": f.tracking_number,
            "ship_cost": f.ship_cost,
            "eta_days": f.eta_days,
            "promised_date": f.promised_date,
            "estimated_date": f.estimated_date,
            "wave_id": f.wave_id,
            "tracking_status": f.tracking_status,
            "exception": f.exception,
            "created_at": iso(f.created_at),
            "released_at": iso(f.released_at),
            "shipped_at": iso(f.shipped_at),
            "delivered_at": iso(f.delivered_at),
        }


@dataclass
class Return:
    """A return row and its lines by line_no."""

    row: ReturnRow
    lines: dict[int, ReturnLineRow] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        r = self.row
        return {
            "return_id": r.return_id,
            "order_id": r.order_id,
            "status": r.status,
            "to_fc_id": r.to_fc_id,
            "label_cost": r.label_cost,
            "lines": [
                {
                    "line_no": n,
                    "sku": line.sku,
                    "qty": line.qty,
                    "reason": line.reason,
                    "sellable": line.sellable,
                    "damaged": line.damaged,
                }
                for n, line in sorted(self.lines.items())
            ],
            "created_at": iso(r.created_at),
            "received_at": iso(r.received_at),
        }


@dataclass
class OrderState:
    """An order with its lines, fulfillments and returns, as of one transaction."""

    row: OrderRow
    lines: dict[int, LineRow]
    fulfillments: dict[str, Fulfillment]
    returns: dict[str, Return]

    @classmethod
    def load(
        cls, store: OrderStore, session: Session, order_id: str, *, lock: bool = False
    ) -> OrderState:
        """Read the order (locking its row until the transaction ends with ``lock``);
        ``OrderNotFound`` if there is none."""
        stmt = select(OrderRow).where(OrderRow.order_id == order_id)
        row = session.execute(store.lock(stmt) if lock else stmt).scalar_one_or_none()
        if row is None:
            raise OrderNotFound(f"no order '{order_id}'")
        return cls.of_row(session, row)

    @classmethod
    def load_of(
        cls, store: OrderStore, session: Session, order_id_of: Any, where: Any, missing: str
    ) -> OrderState:
        """The order (locked) owning the row ``where`` finds, e.g. a fulfillment by its tracking
        number (``order_id_of`` is that table's order_id column); ``OrderNotFound(missing)``."""
        order_id = session.execute(select(order_id_of).where(where)).scalar_one_or_none()
        if order_id is None:
            raise OrderNotFound(missing)
        return cls.load(store, session, order_id, lock=True)

    @classmethod
    def of_row(cls, session: Session, row: OrderRow) -> OrderState:
        order_id = row.order_id
        lines = session.execute(
            select(LineRow).where(LineRow.order_id == order_id).order_by(LineRow.line_no)
        ).scalars()
        fulfillments = {
            f.fulfillment_id: Fulfillment(f)
            for f in session.execute(
                select(FulfillmentRow)
                .where(FulfillmentRow.order_id == order_id)
                .order_by(FulfillmentRow.created_at, FulfillmentRow.fulfillment_id)
            ).scalars()
        }
        if fulfillments:
            for fl in session.execute(
                select(FulfillmentLineRow).where(
                    FulfillmentLineRow.fulfillment_id.in_(list(fulfillments))
                )
            ).scalars():
                fulfillments[fl.fulfillment_id].lines[fl.line_no] = fl
        returns: dict[str, Return] = {}
        if row.num_returns:
            returns = {
                r.return_id: Return(r)
                for r in session.execute(
                    select(ReturnRow)
                    .where(ReturnRow.order_id == order_id)
                    .order_by(ReturnRow.created_at, ReturnRow.return_id)
                ).scalars()
            }
            for rl in session.execute(
                select(ReturnLineRow).where(ReturnLineRow.return_id.in_(list(returns)))
            ).scalars():
                returns[rl.return_id].lines[rl.line_no] = rl
        return cls(row, {line.line_no: line for line in lines}, fulfillments, returns)

    @property
    def order_id(self) -> str:
        return self.row.order_id

    def refresh_status(self, now: datetime) -> None:
        """Check every line's buckets and store the derived status."""
        for line in self.lines.values():
            check_line(line)
        self.row.status = derive_status(self.lines.values())
        self.row.updated_at = now

    def to_json(self) -> dict[str, Any]:
        """The order resource of contracts §7."""
        o = self.row
        destination: dict[str, Any] = (
            {"zip": o.dest_zip} if o.dest_zip else {"lat": o.dest_lat, "lon": o.dest_lon}
        )
        return {
            "order_id": o.order_id,
            "channel": o.channel,
            "status": o.status,
            "on_hold": o.on_hold,
            "hold_reason": o.hold_reason,
            "created_at": iso(o.created_at),
            "promised_days": o.promised_days,
            "destination": destination,
            "ship_complete": o.ship_complete,
            "allocation": o.allocation,
            "lines": [line_json(line) for _, line in sorted(self.lines.items())],
            "fulfillments": [f.to_json() for f in self.fulfillments.values()],
            "returns": [r.to_json() for r in self.returns.values()],
        }

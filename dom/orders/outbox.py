"""The ledger's side of the outbox: apply a change's ledger operations after its commit.

``commit`` turns a hold into an allocation (idempotent by the reservation's state). If the hold
is gone (it expired while the process that made it was down), the same items are held again
under an id derived from the operation, and committed; if the stock has gone meanwhile, the
fulfillments of that hold are backordered in the store (nothing is oversold; the waker tries
them again when stock arrives). ``adjust`` moves ``on_hand`` and ``allocated`` once per op id.
An operation the ledger cannot take now (Redis down, or an adjustment waiting for an earlier
commit of the same units) stays in the outbox for the reconciler.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select, update

from dom.inventory import (
    LedgerConflict,
    ReservationClosed,
    ReservationExpired,
    ReservationNotFound,
    StoreUnavailable,
)
from dom.orders.models import FulfillmentRow, LedgerOpRow
from dom.orders.oms import Oms
from dom.orders.state import OPEN, OrderState

log = logging.getLogger("dom.orders")


def apply_ops(oms: Oms, ops: list[LedgerOpRow]) -> int:
    """Apply ``ops`` in order; stop at the first the ledger cannot take (the rest wait, so one
    order's operations keep their order). Returns how many were applied."""
    done: list[str] = []
    try:
        for op in ops:
            apply_op(oms, op)
            done.append(op.op_id)
    except StoreUnavailable as exc:
        log.warning("ledger unavailable; %d operation(s) left to the reconciler: %s", len(ops), exc)
    except LedgerConflict as exc:
        log.warning("ledger operation %s waits: %s", ops[len(done)].op_id, exc)
    oms.finished(done)
    return len(done)


async def apply_ops_async(oms: Oms, ops: list[LedgerOpRow]) -> None:
    """``apply_ops`` for a caller on an event loop: a create's commit awaits the ledger (Redis
    pipelines the commits of concurrent creates); anything else, or a commit the ledger refuses,
    takes the sync path (on a thread), which knows the repairs."""
    rest = list(ops)
    while rest and rest[0].kind == "commit" and rest[0].reservation_id is not None:
        try:
            await oms.ledger.commit_async(rest[0].reservation_id)
        except (LedgerConflict, ReservationNotFound, StoreUnavailable):
            break
        oms.finished([rest.pop(0).op_id])
    if rest:
        await asyncio.to_thread(apply_ops, oms, rest)


def _items(op: LedgerOpRow) -> list[Any]:
    return [tuple(item) for item in op.items]


def apply_op(oms: Oms, op: LedgerOpRow) -> None:
    """Apply one operation to the ledger (safe to repeat)."""
    if op.kind == "adjust":
        oms.ledger.adjust(op.op_id, _items(op))
        return
    assert op.kind == "commit" and op.reservation_id is not None
    try:
        oms.ledger.commit(op.reservation_id)
        return
    except (ReservationExpired, ReservationNotFound, ReservationClosed):
        pass  # the hold is gone: take the stock again, or give the units up
    again = "re:" + op.op_id
    items = _items(op)
    if oms.ledger.reserve(again, items, ttl_seconds=oms.hold_ttl).ok:
        oms.ledger.commit(again)
        return
    _lost_hold(oms, op)


def _lost_hold(oms: Oms, op: LedgerOpRow) -> None:
    """The hold of ``op`` expired and its stock is sold: backorder its open fulfillments, and
    allocate in the ledger the units of any that left the building meanwhile."""
    with oms.store.read() as session:
        order_ids = sorted(
            set(
                session.execute(
                    select(FulfillmentRow.order_id).where(
                        FulfillmentRow.reservation_id == op.reservation_id
                    )
                ).scalars()
            )
        )
    forced: list[tuple[str, str, int, int]] = []
    with oms.change() as unit:
        for order_id in order_ids:
            state = OrderState.load(oms.store, unit.session, order_id, lock=True)
            backordered = []
            for f in state.fulfillments.values():
                if f.row.reservation_id != op.reservation_id:
                    continue
                if f.row.status not in OPEN:
                    for fl in f.lines.values():
                        forced += [
                            (fc, s, 0, q)
                            for fc, s, q in oms.stock_items(f.row.fc_id, fl.sku, fl.qty)
                        ]
                    continue
                f.row.status = "cancelled"
                for n, fl in f.lines.items():
                    line = state.lines[n]
                    line.allocated -= fl.qty
                    line.backordered += fl.qty
                    backordered.append({"line_no": n, "qty": fl.qty})
                unit.event("fulfillment.cancelled", order_id, {"fulfillment": f.to_json()})
            state.refresh_status(unit.now)
            if backordered:
                data = {
                    "lines": backordered,
                    "reason": "hold_lost",
                    "order_status": state.row.status,
                }
                unit.event("order.backordered", order_id, data)
        unit.adjust_op(forced)
        unit.session.execute(
            update(LedgerOpRow).where(LedgerOpRow.op_id == op.op_id).values(done=True)
        )

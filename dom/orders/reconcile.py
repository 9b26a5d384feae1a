"""Make the two stores agree again, and check that they do.

``reconcile`` applies the outbox's unfinished ledger operations in the order they were written
(at every start and every few seconds: the repair after any crash). ``rebuild_ledger`` is the
embedded default's start: the memory ledger died with its process, so it is loaded from the
bundle and moved by what the store says happened. ``check_invariant`` is contracts §7's rule,
for every (node, SKU): the ledger's ``allocated`` equals the units in the node's allocated,
released or picked fulfillments, and ``on_hand`` is the bundle's minus units shipped, minus
units found missing, plus sellable units received back; and nothing is oversold (a cell with
units held or allocated has ``on_hand - safety_stock - reserved - allocated >= 0``; a bundle
may list a cell below its safety stock with nothing promised).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update

from dom.orders.models import (
    FulfillmentLineRow,
    FulfillmentRow,
    LedgerOpRow,
    ReturnLineRow,
    ReturnRow,
)
from dom.orders.oms import Oms
from dom.orders.outbox import apply_ops
from dom.orders.state import OPEN

Cell = tuple[str, str]  # (fc_id, sku)


def reconcile(oms: Oms, *, min_age_seconds: float = 0.0, batch: int = 500) -> int:
    """Apply unfinished ledger operations written at least ``min_age_seconds`` ago (younger ones
    are still being applied by the request that wrote them); returns how many were applied."""
    oms.flush_done()
    applied = 0
    while True:
        cutoff = oms.clock() - timedelta(seconds=min_age_seconds)
        with oms.store.read() as session:
            ops = list(
                session.execute(
                    select(LedgerOpRow)
                    .where(LedgerOpRow.done.is_(False), LedgerOpRow.created_at <= cutoff)
                    .order_by(LedgerOpRow.created_at, LedgerOpRow.kind, LedgerOpRow.op_id)
                    .limit(batch)
                ).scalars()
            )
        if not ops:
            break
        done = apply_ops(oms, ops)
        applied += done
        oms.flush_done()
        if done < len(ops):
            break  # the ledger cannot take one now: the next pass tries again
    return applied


@dataclass
class Expected:
    """What the store says the ledger must hold, per (node, SKU)."""

    allocated: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    on_hand_delta: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))


def expected_levels(oms: Oms) -> Expected:
    """Allocated units and the change of on_hand since the bundle, from the store's rows."""
    out = Expected()
    with oms.store.read() as session:
        rows = session.execute(
            select(
                FulfillmentRow.fc_id,
                FulfillmentRow.status,
                FulfillmentLineRow.sku,
                func.sum(FulfillmentLineRow.qty),
                func.sum(FulfillmentLineRow.missing),
            )
            .join(
                FulfillmentLineRow,
                FulfillmentLineRow.fulfillment_id == FulfillmentRow.fulfillment_id,
            )
            .group_by(FulfillmentRow.fc_id, FulfillmentRow.status, FulfillmentLineRow.sku)
        ).all()
        back = session.execute(
            select(ReturnRow.to_fc_id, ReturnLineRow.sku, func.sum(ReturnLineRow.sellable))
            .join(ReturnLineRow, ReturnLineRow.return_id == ReturnRow.return_id)
            .group_by(ReturnRow.to_fc_id, ReturnLineRow.sku)
        ).all()
    for fc_id, status, item, qty, missing in rows:
        for sku, units in oms.components(item):
            cell = (fc_id, sku)
            if status in OPEN:
                out.allocated[cell] += units * int(qty)
            elif status in ("shipped", "delivered"):
                out.on_hand_delta[cell] -= units * int(qty)
            out.on_hand_delta[cell] -= units * int(missing or 0)
    for fc_id, item, sellable in back:
        for sku, units in oms.components(item):
            out.on_hand_delta[(fc_id, sku)] += units * int(sellable or 0)
    return out


def rebuild_ledger(oms: Oms) -> None:
    """The memory ledger from the bundle and the store (the embedded default's start): every
    operation in the outbox is then reflected, so all are marked done."""
    oms.ledger.load(oms.network, replace=True)
    expected = expected_levels(oms)
    cells = set(expected.allocated) | set(expected.on_hand_delta)
    items = [
        (fc, sku, expected.on_hand_delta.get((fc, sku), 0), expected.allocated.get((fc, sku), 0))
        for fc, sku in sorted(cells)
    ]
    if items:
        oms.ledger.adjust(f"rebuild:{uuid.uuid4().hex}", items)
    with oms.store.write() as session:
        session.execute(update(LedgerOpRow).where(LedgerOpRow.done.is_(False)).values(done=True))


def check_invariant(oms: Oms) -> list[str]:
    """Every (node, SKU) where the ledger and the store disagree, or stock is oversold, in
    words; empty when the invariant holds."""
    expected = expected_levels(oms)
    net = oms.network
    problems = []
    for level in oms.ledger.levels():
        cell = (level.fc_id, level.sku)
        f, s = net.node_index[level.fc_id], net.sku_index[level.sku]
        on_hand = int(net.on_hand[f, s]) + expected.on_hand_delta.get(cell, 0)
        allocated = expected.allocated.get(cell, 0)
        if level.allocated != allocated or level.on_hand != on_hand:
            problems.append(
                f"{level.fc_id}/{level.sku}: ledger on_hand {level.on_hand}, allocated "
                f"{level.allocated}; store says on_hand {on_hand}, allocated {allocated}"
            )
        promised = level.reserved + level.allocated
        if promised and level.raw_available < 0:
            problems.append(f"{level.fc_id}/{level.sku}: oversold by {-level.raw_available}")
    seen = {(lv.fc_id, lv.sku) for lv in oms.ledger.levels()}
    for cell, units in expected.allocated.items():
        if units and cell not in seen:
            problems.append(f"{cell[0]}/{cell[1]}: {units} allocated in the store, no ledger row")
    return problems

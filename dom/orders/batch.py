"""The batch over every pending and backordered line in the store (contracts §7: a batch job
"as if each order had been routed"): the planners' optimizer (``dom.allocate``) on the stock
and capacity left now, its plan applied order by order with holds, so nothing routing sold
meanwhile is oversold.

The network the optimizer sees is the bundle with ``on_hand`` replaced by the ledger's
available units (safety stock, holds and allocations already taken off) and ``capacity_units``
by what the node's open fulfillments leave. Each order's part of the plan is then held
all-or-nothing; where the hold fails (stock sold since the snapshot), that order is routed again
by the exact kernel over live stock instead (``fallback`` in the summary).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select

from dom.allocation import allocate
from dom.model import Order, Orders
from dom.orders.actions import reroute
from dom.orders.capture import add_fulfillments
from dom.orders.models import FulfillmentLineRow, FulfillmentRow, LineRow, OrderRow
from dom.orders.oms import Oms
from dom.orders.state import OPEN, OrderState
from dom.sourcing import OrderPlan, ShipmentDecision
from solvers import MaxRuntime, StoppingCriterion


def _waiting(oms: Oms, limit: int) -> list[tuple[str, dict[int, int]]]:
    """Orders with pending or backordered units, oldest first: ``(order_id, {line_no: units})``."""
    with oms.store.read() as session:
        rows = session.execute(
            select(LineRow.order_id, LineRow.line_no, LineRow.pending + LineRow.backordered)
            .join(OrderRow, OrderRow.order_id == LineRow.order_id)
            .where(or_(LineRow.pending > 0, LineRow.backordered > 0))
            .order_by(OrderRow.created_at, OrderRow.order_id, LineRow.line_no)
        ).all()
    out: dict[str, dict[int, int]] = {}
    for order_id, line_no, units in rows:
        if order_id in out or len(out) < limit:
            out.setdefault(order_id, {})[line_no] = int(units)
    return list(out.items())


def _live_network(oms: Oms, skus: list[str]) -> Any:
    """The bundle with the stock and capacity left now."""
    net = oms.network
    free = oms.ledger.availability(skus)
    on_hand = np.zeros_like(net.on_hand)
    for sku, per_node in free.items():
        s = net.sku_index[sku]
        for fc_id, units in per_node.items():
            on_hand[net.node_index[fc_id], s] = units
    used: dict[str, int] = defaultdict(int)
    with oms.store.read() as session:
        for fc_id, item, qty in session.execute(
            select(FulfillmentRow.fc_id, FulfillmentLineRow.sku, func.sum(FulfillmentLineRow.qty))
            .join(
                FulfillmentLineRow,
                FulfillmentLineRow.fulfillment_id == FulfillmentRow.fulfillment_id,
            )
            .where(FulfillmentRow.status.in_(OPEN))
            .group_by(FulfillmentRow.fc_id, FulfillmentLineRow.sku)
        ):
            used[fc_id] += sum(u for _, u in oms.components(item)) * int(qty)
    capacity = net.capacity.copy()
    for fc_id, units in used.items():
        f = net.node_index[fc_id]
        capacity[f] = max(0.0, capacity[f] - units)
    return dataclasses.replace(
        net, on_hand=on_hand, safety_stock=np.zeros_like(on_hand), capacity=capacity
    )


def allocate_pending(
    oms: Oms, *, stop: StoppingCriterion | None = None, limit: int = 20_000
) -> dict[str, Any]:
    """Allocate every pending and backordered line (at most ``limit`` orders, oldest first);
    returns a summary: orders tried, allocated, still backordered, fallbacks, and the
    optimizer's cost, bound and gap over the batch."""
    waiting = _waiting(oms, limit)
    if not waiting:
        return {"orders": 0, "allocated": 0, "backordered": 0, "fallback": 0}
    with oms.store.read() as session:
        heads = {
            r.order_id: r
            for r in session.execute(
                select(OrderRow).where(OrderRow.order_id.in_([o for o, _ in waiting]))
            ).scalars()
        }
        skus_of = {
            (ln.order_id, ln.line_no): ln.sku
            for ln in session.execute(
                select(LineRow).where(LineRow.order_id.in_([o for o, _ in waiting]))
            ).scalars()
        }
    batch = [
        Order(
            order_id,
            [(skus_of[order_id, n], q) for n, q in sorted(wanted.items())],
            heads[order_id].promised_days,
            lat=heads[order_id].dest_lat,
            lon=heads[order_id].dest_lon,
            ship_complete=heads[order_id].ship_complete,
        )
        for order_id, wanted in waiting
    ]
    skus = sorted({s for o in batch for ln in o.lines for s, _ in oms.components(ln.sku)})
    network = _live_network(oms, skus)
    result = allocate(network, Orders.of(batch, network), stop=stop or MaxRuntime(30.0))
    plans = _order_plans(oms, result.plan.shipments, result.plan.lines)
    summary: dict[str, Any] = {
        "orders": len(batch),
        "allocated": 0,
        "backordered": 0,
        "fallback": 0,
    }
    for (order_id, wanted), order in zip(waiting, batch, strict=True):
        got = _apply(oms, order_id, wanted, plans.get(order_id), order)
        summary[got] += 1
    summary |= {
        "total_cost": result.total_cost,
        "lower_bound": result.lower_bound,
        "gap": result.gap,
        "status": result.status.value,
    }
    return summary


def _order_plans(oms: Oms, shipments: Any, lines: Any) -> dict[str, OrderPlan]:
    """The batch plan's rows as one ``OrderPlan`` per order (line indices are the sub-order's)."""
    out: dict[str, OrderPlan] = {}
    by_shipment: dict[str, list[int]] = defaultdict(list)
    unfilled: dict[str, list[int]] = defaultdict(list)
    sku_of: dict[tuple[str, int], tuple[str, int]] = {}
    for row in lines.itertuples(index=False):
        sku_of[row.order_id, int(row.line_no)] = (str(row.sku), int(row.qty))
        if row.shipment_id:
            by_shipment[row.shipment_id].append(int(row.line_no))
        else:
            unfilled[row.order_id].append(int(row.line_no))
    decisions: dict[str, list[ShipmentDecision]] = defaultdict(list)
    for s in shipments.itertuples(index=False):
        decisions[s.order_id].append(
            ShipmentDecision(
                str(s.fc_id),
                str(s.service),
                by_shipment[s.shipment_id],
                float(s.ship_cost),
                int(s.eta_days),
            )
        )
    for order_id in set(decisions) | set(unfilled):
        allocations = [
            item
            for d in decisions[order_id]
            for i in d.lines
            for item in oms.stock_items(d.fc_id, *sku_of[order_id, i])
        ]
        cost = sum(d.ship_cost for d in decisions[order_id])
        out[order_id] = OrderPlan(
            order_id, decisions[order_id], unfilled[order_id], cost, allocations
        )
    return out


def _apply(
    oms: Oms, order_id: str, wanted: dict[int, int], plan: OrderPlan | None, order: Order
) -> str:
    """Apply one order's part of the plan; "allocated", "backordered" or "fallback"."""
    line_nos = sorted(wanted)
    with oms.change() as unit:
        state = OrderState.load(oms.store, unit.session, order_id, lock=True)
        now_waiting = {n: ln.pending + ln.backordered for n, ln in state.lines.items()}
        if any(now_waiting.get(n) != q for n, q in wanted.items()):
            return "backordered"  # changed since the snapshot (cancelled, woken): next batch
        for n in line_nos:
            state.lines[n].pending = state.lines[n].backordered = 0
        held = None
        if plan is not None and plan.allocations:
            rid = f"{order_id}:batch:{uuid.uuid4().hex[:10]}"
            held = oms.ledger.reserve(rid, plan.allocations, ttl_seconds=oms.hold_ttl).reservation
        kind = "allocated"
        if plan is not None and (held is not None or not plan.allocations):
            made = add_fulfillments(
                unit, state, plan, line_nos, [wanted[n] for n in line_nos], held
            )
            left = [line_nos[i] for i in plan.unfilled]
            for n in left:
                state.lines[n].backordered += wanted[n]
        else:  # sold since the snapshot: the kernel over live stock instead
            made, left = reroute(unit, state, wanted)
            kind = "fallback"
        state.refresh_status(unit.now)
        status = state.row.status
        if made:
            unit.event(
                "order.allocated",
                order_id,
                {
                    "order_status": status,
                    "fulfillments": [f.to_json() for f in made],
                    "batch": True,
                },
            )
        if left:
            back = [{"line_no": n, "qty": wanted[n]} for n in left]
            unit.event("order.backordered", order_id, {"order_status": status, "lines": back})
        if kind == "allocated" and not made:
            kind = "backordered"
    return kind

"""The order's own transitions: cancel, hold and release of a hold; and what re-routes units
(a short pick's missing units, backorders woken when stock arrives).

Each action is one ``Oms.change()``: it locks the order's row, checks the state (an illegal
transition names the line or fulfillment and its quantities), changes the rows, stages the
ledger operations and appends its events (contracts §7, §8).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from dom.errors import InvalidInput
from dom.model import Order
from dom.orders.capture import add_fulfillments, route_and_hold
from dom.orders.errors import IllegalTransition
from dom.orders.inputs import count, known_line, line_list, text
from dom.orders.models import LineRow, OrderRow
from dom.orders.oms import Oms, Unit
from dom.orders.state import Fulfillment, OrderState

CANCELLABLE = ("allocated", "released")  # fulfillment states whose units are not yet picked


def _quantities(state: OrderState, n: int) -> str:
    line = state.lines[n]
    picked = sum(
        f.lines[n].qty
        for f in state.fulfillments.values()
        if f.row.status == "picked" and n in f.lines
    )
    return (
        f"qty {line.qty}: pending {line.pending}, backordered {line.backordered}, allocated "
        f"{line.allocated} (picked {picked}), shipped {line.shipped}, cancelled {line.cancelled}"
    )


def cancellable(state: OrderState, n: int) -> int:
    """Units of line ``n`` not yet picked: pending, backordered, or in a fulfillment not picked."""
    line = state.lines[n]
    held = sum(
        f.lines[n].qty
        for f in state.fulfillments.values()
        if f.row.status in CANCELLABLE and n in f.lines
    )
    return line.pending + line.backordered + held


def cancel_order(oms: Oms, order_id: str, lines: Any = None) -> dict[str, Any]:
    """Cancel units not yet picked (all of them without ``lines``); their stock is available
    again. Asking for picked or shipped units is ``IllegalTransition`` naming the line."""
    wanted = None if lines is None else line_list(lines, ("qty",))
    with oms.change() as unit:
        state = OrderState.load(oms.store, unit.session, order_id, lock=True)
        if wanted is None:
            plan = {n: cancellable(state, n) for n in state.lines}
            if not any(plan.values()):
                raise IllegalTransition(
                    f"order '{order_id}' is {state.row.status}: no unit is left to cancel "
                    "(picked and shipped units cannot be cancelled)"
                )
        else:
            plan = {}
            for i, item in enumerate(wanted):
                n = item["line_no"]
                known_line(state, n, f"lines[{i}]")
                plan[n] = plan.get(n, 0) + count(item, "qty", f"lines[{i}]")
            for n, qty in plan.items():
                if qty > cancellable(state, n):
                    raise IllegalTransition(
                        f"cannot cancel {qty} units of line {n} of order '{order_id}': only "
                        f"{cancellable(state, n)} are not yet picked ({_quantities(state, n)})"
                    )
        done = [{"line_no": n, "qty": q} for n, q in plan.items() if q]
        for n, qty in plan.items():
            _cancel_units(unit, state, n, qty)
        state.refresh_status(unit.now)
        unit.event("order.cancelled", order_id, {"order_status": state.row.status, "lines": done})
    return state.to_json()


def _cancel_units(unit: Unit, state: OrderState, n: int, qty: int) -> None:
    """Take ``qty`` units of line ``n`` out: pending first, then backordered, then fulfillments
    not released before released ones, newest first."""
    line = state.lines[n]
    for bucket in ("pending", "backordered"):
        take = min(qty, getattr(line, bucket))
        setattr(line, bucket, getattr(line, bucket) - take)
        line.cancelled += take
        qty -= take
    rank = {"allocated": 0, "released": 1}
    open_ = [f for f in state.fulfillments.values() if f.row.status in rank and n in f.lines]
    open_.sort(key=lambda f: (rank[f.row.status], -f.row.created_at.timestamp()))
    for f in open_:
        if qty == 0:
            break
        fl = f.lines[n]
        take = min(qty, fl.qty)
        if take == 0:
            continue
        fl.qty -= take
        fl.cancelled += take
        line.allocated -= take
        line.cancelled += take
        qty -= take
        unit.adjust_op(
            [(fc, s, 0, -q) for fc, s, q in unit.oms.stock_items(f.row.fc_id, fl.sku, take)]
        )
        if f.units == 0:
            f.row.status = "cancelled"
            unit.event("fulfillment.cancelled", state.order_id, {"fulfillment": f.to_json()})
    assert qty == 0, "cancellable() promised these units"


def hold_order(oms: Oms, order_id: str, reason: Any = None) -> dict[str, Any]:
    """Put the order on hold: nothing of it is released to a warehouse while it stands."""
    why = text(reason, "reason")
    with oms.change() as unit:
        state = OrderState.load(oms.store, unit.session, order_id, lock=True)
        if state.row.on_hold:
            raise IllegalTransition(
                f"order '{order_id}' is already on hold ({state.row.hold_reason})"
            )
        if state.row.status in ("cancelled", "shipped", "delivered"):
            raise IllegalTransition(
                f"order '{order_id}' is {state.row.status}: nothing left to hold"
            )
        state.row.on_hold = True
        state.row.hold_reason = why or "hold"
        state.row.updated_at = unit.now
        unit.event("order.held", order_id, {"order_status": state.row.status, "reason": why})
    return state.to_json()


def release_hold(oms: Oms, order_id: str) -> dict[str, Any]:
    """Release the hold; the order's allocated fulfillments can be released again."""
    with oms.change() as unit:
        state = OrderState.load(oms.store, unit.session, order_id, lock=True)
        if not state.row.on_hold:
            raise IllegalTransition(f"order '{order_id}' is not on hold")
        state.row.on_hold = False
        state.row.hold_reason = None
        state.row.updated_at = unit.now
        unit.event("order.hold_released", order_id, {"order_status": state.row.status})
    return state.to_json()


def reroute(
    unit: Unit, state: OrderState, wanted: dict[int, int], *, exclude: str | None = None
) -> tuple[list[Fulfillment], list[int]]:
    """Route ``wanted`` units (line_no -> units, already taken out of their bucket by the
    caller) over live stock, never to ``exclude``; returns the new fulfillments and the line_nos
    left unfilled (their units go to ``backordered``)."""
    row = state.row
    line_nos = [n for n, q in sorted(wanted.items()) if q > 0]
    qty = [wanted[n] for n in line_nos]
    order = Order(
        row.order_id,
        [(state.lines[n].sku, q) for n, q in zip(line_nos, qty, strict=True)],
        row.promised_days,
        lat=row.dest_lat,
        lon=row.dest_lon,
        ship_complete=row.ship_complete,
    )
    plan, hold = route_and_hold(
        unit.oms, order, f"{row.order_id}:{uuid.uuid4().hex[:12]}", exclude=exclude
    )
    made = add_fulfillments(unit, state, plan, line_nos, qty, hold)
    unfilled = [line_nos[i] for i in plan.unfilled]
    for i in plan.unfilled:
        state.lines[line_nos[i]].backordered += qty[i]
    return made, unfilled


def wake_backorders(oms: Oms, skus: set[str] | None = None, *, limit: int = 200) -> int:
    """Try backordered lines again (of orders drawing ``skus``, oldest first); returns how many
    orders got units allocated."""
    with oms.store.read() as session:
        rows = session.execute(
            select(LineRow.order_id, LineRow.sku)
            .join(OrderRow, OrderRow.order_id == LineRow.order_id)
            .where(LineRow.backordered > 0)
            .order_by(OrderRow.created_at, OrderRow.order_id)
            .limit(limit * 10)
        ).all()
    order_ids = list(
        dict.fromkeys(
            o for o, sku in rows if skus is None or {s for s, _ in oms.components(sku)} & skus
        )
    )[:limit]
    woken = 0
    for order_id in order_ids:
        with oms.change() as unit:
            state = OrderState.load(oms.store, unit.session, order_id, lock=True)
            wanted = {n: line.backordered for n, line in state.lines.items() if line.backordered}
            if not wanted:
                continue
            for n in wanted:
                state.lines[n].backordered = 0
            made, _ = reroute(unit, state, wanted)
            state.refresh_status(unit.now)
            if made:
                woken += 1
                data = {
                    "order_status": state.row.status,
                    "fulfillments": [f.to_json() for f in made],
                }
                unit.event("order.allocated", order_id, data)
    return woken


def check_body_keys(body: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with only ``allowed`` keys (or None as {})."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    for key in body:
        if key not in allowed:
            raise InvalidInput(
                f"unknown field {key}", column=str(key), fix=f"use {', '.join(allowed)}"
            )
    return body

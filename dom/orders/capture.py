"""Capture: an order in (routed now by the exact kernel, or left pending for a batch), files of
orders imported, and what routing and holding stock share with re-routing.

``create_order`` holds the plan's stock in the ledger *before* the order's transaction (so no
unit is sold twice however many replicas route at once), writes the order, its lines, its
fulfillments, the ledger operation "commit this hold" and its events in one transaction, then
commits the hold (``dom.orders.oms``). The order id is the idempotency key: the same body again
answers the stored order; another body under the same id is ``OrderConflict``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from dom.errors import InvalidInput, shown
from dom.inventory import Reservation
from dom.io import order_from_json
from dom.model import Order
from dom.orders.errors import Contention, OrderConflict
from dom.orders.models import FulfillmentLineRow, FulfillmentRow, LineRow, OrderRow
from dom.orders.oms import Oms, Unit
from dom.orders.state import Fulfillment, OrderState
from dom.sourcing import OrderPlan

ALLOCATIONS = ("now", "batch")


def fingerprint(body: dict[str, Any]) -> str:
    """sha256 of the body's canonical JSON: the same order sent twice has the same print."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def utc_naive(text: str | None, default: datetime) -> datetime:
    """An ISO-8601 time as naive UTC (a time without offset is read as UTC)."""
    if text is None:
        return default
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
    return moment


def route_and_hold(
    oms: Oms, order: Order, reservation_id: str, *, exclude: str | None = None
) -> tuple[OrderPlan, Reservation | None]:
    """The cheapest plan of ``order`` over live stock (``exclude`` a node, e.g. one just found
    short), its units held all-or-nothing; a lost race re-solves against fresh stock."""
    skus = oms.router.skus_needed(order)
    for attempt in range(oms.max_resolves + 1):
        if attempt:
            oms.ledger.incr("resolves")
        free = oms.ledger.availability(skus)
        if exclude is not None:
            for units in free.values():
                units.pop(exclude, None)
        plan = oms.router.route(order, free)
        if not plan.allocations:
            return plan, None
        held = oms.ledger.reserve(reservation_id, plan.allocations, ttl_seconds=oms.hold_ttl)
        if held.reservation is not None:
            return plan, held.reservation
    raise Contention(f"stock moved under order '{order.order_id}' on every re-solve; retry")


def add_fulfillments(
    unit: Unit,
    state: OrderState,
    plan: OrderPlan,
    line_nos: list[int],
    qty: list[int],
    reservation: Reservation | None,
) -> list[Fulfillment]:
    """The plan's shipments as allocated fulfillments of ``state``'s order; ``line_nos[i]`` and
    ``qty[i]`` are the order line and units behind the plan's line ``i``. Moves the units from
    wherever the caller took them into ``allocated`` and stages the hold's commit."""
    made = []
    row = state.row
    promised = (row.created_at.date() + timedelta(days=row.promised_days)).isoformat()
    for shipment in plan.shipments:
        row.num_fulfillments += 1
        fid = f"{row.order_id}-F{row.num_fulfillments}"
        f = Fulfillment(
            FulfillmentRow(
                fulfillment_id=fid,
                order_id=row.order_id,
                fc_id=shipment.fc_id,
                status="allocated",
                service=shipment.service,
                ship_cost=round(shipment.ship_cost, 6),
                eta_days=shipment.eta_days,
                promised_date=promised,
                estimated_date=(unit.now.date() + timedelta(days=shipment.eta_days)).isoformat(),
                reservation_id=None if reservation is None else reservation.id,
                created_at=unit.now,
            )
        )
        for i in shipment.lines:
            n = line_nos[i]
            f.lines[n] = FulfillmentLineRow(
                fulfillment_id=fid,
                line_no=n,
                sku=state.lines[n].sku,
                qty=qty[i],
                missing=0,
                cancelled=0,
            )
            state.lines[n].allocated += qty[i]
        state.fulfillments[fid] = f
        made.append(f)
    if made:  # parents first: the unit of work does not order tables by foreign key
        unit.session.add_all([f.row for f in made])
        unit.session.flush()
        unit.session.add_all([fl for f in made for fl in f.lines.values()])
    if reservation is not None:
        unit.commit_op(reservation.id, [(i.fc_id, i.sku, i.qty) for i in reservation.items])
    return made


def create_order(oms: Oms, body: Any) -> tuple[dict[str, Any], bool]:
    """Capture one order (contracts §7 ``POST /v1/orders``); returns the order resource and
    whether this call created it (False: the same order was stored before)."""
    if not isinstance(body, dict):
        raise InvalidInput("the order must be a JSON object", fix="send an order of contracts §2")
    allocation = body.get("allocation", "now")
    if allocation not in ALLOCATIONS:
        raise InvalidInput(
            f"allocation is {shown(allocation)}",
            column="allocation",
            fix='give "now" (route at once) or "batch" (wait for a batch)',
        )
    order = order_from_json(body, oms.network, extra_keys=("allocation",))
    print_ = fingerprint(body)
    stored = _stored(oms, order.order_id, print_)
    if stored is not None:
        return stored, False
    plan, hold = None, None
    if allocation == "now":
        plan, hold = route_and_hold(oms, order, f"{order.order_id}:{uuid.uuid4().hex[:12]}")
    try:
        with oms.change() as unit:
            state = _new_order(unit, order, allocation, print_)
            if plan is not None:
                made = add_fulfillments(
                    unit,
                    state,
                    plan,
                    list(range(len(order.lines))),
                    [line.qty for line in order.lines],
                    hold,
                )
                for n in plan.unfilled:
                    state.lines[n].backordered = state.lines[n].qty
                state.refresh_status(unit.now)
                _created_events(unit, state, made, plan.unfilled)
            else:
                state.refresh_status(unit.now)
                _created_events(unit, state, [], [])
    except IntegrityError:  # the same id committed by a concurrent call in between
        if hold is not None:
            oms.ledger.release(hold.id)
        stored = _stored(oms, order.order_id, print_)
        if stored is None:
            raise
        return stored, False
    return state.to_json(), True


def _stored(oms: Oms, order_id: str, print_: str) -> dict[str, Any] | None:
    """The stored order of this id if its body was the same; ``OrderConflict`` if not."""
    with oms.store.read() as session:
        row = session.get(OrderRow, order_id)
        if row is None:
            return None
        if row.fingerprint != print_:
            raise OrderConflict(
                f"order '{order_id}' exists with another body; an order id is sent once "
                "(use a new id, or cancel the order and create a new one)"
            )
        return OrderState.of_row(session, row).to_json()


def _new_order(unit: Unit, order: Order, allocation: str, print_: str) -> OrderState:
    """The order's rows, every unit pending (the caller moves them)."""
    now = unit.now
    row = OrderRow(
        order_id=order.order_id,
        channel=order.channel,
        status="pending",
        on_hold=False,
        created_at=utc_naive(order.created_at, now),
        promised_days=order.promised_days,
        dest_zip=None if order.lat is not None else order.zip,
        dest_lat=order.dest_lat,
        dest_lon=order.dest_lon,
        ship_complete=order.ship_complete,
        allocation=allocation,
        fingerprint=print_,
        updated_at=now,
        num_fulfillments=0,
        num_returns=0,
    )
    lines = {
        n: LineRow(
            order_id=order.order_id,
            line_no=n,
            sku=line.sku,
            qty=line.qty,
            pending=line.qty if allocation == "batch" else 0,
            backordered=0,
            allocated=0,
            shipped=0,
            delivered=0,
            cancelled=0,
            returned=0,
        )
        for n, line in enumerate(order.lines)
    }
    unit.session.add(row)
    unit.session.flush()  # the order row first: a duplicate id fails here, before the lines
    unit.session.add_all(lines.values())
    return OrderState(row, lines, {}, {})


def _created_events(
    unit: Unit, state: OrderState, made: list[Fulfillment], unfilled: list[int]
) -> None:
    order_id, status = state.order_id, state.row.status
    unit.event(
        "order.created",
        order_id,
        {
            "order_status": status,
            "channel": state.row.channel,
            "allocation": state.row.allocation,
            "lines": [
                {"line_no": n, "sku": ln.sku, "qty": ln.qty} for n, ln in state.lines.items()
            ],
        },
    )
    if made:
        data = {"order_status": status, "fulfillments": [f.to_json() for f in made]}
        unit.event("order.allocated", order_id, data)
    if unfilled:
        lines = [{"line_no": n, "qty": state.lines[n].qty} for n in unfilled]
        unit.event("order.backordered", order_id, {"order_status": status, "lines": lines})

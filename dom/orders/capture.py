"""Capture: an order in (routed now by the exact kernel, or left pending for a batch), files of
orders imported, and what routing and holding stock share with re-routing.

``prepare_order`` holds the plan's stock in the ledger *before* the order's transaction (so no
unit is sold twice however many replicas route at once) and builds the rows; ``write_captures``
writes orders, lines, fulfillments, the ledger operations "commit this hold" and the events in
one transaction (one statement per table for however many orders come together: the service's
``BatchWriter`` joins concurrent creates, a group commit), then commits the holds
(``dom.orders.oms``). The order id is the idempotency key: the same body again
answers the stored order; another body under the same id is ``OrderConflict``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from dom.errors import InvalidInput, shown
from dom.events.outbox import PendingEvent, append_events
from dom.inventory import Reservation
from dom.io import order_from_json
from dom.model import Order
from dom.orders.errors import Contention, OrderConflict
from dom.orders.models import FulfillmentLineRow, FulfillmentRow, LedgerOpRow, LineRow, OrderRow
from dom.orders.oms import Oms, Unit, ledger_op
from dom.orders.outbox import apply_ops
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


def build_fulfillments(
    state: OrderState,
    plan: OrderPlan,
    line_nos: list[int],
    qty: list[int],
    reservation: Reservation | None,
    now: datetime,
    *,
    make_row: Callable[..., Any] = FulfillmentRow,
    make_line: Callable[..., Any] = FulfillmentLineRow,
) -> list[Fulfillment]:
    """The plan's shipments as allocated fulfillments of ``state``'s order (not yet in any
    session); ``line_nos[i]`` and ``qty[i]`` are the order line and units behind the plan's line
    ``i``. Moves the units from wherever the caller took them into ``allocated``. A create makes
    its rows as ``Record``s (written by plain INSERTs), a change as ORM rows of its session."""
    made = []
    row = state.row
    promised = (row.created_at.date() + timedelta(days=row.promised_days)).isoformat()
    for shipment in plan.shipments:
        row.num_fulfillments += 1
        fid = f"{row.order_id}-F{row.num_fulfillments}"
        f = Fulfillment(
            make_row(
                fulfillment_id=fid,
                order_id=row.order_id,
                fc_id=shipment.fc_id,
                status="allocated",
                service=shipment.service,
                carrier=None,
                tracking_number=None,
                ship_cost=round(shipment.ship_cost, 6),
                eta_days=shipment.eta_days,
                promised_date=promised,
                estimated_date=(now.date() + timedelta(days=shipment.eta_days)).isoformat(),
                reservation_id=None if reservation is None else reservation.id,
                wave_id=None,
                tracking_status=None,
                tracking_at=None,
                exception=None,
                created_at=now,
                released_at=None,
                shipped_at=None,
                delivered_at=None,
            )
        )
        for i in shipment.lines:
            n = line_nos[i]
            f.lines[n] = make_line(
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
    return made


def hold_items(reservation: Reservation) -> list[list[Any]]:
    return [[i.fc_id, i.sku, i.qty] for i in reservation.items]


def add_fulfillments(
    unit: Unit,
    state: OrderState,
    plan: OrderPlan,
    line_nos: list[int],
    qty: list[int],
    reservation: Reservation | None,
) -> list[Fulfillment]:
    """``build_fulfillments`` inside a change: the rows join its session and the hold's commit
    its outbox."""
    made = build_fulfillments(state, plan, line_nos, qty, reservation, unit.now)
    if made:  # parents first: the unit of work does not order tables by foreign key
        unit.session.add_all([f.row for f in made])
        unit.session.flush()
        unit.session.add_all([fl for f in made for fl in f.lines.values()])
    if reservation is not None:
        unit.commit_op(reservation.id, [tuple(i) for i in hold_items(reservation)])
    return made


@dataclass
class Capture:
    """An order ready to be written: its rows (not in any session), the hold on its stock, the
    outbox row committing that hold, and its events."""

    state: OrderState
    hold: Reservation | None
    ops: list[LedgerOpRow]
    events: list[PendingEvent]

    @property
    def order_id(self) -> str:
        return self.state.order_id


def prepare_order(oms: Oms, body: Any) -> Capture:
    """Validate one order (contracts §7 ``POST /v1/orders``), route it over live stock and hold
    the plan's units (``allocation: now``), and build its rows; nothing is written yet."""
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
    now = oms.clock()
    state = _new_order(order, allocation, fingerprint(body), now)
    ops: list[LedgerOpRow] = []
    made: list[Fulfillment] = []
    unfilled: list[int] = []
    hold = None
    if allocation == "now":
        plan, hold = route_and_hold(oms, order, f"{order.order_id}:{uuid.uuid4().hex[:12]}")
        made = build_fulfillments(
            state,
            plan,
            list(range(len(order.lines))),
            [ln.qty for ln in order.lines],
            hold,
            now,
            make_row=Record,
            make_line=Record,
        )
        if hold is not None:
            ops.append(ledger_op("commit", hold_items(hold), hold.id, now))
        unfilled = plan.unfilled
        for n in unfilled:
            state.lines[n].backordered = state.lines[n].qty
    state.refresh_status(now)
    return Capture(state, hold, ops, _created_events(state, made, unfilled))


def write_captures(
    oms: Oms, captures: list[Capture], *, apply: bool = True
) -> list[dict[str, Any] | None]:
    """Write prepared orders in one transaction, commit their holds (unless ``apply`` is False:
    then each caller applies its capture's ``ops``), and answer each order's resource; None for
    an order id already stored (the caller settles it, see ``settle_duplicate``)."""
    store = oms.store
    now = oms.clock()
    try:
        with store.write() as session:
            ids = [c.order_id for c in captures]
            stored = set(
                session.execute(
                    select(OrderRow.order_id).where(OrderRow.order_id.in_(ids))
                ).scalars()
            )
            fresh, seen = [], set(stored)
            for c in captures:
                if c.order_id not in seen:
                    seen.add(c.order_id)
                    fresh.append(c)
            if fresh:
                session.execute(insert(OrderRow), [row_dict(c.state.row) for c in fresh])
            fs = [f for c in fresh for f in c.state.fulfillments.values()]
            for table, items in (
                (LineRow, [ln for c in fresh for ln in c.state.lines.values()]),
                (FulfillmentRow, [f.row for f in fs]),
                (FulfillmentLineRow, [fl for f in fs for fl in f.lines.values()]),
                (LedgerOpRow, [op for c in fresh for op in c.ops]),
            ):
                if items:
                    session.execute(insert(table), [row_dict(x) for x in items])
            events = [e for c in fresh for e in c.events]
            published = append_events(store, session, events, now)
    except IntegrityError:
        if len(captures) > 1:
            raise  # the batch writer writes them one by one
        return [None]  # the same id committed by another replica in between
    ops = [op for c in fresh for op in c.ops]
    if ops and apply:
        apply_ops(oms, ops)
    oms.publish(published)
    done = {id(c) for c in fresh}
    return [c.state.to_json() if id(c) in done else None for c in captures]


def settle_duplicate(oms: Oms, capture: Capture) -> dict[str, Any]:
    """An order id already stored: give this call's hold back and answer the stored order if
    its body was the same (``OrderConflict`` if not)."""
    if capture.hold is not None:
        oms.ledger.release(capture.hold.id)
    stored = _stored(oms, capture.order_id, capture.state.row.fingerprint)
    if stored is None:  # stored, then gone: cannot happen (orders are never deleted)
        raise OrderConflict(f"order '{capture.order_id}' could not be written; retry")
    return stored


def create_order(oms: Oms, body: Any) -> tuple[dict[str, Any], bool]:
    """Capture one order (contracts §7 ``POST /v1/orders``); returns the order resource and
    whether this call created it (False: the same order was stored before). With a batch
    writer (the service), the write joins others' in one transaction."""
    capture = prepare_order(oms, body)
    if oms.writer is None:
        result = write_captures(oms, [capture])[0]
    else:
        result = oms.writer.submit(capture).result()
        if result is not None:
            apply_ops(oms, capture.ops)
    if result is None:
        return settle_duplicate(oms, capture), False
    return result, True


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


def _new_order(order: Order, allocation: str, print_: str, now: datetime) -> OrderState:
    """The order's rows (``Record``s), every unit pending (the caller moves them)."""
    row = Record(
        order_id=order.order_id,
        channel=order.channel,
        status="pending",
        on_hold=False,
        hold_reason=None,
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
        n: Record(
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
    return OrderState(cast(OrderRow, row), cast(dict[int, LineRow], lines), {}, {})


def _created_events(
    state: OrderState, made: list[Fulfillment], unfilled: list[int]
) -> list[PendingEvent]:
    order_id, status = state.order_id, state.row.status
    lines = [{"line_no": n, "sku": ln.sku, "qty": ln.qty} for n, ln in state.lines.items()]
    events: list[PendingEvent] = [
        (
            "order.created",
            order_id,
            {
                "order_status": status,
                "channel": state.row.channel,
                "allocation": state.row.allocation,
                "lines": lines,
            },
        )
    ]
    if made:
        data = {"order_status": status, "fulfillments": [f.to_json() for f in made]}
        events.append(("order.allocated", order_id, data))
    if unfilled:
        back = [{"line_no": n, "qty": state.lines[n].qty} for n in unfilled]
        events.append(("order.backordered", order_id, {"order_status": status, "lines": back}))
    return events


class Record(SimpleNamespace):
    """A row of a create, bound to no session: read like an ORM row (``OrderState`` renders
    it), written by a plain INSERT, and made for a fraction of an ORM row's cost."""


def row_dict(obj: Any) -> dict[str, Any]:
    """A transient row's column values, as an INSERT takes them."""
    if isinstance(obj, Record):
        return vars(obj)
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}

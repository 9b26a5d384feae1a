"""The warehouse's transitions: release a node's allocated fulfillments (grouped into waves with
their pick routes where the node has a layout and a slotting), pick (a short pick lowers the
node's ``on_hand`` and re-routes the missing units), ship (a unique tracking number).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import numpy as np
from sqlalchemy import select

from dom.errors import InvalidInput, UnknownNode
from dom.orders.actions import reroute
from dom.orders.errors import IllegalTransition
from dom.orders.inputs import count, line_list, text
from dom.orders.models import FulfillmentLineRow, FulfillmentRow, OrderRow
from dom.orders.oms import Oms
from dom.orders.state import Fulfillment, OrderState
from warehouse_graph import (
    Cart,
    NodeLines,
    build_pick_lists,
    kits_from_csr,
    load_layout,
    load_slotting,
    plan_waves,
)

log = logging.getLogger("dom.orders")

DEFAULT_CART = Cart(40, 10)
WAVE_TIME_LIMIT = 2.0  # seconds of batching search per release


def release(
    oms: Oms, fc_id: str, *, max_orders: int | None = None, cart: Cart | None = None
) -> dict[str, Any]:
    """The node's allocated fulfillments of orders not on hold become ``released``, oldest
    first (at most ``max_orders``); with a layout and slotting, their waves and pick routes."""
    if fc_id not in oms.network.node_index:
        raise UnknownNode(f"unknown fulfillment node '{fc_id}'", column="fc_id")
    if max_orders is not None and (not isinstance(max_orders, int) or max_orders < 1):
        raise InvalidInput(
            f"max_orders is {max_orders!r}", column="max_orders", fix="give 1 or more"
        )
    with oms.change() as unit:
        stmt = (
            select(FulfillmentRow)
            .join(OrderRow, OrderRow.order_id == FulfillmentRow.order_id)
            .where(
                FulfillmentRow.fc_id == fc_id,
                FulfillmentRow.status == "allocated",
                OrderRow.on_hold.is_(False),
            )
            .order_by(FulfillmentRow.created_at, FulfillmentRow.fulfillment_id)
            .limit(max_orders)
        )
        if oms.store.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        chosen = {f.fulfillment_id: Fulfillment(f) for f in unit.session.execute(stmt).scalars()}
        if chosen:
            for fl in unit.session.execute(
                select(FulfillmentLineRow).where(
                    FulfillmentLineRow.fulfillment_id.in_(list(chosen))
                )
            ).scalars():
                chosen[fl.fulfillment_id].lines[fl.line_no] = fl
        for f in chosen.values():
            f.row.status = "released"
            f.row.released_at = unit.now
        waves = _waves(oms, fc_id, list(chosen.values()), cart or DEFAULT_CART)
        if waves is not None:
            for wave in waves["waves"]:
                for fid in wave["shipments"]:
                    chosen[fid].row.wave_id = wave["wave_id"]
        for f in chosen.values():
            unit.event("fulfillment.released", f.row.order_id, {"fulfillment": f.to_json()})
    return {
        "fc_id": fc_id,
        "released": [f.to_json() for f in chosen.values()],
        "waves": waves,
    }


def _layout(oms: Oms, fc_id: str) -> tuple[Any, Any] | None:
    """The node's layout and slotting (``{warehouse_dir}/{fc_id}/``), read once; None without."""
    key = f"layout:{fc_id}"
    if key not in oms.cache:
        folder = None if oms.warehouse_dir is None else oms.warehouse_dir / fc_id
        found = None
        if (
            folder is not None
            and (folder / "layout.json").is_file()
            and (folder / "slotting.csv").is_file()
        ):
            layout = load_layout(folder / "layout.json")
            slotting = load_slotting(folder / "slotting.csv", layout)
            found = (layout, slotting)
        oms.cache[key] = found
    cached: tuple[Any, Any] | None = oms.cache[key]
    return cached


def _waves(oms: Oms, fc_id: str, released: list[Fulfillment], cart: Cart) -> dict[str, Any] | None:
    """Waves of the released fulfillments on the node's floor, each with its route (§5)."""
    floor = _layout(oms, fc_id)
    if floor is None or not released:
        return None
    layout, slotting = floor
    rows = [
        (f.row.order_id, f.row.fulfillment_id, fl.sku, fl.qty)
        for f in released
        for fl in f.lines.values()
        if fl.qty
    ]
    if not rows:
        return None
    order_id, shipment_id, sku, qty = (np.array(c) for c in zip(*rows, strict=True))
    lines = NodeLines(
        node=fc_id,
        source="order store",
        row=np.arange(1, len(rows) + 1),
        order_id=order_id.astype(str),
        shipment_id=shipment_id.astype(str),
        sku=sku.astype(str),
        qty=qty.astype(np.int64),
    )
    net = oms.network
    kits = kits_from_csr(net.kit_ids, net.kit_ptr, net.sku_ids[net.kit_comp_sku], net.kit_comp_qty)
    try:
        lists = build_pick_lists(lines, slotting, layout, kits=kits)
    except InvalidInput as exc:  # a SKU without a slot: release anyway, without waves
        log.warning("no waves at %s: %s", fc_id, exc)
        return None
    plan = plan_waves(layout, lists, cart, time_limit=WAVE_TIME_LIMIT)
    out = plan.to_json()
    out.pop("stats", None)
    return out


def _fulfillment_state(oms: Oms, unit: Any, fulfillment_id: str) -> tuple[OrderState, Fulfillment]:
    state = OrderState.load_of(
        oms.store,
        unit.session,
        FulfillmentRow.order_id,
        FulfillmentRow.fulfillment_id == fulfillment_id,
        f"no fulfillment '{fulfillment_id}'",
    )
    return state, state.fulfillments[fulfillment_id]


def pick(oms: Oms, fulfillment_id: str, lines: Any) -> dict[str, Any]:
    """Record what was picked, every line of a released fulfillment; missing units lower the
    node's ``on_hand`` and are re-routed to another node (a new fulfillment) or backordered."""
    given = line_list(lines, ("picked_qty",))
    with oms.change() as unit:
        state, f = _fulfillment_state(oms, unit, fulfillment_id)
        if f.row.status != "released":
            raise IllegalTransition(
                f"fulfillment '{fulfillment_id}' is {f.row.status}: only a released "
                "fulfillment can be picked"
            )
        picked: dict[int, int] = {}
        for i, item in enumerate(given):
            n = item["line_no"]
            if n not in f.lines or n in picked:
                raise InvalidInput(
                    f"lines[{i}].line_no is {n}: fulfillment '{fulfillment_id}' has lines "
                    f"{sorted(f.lines)}, each given once",
                    column=f"lines[{i}].line_no",
                )
            q = count(item, "picked_qty", f"lines[{i}]", low=0)
            if q > f.lines[n].qty:
                raise InvalidInput(
                    f"lines[{i}].picked_qty is {q}, above the {f.lines[n].qty} units of line {n}",
                    column=f"lines[{i}].picked_qty",
                )
            picked[n] = q
        if set(picked) != set(f.lines):
            missing_lines = sorted(set(f.lines) - set(picked))
            raise InvalidInput(
                f"lines give no picked_qty for line(s) {missing_lines}",
                column="lines",
                fix="give every line of the fulfillment, picked_qty 0 for none",
            )
        short: dict[int, int] = {}
        for n, fl in f.lines.items():
            m = fl.qty - picked[n]
            if m:
                short[n] = m
                fl.qty -= m
                fl.missing += m
                state.lines[n].allocated -= m
                unit.adjust_op(
                    [(fc, s, -q, -q) for fc, s, q in oms.stock_items(f.row.fc_id, fl.sku, m)]
                )
        f.row.status = "picked" if f.units else "cancelled"
        kind = "fulfillment.picked" if f.units else "fulfillment.cancelled"
        unit.event(kind, state.order_id, {"fulfillment": f.to_json()})
        if short:
            made, unfilled = reroute(unit, state, short, exclude=f.row.fc_id)
            to = {n: fm.row.fulfillment_id for fm in made for n in fm.lines}
            for n, m in short.items():
                data = {
                    "line_no": n,
                    "qty": m,
                    "from_fulfillment_id": fulfillment_id,
                    "from_fc_id": f.row.fc_id,
                    "to_fulfillment_id": to.get(n),
                    "backordered": n in unfilled,
                }
                unit.event("line.rerouted", state.order_id, data)
        state.refresh_status(unit.now)
        if short and made:
            data = {"order_status": state.row.status, "fulfillments": [fm.to_json() for fm in made]}
            unit.event("order.allocated", state.order_id, data)
        if short and unfilled:
            lines_out = [{"line_no": n, "qty": short[n]} for n in unfilled]
            unit.event(
                "order.backordered",
                state.order_id,
                {"order_status": state.row.status, "lines": lines_out},
            )
    return f.to_json()


def ship(
    oms: Oms,
    fulfillment_id: str,
    *,
    carrier: Any = None,
    service: Any = None,
    tracking_number: Any = None,
) -> dict[str, Any]:
    """A picked fulfillment leaves: ``shipped``, its units leave ``on_hand`` and ``allocated``
    together; a unique tracking number is made when none is given."""
    carrier = text(carrier, "carrier", limit=64)
    service = text(service, "service", limit=64)
    tracking_number = text(tracking_number, "tracking_number", limit=64)
    if service is not None and service not in oms.network.service_names.tolist():
        raise InvalidInput(
            f"service is '{service}'",
            column="service",
            fix=f"use one of {', '.join(oms.network.service_names.tolist())}",
        )
    with oms.change() as unit:
        state, f = _fulfillment_state(oms, unit, fulfillment_id)
        if f.row.status != "picked":
            raise IllegalTransition(
                f"fulfillment '{fulfillment_id}' is {f.row.status}: only a picked fulfillment "
                "can ship"
            )
        if tracking_number is not None:
            other = unit.session.execute(
                select(FulfillmentRow.fulfillment_id).where(
                    FulfillmentRow.tracking_number == tracking_number
                )
            ).scalar_one_or_none()
            if other is not None:
                raise IllegalTransition(
                    f"tracking number '{tracking_number}' is already fulfillment '{other}''s"
                )
        f.row.status = "shipped"
        f.row.shipped_at = unit.now
        f.row.carrier = carrier or oms.carrier
        f.row.service = service or f.row.service
        f.row.tracking_number = tracking_number or "DOM" + uuid.uuid4().hex[:20].upper()
        for n, fl in f.lines.items():
            state.lines[n].allocated -= fl.qty
            state.lines[n].shipped += fl.qty
            unit.adjust_op(
                [(fc, s, -q, -q) for fc, s, q in oms.stock_items(f.row.fc_id, fl.sku, fl.qty)]
            )
        state.refresh_status(unit.now)
        data = {"order_status": state.row.status, "fulfillment": f.to_json()}
        unit.event("fulfillment.shipped", state.order_id, data)
    return f.to_json()

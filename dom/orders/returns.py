"""Returns: requested for delivered units, routed to the node accepting returns with the cheapest
GROUND label from the order's destination (contracts §3's zones and rates), received with each
unit's condition; sellable units go back on hand there and wake backorders.

A line's ``returned`` counts the units of its returns from the request on (so the same units
cannot be asked back twice); what came back sellable or damaged is on the return's lines.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dom.costs import billable_lb, zone_index
from dom.errors import InvalidInput
from dom.geo import haversine_miles
from dom.orders.actions import wake_backorders
from dom.orders.errors import IllegalTransition
from dom.orders.inputs import choice, count, known_line, line_list, text
from dom.orders.models import ReturnLineRow, ReturnRow
from dom.orders.oms import Oms
from dom.orders.state import OrderState, Return

RETURN_SERVICE = "GROUND"
CONDITIONS = ("sellable", "damaged")


def return_label(oms: Oms, lat: float, lon: float, weight_lb: float) -> tuple[str, float]:
    """The node accepting returns with the cheapest GROUND label from (lat, lon), and its price."""
    net = oms.network
    names = net.service_names.tolist()
    if RETURN_SERVICE not in names:
        raise IllegalTransition(f"the network has no {RETURN_SERVICE} service for return labels")
    s = names.index(RETURN_SERVICE)
    miles = haversine_miles(lat, lon, net.lat, net.lon)
    zones = zone_index(net, miles)
    b = min(int(billable_lb(weight_lb)), net.max_billable_lb)
    price = np.where(zones >= 0, net.rate_price[s, np.maximum(zones, 0), b], np.inf)
    price = np.where(net.accepts_returns & net.enabled, price, np.inf)
    best = int(np.argmin(price))
    if not np.isfinite(price[best]):
        raise IllegalTransition("no enabled node accepts returns with a GROUND label from here")
    return str(net.node_ids[best]), float(price[best])


def request_return(oms: Oms, order_id: str, lines: Any) -> dict[str, Any]:
    """A return of delivered units not yet returned; answers the return (``requested``)."""
    given = line_list(lines, ("qty",), optional=("reason",))
    with oms.change() as unit:
        state = OrderState.load(oms.store, unit.session, order_id, lock=True)
        wanted: dict[int, tuple[int, str | None]] = {}
        for i, item in enumerate(given):
            n = item["line_no"]
            known_line(state, n, f"lines[{i}]")
            q = count(item, "qty", f"lines[{i}]")
            reason = text(item.get("reason"), f"lines[{i}].reason")
            before = wanted.get(n, (0, None))[0]
            line = state.lines[n]
            if before + q > line.delivered - line.returned:
                raise IllegalTransition(
                    f"cannot return {before + q} units of line {n} of order '{order_id}': "
                    f"{line.delivered} delivered, {line.returned} already returned"
                )
            wanted[n] = (before + q, reason)
        weight = sum(
            float(oms.router.costs.item_weight[oms.network.item_code(state.lines[n].sku)]) * q
            for n, (q, _) in wanted.items()
        )
        to_fc, label = return_label(oms, state.row.dest_lat, state.row.dest_lon, weight)
        state.row.num_returns += 1
        rid = f"{order_id}-R{state.row.num_returns}"
        ret = Return(
            ReturnRow(
                return_id=rid,
                order_id=order_id,
                status="requested",
                to_fc_id=to_fc,
                label_cost=round(label, 6),
                created_at=unit.now,
            )
        )
        for n, (q, reason) in sorted(wanted.items()):
            state.lines[n].returned += q
            ret.lines[n] = ReturnLineRow(
                return_id=rid,
                line_no=n,
                sku=state.lines[n].sku,
                qty=q,
                reason=reason,
                sellable=0,
                damaged=0,
            )
        unit.session.add(ret.row)
        unit.session.flush()
        unit.session.add_all(ret.lines.values())
        state.returns[rid] = ret
        state.refresh_status(unit.now)
        data = {"order_status": state.row.status, "return": ret.to_json()}
        unit.event("return.requested", order_id, data)
    return ret.to_json()


def receive_return(oms: Oms, return_id: str, lines: Any) -> dict[str, Any]:
    """Units of a requested return arrive at ``to_fc_id``: sellable ones raise its ``on_hand``
    (and wake backorders of their SKUs); the return is ``received``."""
    given = line_list(lines, ("qty", "condition"))
    with oms.change() as unit:
        state = OrderState.load_of(
            oms.store,
            unit.session,
            ReturnRow.order_id,
            ReturnRow.return_id == return_id,
            f"no return '{return_id}'",
        )
        order_id = state.order_id
        ret = state.returns[return_id]
        if ret.row.status != "requested":
            raise IllegalTransition(f"return '{return_id}' is {ret.row.status}")
        got: dict[int, dict[str, int]] = {}
        for i, item in enumerate(given):
            n = item["line_no"]
            if n not in ret.lines:
                raise InvalidInput(
                    f"lines[{i}].line_no is {n}: return '{return_id}' has lines "
                    f"{sorted(ret.lines)}",
                    column=f"lines[{i}].line_no",
                )
            q = count(item, "qty", f"lines[{i}]")
            cond = choice(item["condition"], f"lines[{i}].condition", CONDITIONS)
            seen = got.setdefault(n, {"sellable": 0, "damaged": 0})
            seen[cond] += q
            if sum(seen.values()) > ret.lines[n].qty:
                raise InvalidInput(
                    f"lines[{i}].qty: {sum(seen.values())} units of line {n} received, above the "
                    f"{ret.lines[n].qty} of the return",
                    column=f"lines[{i}].qty",
                )
        skus: set[str] = set()
        for n, seen in got.items():
            rl = ret.lines[n]
            rl.sellable, rl.damaged = seen["sellable"], seen["damaged"]
            if rl.sellable:
                items = oms.stock_items(ret.row.to_fc_id, rl.sku, rl.sellable)
                unit.adjust_op([(fc, s, q, 0) for fc, s, q in items])
                skus |= {s for _, s, _ in items}
        ret.row.status = "received"
        ret.row.received_at = unit.now
        data = {"order_status": state.row.status, "return": ret.to_json()}
        unit.event("return.received", order_id, data)
    if skus:
        wake_backorders(oms, skus)
    return ret.to_json()

"""The checkout promise (contracts §7 ``POST /v1/promise``): for a cart and a destination, the
cheapest plan for each achievable delivery time, fastest first, none dominated.

For each delivery time d from the fastest any node could make to the slowest, the exact kernel
routes the cart with ``promised_days = d`` under a prohibitive late penalty, so its cheapest plan
is the cheapest whose every shipment arrives within d days; a plan that still runs late, or
leaves a line unfilled, means d is not achievable. An option is kept only if it is cheaper than
every faster one. Costs are contracts §3's (price + handling + split penalty; nothing is late).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from dom.errors import InvalidInput
from dom.io import order_from_json
from dom.io.order_json import check_keys
from dom.model import Order
from dom.orders.oms import Oms
from dom.sourcing import Router

_LATE = 1e7  # per day late: no plan that runs late is ever cheapest
_UNFILLED = 1e9  # per unit unfilled: a plan fills every line it can


def _router(oms: Oms) -> Router:
    found = oms.cache.get("promise_router")
    if found is None:
        net = oms.network
        policy = dataclasses.replace(
            net.policy, late_penalty_per_day=_LATE, backorder_penalty_per_unit=_UNFILLED
        )
        found = oms.cache["promise_router"] = Router(dataclasses.replace(net, policy=policy))
    return found  # type: ignore[no-any-return]


def _promised(order: Order, days: int) -> Order:
    """The same order promised in ``days`` (Order checks its fields only when built)."""
    out = copy.copy(order)
    object.__setattr__(out, "promised_days", days)
    return out


def promise(oms: Oms, cart: Any) -> dict[str, Any]:
    """``{"options": [{"eta_days", "cost", "shipments"}]}`` over live stock."""
    if not isinstance(cart, dict):
        raise InvalidInput("the cart must be a JSON object", fix='send {"lines", "destination"}')
    check_keys(cart, "", ("lines", "destination"), ("ship_complete",))
    body = {**cart, "order_id": "promise", "promised_days": 0}
    order = order_from_json(body, oms.network)
    router = _router(oms)
    free = oms.ledger.availability(router.skus_needed(order))
    net = oms.network
    slowest = int(net.processing_days.max(initial=0)) + int(net.transit_days.max(initial=0))
    options: list[dict[str, Any]] = []
    for days in range(0, slowest + 1):
        plan = router.route(_promised(order, days), free)
        if plan.unfilled or not plan.shipments:
            if plan.unfilled and days == slowest and not options:
                return {"options": []}
            continue
        eta = max(s.eta_days for s in plan.shipments)
        if eta > days:
            continue
        cost = round(plan.total_cost, 6)
        if options and (eta == options[-1]["eta_days"] or cost >= options[-1]["cost"]):
            continue
        options.append(
            {
                "eta_days": eta,
                "cost": cost,
                "shipments": plan.to_json()["shipments"],
            }
        )
    return {"options": options}

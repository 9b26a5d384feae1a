"""Distributed order management: one import for what a user needs.

```python
import dom

network = dom.load_network("data/sample/network")
orders = dom.load_orders("data/sample/orders.csv", network)
result = dom.allocate(network, orders, stop=dom.MaxRuntime(30))
```

Names load on first use (PEP 562), so ``import dom.errors`` alone stays light and
``warehouse_graph``, which imports ``dom.errors``, can be re-exported here without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dom.allocation import METHODS, AllocationResult, allocate
    from dom.costs import CostModel, build_instance
    from dom.errors import DomError, InvalidInput, NoRoute, UnknownLocation, UnknownNode, UnknownSku
    from dom.io import load_network, load_order_json, load_orders, order_from_json
    from dom.model import Network, Order, OrderLine, Orders, Policy
    from dom.plan import Plan, PlanSummary
    from dom.pricing import BidPrices, compute_bid_prices, route_priced
    from dom.reports import plan_kpis
    from dom.sourcing import OrderPlan, Router
    from dom.studies import Study, load_study, simulate
    from solvers import GapBelow, MaxRuntime, MaxWork, Status, StoppingCriterion
    from warehouse_graph import Layout, Route, load_layout, pick_route, rect_layout

_WHERE = {
    "METHODS": "dom.allocation",
    "AllocationResult": "dom.allocation",
    "allocate": "dom.allocation",
    "CostModel": "dom.costs",
    "build_instance": "dom.costs",
    "DomError": "dom.errors",
    "InvalidInput": "dom.errors",
    "NoRoute": "dom.errors",
    "UnknownLocation": "dom.errors",
    "UnknownNode": "dom.errors",
    "UnknownSku": "dom.errors",
    "load_network": "dom.io",
    "load_order_json": "dom.io",
    "load_orders": "dom.io",
    "order_from_json": "dom.io",
    "Network": "dom.model",
    "Order": "dom.model",
    "OrderLine": "dom.model",
    "Orders": "dom.model",
    "Policy": "dom.model",
    "Plan": "dom.plan",
    "PlanSummary": "dom.plan",
    "BidPrices": "dom.pricing",
    "compute_bid_prices": "dom.pricing",
    "route_priced": "dom.pricing",
    "plan_kpis": "dom.reports",
    "Study": "dom.studies",
    "load_study": "dom.studies",
    "simulate": "dom.studies",
    "OrderPlan": "dom.sourcing",
    "Router": "dom.sourcing",
    "GapBelow": "solvers",
    "MaxRuntime": "solvers",
    "MaxWork": "solvers",
    "Status": "solvers",
    "StoppingCriterion": "solvers",
    "Layout": "warehouse_graph",
    "Route": "warehouse_graph",
    "load_layout": "warehouse_graph",
    "pick_route": "warehouse_graph",
    "rect_layout": "warehouse_graph",
}

__all__ = [
    "METHODS",
    "AllocationResult",
    "BidPrices",
    "CostModel",
    "DomError",
    "GapBelow",
    "InvalidInput",
    "Layout",
    "MaxRuntime",
    "MaxWork",
    "Network",
    "NoRoute",
    "Order",
    "OrderLine",
    "OrderPlan",
    "Orders",
    "Plan",
    "PlanSummary",
    "Policy",
    "Route",
    "Router",
    "Status",
    "StoppingCriterion",
    "Study",
    "UnknownLocation",
    "UnknownNode",
    "UnknownSku",
    "allocate",
    "build_instance",
    "compute_bid_prices",
    "load_layout",
    "load_network",
    "load_order_json",
    "load_orders",
    "load_study",
    "order_from_json",
    "pick_route",
    "plan_kpis",
    "rect_layout",
    "route_priced",
    "simulate",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dom' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""Bid prices: what one more unit of stock at (node, SKU), or of a node's capacity, is worth to
the demand still to come.

Method: the allocation problem over the stock and capacity left and a forecast of the rest of the
horizon, one problem per forecast sample, priced by the batch solver's price search
(``solvers.batch.price``): with every order's subproblem solved exactly, the Lagrangian dual is
the dual of the shipment-pattern LP (a Dantzig–Wolfe reformulation; Geoffrion 1974), so its best
prices approximate that LP's duals on stock and capacity. Averaging the prices of several sampled
futures (sample average approximation; Talluri & van Ryzin 2004, ch. 3) prices a cell by how
likely the rest of the day is to need it, not by one guess: docs/studies.md (Bid prices) has the
measurements behind the choice, beside an exact LP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dom.costs import CostModel
from dom.model import Network, Orders
from solvers import MaxWork
from solvers.batch import price

DEFAULT_PASSES = 30  # exact passes of the price search per forecast sample (work = passes x orders)


@dataclass(frozen=True, eq=False)
class BidPrices:
    """Prices per unit: ``stock[node, sku]`` and ``capacity[node]`` (>= 0), from ``forecasts``
    sampled futures; ``bound`` is the mean Lagrangian bound of their problems (a diagnostic)."""

    stock: np.ndarray  # float64 [node, sku]
    capacity: np.ndarray  # float64 [node]
    forecasts: int
    bound: float

    @classmethod
    def zero(cls, network: Network) -> BidPrices:
        """No prices: routing with them is plain §3 routing."""
        stock = np.zeros((network.num_nodes, network.num_skus))
        return cls(stock, np.zeros(network.num_nodes), forecasts=0, bound=0.0)

    def table(self, network: Network, min_price: float = 0.0) -> dict[str, list[dict[str, Any]]]:
        """The prices above ``min_price`` as contracts §12 lists them: ``{"stock": [{"fc_id",
        "sku", "price"}], "capacity": [{"fc_id", "price"}]}``."""
        nodes, skus = np.nonzero(self.stock > min_price)
        node_ids, sku_ids = network.node_ids.astype(str), network.sku_ids.astype(str)
        stock = [
            {"fc_id": node_ids[f], "sku": sku_ids[s], "price": round(float(self.stock[f, s]), 6)}
            for f, s in zip(nodes.tolist(), skus.tolist(), strict=True)
        ]
        capacity = [
            {"fc_id": node_ids[f], "price": round(float(self.capacity[f]), 6)}
            for f in np.flatnonzero(self.capacity > min_price).tolist()
        ]
        return {"stock": stock, "capacity": capacity}


def compute_bid_prices(
    network: Network,
    forecasts: Sequence[Orders],
    stock: np.ndarray,
    capacity: np.ndarray,
    *,
    passes: int = DEFAULT_PASSES,
    costs: CostModel | None = None,
) -> BidPrices:
    """Bid prices for ``stock[node, sku]`` (units free) and ``capacity[node]`` (units left) against
    each of ``forecasts`` (the demand still to come, one sampled future each), averaged.

    Each sample's price search stops after ``passes`` times its orders in single-order solves
    (``solvers.MaxWork``), so the prices are the same on any machine. Samples without orders
    price nothing; with none at all the prices are zero.
    """
    if passes < 1:
        raise ValueError(f"passes must be at least 1, got {passes}")
    costs = costs or CostModel(network)
    num_cells = network.num_nodes * network.num_skus
    total = np.zeros(num_cells + network.num_nodes)
    bound = 0.0
    used = 0
    for forecast in forecasts:
        if forecast.num_orders == 0:
            continue
        inst, _ = costs.instance(forecast, available=stock, capacity=capacity)
        result = price(inst, stop=MaxWork(passes * forecast.num_orders))
        if result.prices is None:  # pragma: no cover - the price search always has prices
            continue
        total += result.prices[: num_cells + network.num_nodes]
        bound += result.bound or 0.0
        used += 1
    if used == 0:
        return BidPrices.zero(network)
    total /= used
    return BidPrices(
        stock=total[:num_cells].reshape(network.num_nodes, network.num_skus),
        capacity=total[num_cells:],
        forecasts=used,
        bound=bound / used,
    )

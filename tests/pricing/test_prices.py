"""Bid prices: zero where stock is ample, positive where the forecast competes for it; routing
at zero prices is the OMS's plain routing; the Lagrangian bound at any prices is a bound."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

import dom
from dom.costs import CostModel
from dom.pricing import BidPrices, compute_bid_prices, reroute_priced, route_priced
from solvers import MaxWork, plan_costs, plan_usage
from solvers.batch import lagrangian_bound

TINY = Path(__file__).parents[1] / "data" / "tiny"


def _network_and_orders() -> tuple[dom.Network, dom.Orders]:
    network = dom.load_network(TINY)
    return network, dom.load_orders(TINY / "orders.csv", network)


def test_routing_at_zero_prices_is_plain_routing() -> None:
    """route_priced with no prices, or all-zero prices, picks what Router.route picks."""
    network, orders = _network_and_orders()
    router = dom.Router(network)
    zero = BidPrices.zero(network)
    for o in range(orders.num_orders):
        order = orders.order(o, network)
        plain = router.route(order)
        for prices in (None, zero):
            routed = route_priced(router, order, prices)
            nodes = [network.node_ids[f] if f >= 0 else None for f in routed.assign]
            want: list[str | None] = [None] * len(order.lines)
            for shipment in plain.shipments:
                for line in shipment.lines:
                    want[line] = shipment.fc_id
            assert nodes == want
            assert routed.total_cost == plain.total_cost and routed.opportunity_cost == 0


def test_scarce_stock_is_priced_and_ample_stock_is_not() -> None:
    """A forecast that wants more TEE than there is prices TEE; a SKU nobody lacks stays 0."""
    network, _orders = _network_and_orders()
    tee = network.sku_index["TEE"]
    scarce = network.available()
    scarce[:, tee] = np.minimum(scarce[:, tee], 1)
    forecast = dom.Orders.of(
        [dom.Order(f"F{i}", [("TEE", 1)], 5, zip="10001") for i in range(8)], network
    )
    prices = compute_bid_prices(network, [forecast], scarce, network.capacity, passes=40)
    assert prices.stock[:, tee].max() > 0
    assert prices.stock[:, network.sku_index["RUG"]].max() == 0
    table = prices.table(network)
    assert {row["sku"] for row in table["stock"]} == {"TEE"}


def test_the_lagrangian_bound_at_any_prices_is_below_the_optimum() -> None:
    """At zero prices, at the hindsight prices and at random ones, the bound stays below the
    proven-optimal plan of the tiny day."""
    network, orders = _network_and_orders()
    result = dom.allocate(network, orders, stop=dom.MaxRuntime(20))
    inst, _ = CostModel(network).instance(orders)
    rng = np.random.default_rng(0)
    shape = (network.num_nodes, network.num_skus)
    for price in (np.zeros(shape), rng.uniform(0, 30, shape)):
        bound = lagrangian_bound(inst, price, rng.uniform(0, 3, network.num_nodes))
        assert bound <= result.total_cost + 1e-9


def test_priced_rerouting_never_raises_the_priced_cost() -> None:
    """Exact coordinate descent at the prices lowers (or keeps) cost + priced units."""
    network, orders = _network_and_orders()
    inst, _ = CostModel(network).instance(orders)
    plan = dom.allocate(network, orders, stop=MaxWork(20_000)).plan.assign
    rng = np.random.default_rng(1)
    prices = BidPrices(
        rng.uniform(0, 10, (network.num_nodes, network.num_skus)),
        rng.uniform(0, 1, network.num_nodes), forecasts=1, bound=0.0,
    )  # fmt: skip

    def priced(assign: np.ndarray) -> float:
        used, used_cap = plan_usage(inst, assign)
        return float(plan_costs(inst, assign).sum() + (prices.stock * used).sum()
                     + (prices.capacity * used_cap).sum())  # fmt: skip

    after = reroute_priced(inst, plan, prices, np.arange(orders.num_orders))
    assert priced(after) <= priced(plan) + 1e-9
    used, _ = plan_usage(inst, after)
    assert (used <= inst.available).all()
    assert replace(prices, forecasts=2).forecasts == 2

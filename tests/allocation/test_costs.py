"""The cost model of contracts §3 (``dom.costs``), checked directly against its rules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dom.costs import CostModel, billable_lb, ship_tables, zone_index
from dom.io import load_network, load_orders
from dom.model import Network
from tests.io.bundles import TINY


@pytest.fixture(scope="module")
def tiny() -> Network:
    return load_network(TINY)


@pytest.mark.parametrize(
    ("weight", "billable"),
    [(0.0, 1), (0.2, 1), (1.0, 1), (1.0 + 1e-12, 1), (1.01, 2), (2.0, 2), (2.5, 3), (149.99, 150)],
)
def test_billable_weight_rounds_up_to_whole_pounds_at_least_one(
    weight: float, billable: int
) -> None:
    """B = max(1, ceil(W - 1e-9)): whole pounds up, float noise forgiven, never below 1."""
    assert billable_lb(weight) == billable
    assert billable_lb(np.array([weight]))[0] == billable


def test_zones_are_half_open_distance_bands(tiny: Network) -> None:
    """A distance falls in the zone with min <= d < max; the last band has no upper end."""
    miles = np.array([0.0, 149.999, 150.0, 299.0, 1800.0, 1e6])
    assert tiny.zone_ids[zone_index(tiny, miles)].tolist() == [2, 2, 3, 3, 8, 8]


def _brute_force(network: Network, f: int, z: int, promised: int, b: int) -> tuple[float, int]:
    """The cheapest (cost, service) by the contract's words, one service at a time: price +
    handling + late penalty; ties to fewer eta days, then the name."""
    best: tuple[float, int, str, int] | None = None
    for s, name in enumerate(network.service_names):
        transit = network.transit_days[s, z]
        price = network.rate_price[s, z, b]
        if transit < 0 or not np.isfinite(price):
            continue
        eta = network.processing_days[f] + transit
        late = max(0, eta - promised)
        cost = price + network.handling_cost[f] + network.policy.late_penalty_per_day * late
        key = (round(cost, 9), int(eta), str(name), s)
        if best is None or key < best:
            best = key
    return (np.inf, -1) if best is None else (best[0], best[3])


def test_the_shipment_tables_are_the_cheapest_service_by_the_contract(tiny: Network) -> None:
    """Every (node, zone, promised days, billable lb) entry equals a plain reading of §3."""
    promised = np.array([0, 1, 2, 5])
    tables = ship_tables(tiny, promised)
    for f in range(tiny.num_nodes):
        for z in range(len(tiny.zone_ids)):
            for p, days in enumerate(promised):
                t = tables.table(np.array(f), np.array(z), np.array(p))
                for b in range(1, tiny.max_billable_lb + 1):
                    cost, service = _brute_force(tiny, f, z, int(days), b)
                    if not tiny.enabled[f]:
                        cost, service = np.inf, tables.service[t, b]
                    assert tables.cost[t, b] == pytest.approx(cost, abs=1e-9)
                    assert tables.service[t, b] == service
                    if service >= 0:
                        eta = tiny.processing_days[f] + tiny.transit_days[service, z]
                        assert tables.eta_days[t, b] == eta
                        assert tables.late_days[t, b] == max(0, eta - days)


def test_equal_costs_go_to_fewer_days_then_to_the_first_name(tiny: Network) -> None:
    """Two services at the same cost: the faster wins; at the same speed too, the first name."""
    s = {str(n): i for i, n in enumerate(tiny.service_names)}
    rates = tiny.rate_price.copy()
    transit = tiny.transit_days.copy()
    rates[s["TWO_DAY"]] = rates[s["GROUND"]]  # same prices ...
    transit[s["TWO_DAY"], 0] = transit[s["GROUND"], 0]  # ... and in zone 2 the same speed
    net = dataclasses.replace(tiny, rate_price=rates, transit_days=transit)
    tables = ship_tables(net, np.array([9]))  # no late penalty anywhere
    same_speed = tables.table(np.array(0), np.array(0), np.array(0))
    assert tables.service[same_speed, 1] == s["GROUND"]  # "GROUND" < "TWO_DAY"
    far = tables.table(np.array(0), np.array(6), np.array(0))  # zone 8: TWO_DAY is faster
    assert tables.service[far, 1] == s["TWO_DAY"]


def test_too_heavy_packages_and_disabled_nodes_cannot_ship(tiny: Network) -> None:
    """Beyond the largest breakpoint no service carries a package; a disabled node ships
    nothing; billable weight 0 does not exist."""
    tables = ship_tables(tiny, np.array([5]))
    dal = tiny.node_index["DAL"]
    assert not tiny.enabled[dal]
    assert np.isinf(tables.cost[tables.table(np.array(dal), np.arange(7), np.zeros(7, int))]).all()
    assert np.isinf(tables.cost[:, 0]).all()
    heaviest = np.flatnonzero(np.isfinite(tiny.rate_price).any(axis=(0, 1)))[-1]
    assert heaviest == tiny.max_billable_lb


def test_the_instance_counts_kit_units_and_closes_disabled_nodes(tiny: Network) -> None:
    """A kit line draws its components' units against stock and capacity; disabled nodes get
    no table and no capacity; stock is on hand less safety stock."""
    orders = load_orders(TINY / "orders.csv", tiny)
    inst, _ = CostModel(tiny).instance(orders)
    gift = int(np.flatnonzero(orders.line_item == tiny.num_skus)[0])  # B2: 1 GIFT = 2 TEE + 1 MUG
    assert inst.line_units[gift] == 3
    comps = slice(inst.comp_ptr[gift], inst.comp_ptr[gift + 1])
    pairs = zip(inst.comp_sku[comps].tolist(), inst.comp_units[comps].tolist(), strict=True)
    assert sorted(pairs) == [
        (tiny.sku_index["TEE"], 2),
        (tiny.sku_index["MUG"], 1),
    ]
    dal = tiny.node_index["DAL"]
    assert (inst.order_table[:, dal] == -1).all() and inst.capacity[dal] == 0
    ewr, tee = tiny.node_index["EWR"], tiny.sku_index["TEE"]
    assert inst.available[ewr, tee] == 10 - 2

"""The greedy baseline (``solvers.baselines.greedy``): the rule chain of rule-based routers."""

from __future__ import annotations

import numpy as np

from solvers import Instance, Status, greedy


def _instance(
    *,
    stock: list[list[int]],
    lines: list[list[tuple[int, int]]],
    node_cost: list[float],
    ship_complete: list[bool] | None = None,
    max_shipments: int = 0,
    capacity: list[float] | None = None,
) -> Instance:
    """Orders of lines ``(sku, units)``, each line 1 lb, on nodes whose one table costs
    ``node_cost[f]`` for any package up to 10 lb; backorder 100 per line."""
    num_nodes = len(node_cost)
    ptr = np.concatenate([[0], np.cumsum([len(o) for o in lines])]).astype(np.int64)
    flat = [line for order in lines for line in order]
    ship_cost = np.repeat(np.array(node_cost, float)[:, None], 11, axis=1)
    ship_cost[:, 0] = np.inf
    return Instance(
        line_ptr=ptr,
        ship_complete=np.array(ship_complete or [False] * len(lines)),
        order_table=np.tile(np.arange(num_nodes, dtype=np.int32), (len(lines), 1)),
        line_weight=np.ones(len(flat)),
        line_backorder=np.full(len(flat), 100.0),
        line_units=np.array([u for _, u in flat], np.int64),
        comp_ptr=np.arange(len(flat) + 1, dtype=np.int64),
        comp_sku=np.array([s for s, _ in flat], np.int64),
        comp_units=np.array([u for _, u in flat], np.int64),
        available=np.array(stock, np.int64),
        capacity=np.array(capacity or [np.inf] * num_nodes),
        ship_cost=ship_cost,
        split_penalty=1.0,
        max_shipments=max_shipments,
    )


def test_an_order_goes_whole_to_the_cheapest_node_holding_all_of_it() -> None:
    """Node 0 is cheaper but lacks SKU 1; node 1 holds both: the order ships whole from node 1."""
    inst = _instance(stock=[[5, 0], [5, 5]], lines=[[(0, 1), (1, 1)]], node_cost=[3.0, 7.0])
    result = greedy(inst)
    assert result.assign.tolist() == [1, 1]
    assert result.objective == 7.0
    assert result.status is Status.FEASIBLE and result.bound is None and result.gap is None


def test_else_each_line_goes_to_the_cheapest_node_with_its_stock() -> None:
    """No node holds both lines: each line ships from its cheapest stocked node (a split)."""
    inst = _instance(stock=[[5, 0], [0, 5]], lines=[[(0, 1), (1, 1)]], node_cost=[3.0, 7.0])
    assert greedy(inst).assign.tolist() == [0, 1]
    assert greedy(inst).objective == 3.0 + 7.0 + 1.0


def test_orders_take_stock_in_arrival_order() -> None:
    """The first order takes the cheap node's last unit; the second goes elsewhere."""
    inst = _instance(stock=[[1], [1]], lines=[[(0, 1)], [(0, 1)]], node_cost=[3.0, 7.0])
    assert greedy(inst).assign.tolist() == [0, 1]


def test_ship_complete_and_the_shipment_limit_hold() -> None:
    """A ship-complete order no single node fills stays unfilled; the limit caps the split."""
    stock = [[5, 0, 0], [0, 5, 0], [0, 0, 5]]
    lines = [[(0, 1), (1, 1)], [(0, 1), (1, 1), (2, 1)]]
    inst = _instance(stock=stock, lines=lines, node_cost=[3, 4, 5], ship_complete=[True, False])
    assert greedy(inst).assign[:2].tolist() == [-1, -1]
    limited = _instance(stock=stock, lines=lines[1:], node_cost=[3, 4, 5], max_shipments=2)
    assign = greedy(limited).assign.tolist()
    assert assign == [0, 1, -1]


def test_capacity_is_respected() -> None:
    """A node at its capacity takes no more units."""
    inst = _instance(
        stock=[[5], [5]], lines=[[(0, 2)], [(0, 2)]], node_cost=[3.0, 7.0], capacity=[3.0, 9.0]
    )
    assert greedy(inst).assign.tolist() == [0, 1]

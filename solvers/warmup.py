"""Compile the numba kernels before a timed solve, so a time limit buys search, not compilation.

The first call of each compiled function in a fresh environment costs seconds (later processes
load it from numba's cache). ``warm_up`` runs every solver once on a two-order instance.
"""

from __future__ import annotations

import functools

import numpy as np

from solvers.instance import Instance


def _tiny_instance() -> Instance:
    ship_cost = np.full((1, 3), 5.0)
    ship_cost[0, 0] = np.inf
    return Instance(
        line_ptr=np.array([0, 1, 3], np.int64),
        ship_complete=np.array([False, False]),
        order_table=np.zeros((2, 2), np.int32),
        line_weight=np.array([1.0, 1.0, 0.5]),
        line_backorder=np.array([10.0, 10.0, 10.0]),
        line_units=np.array([1, 1, 1], np.int64),
        comp_ptr=np.array([0, 1, 2, 3], np.int64),
        comp_sku=np.array([0, 1, 0], np.int64),
        comp_units=np.array([1, 1, 1], np.int64),
        available=np.array([[1, 1], [1, 0]], np.int64),
        capacity=np.array([np.inf, 2.0]),
        ship_cost=ship_cost,
        split_penalty=1.0,
        max_shipments=2,
    )


@functools.cache
def warm_up() -> None:
    """Compile (or load from cache) every kernel the solvers use; once per process."""
    from solvers import batch, mip
    from solvers.baselines import greedy
    from solvers.batch.search import PriceSearch
    from solvers.lns import RuinRecreate
    from solvers.stop import MaxRuntime

    inst = _tiny_instance()
    greedy(inst)
    batch.solve(inst, stop=MaxRuntime(0.2))
    unfilled = np.full(inst.num_lines, -1, np.int64)
    # the price steps, the moves aimed by regret and the regret itself: the tiny solve closes
    # its gap before them
    search = PriceSearch(inst, batch.BatchParams(), float("inf"))
    search.exact_pass()
    search.price_search(2)
    regret = search.regret(unfilled, np.zeros(inst.num_orders))
    RuinRecreate(inst, unfilled).improve(10, np.array([unfilled]), regret)
    mip.pattern_arrays(inst)

"""Exact allocation model on OR-Tools MathOpt (HiGHS or SCIP), for instances small enough to prove.

The model is the shipment-pattern formulation: one binary per (order, node, subset of the order's
lines) that the node could ship as one package (stock, capacity and weight limit checked per
pattern), so its LP relaxation is already much stronger than the plain line-to-node assignment.
For every order: each line is covered by one pattern or unfilled; at most one pattern per node
(lines at one node are one shipment); at most ``max_shipments`` patterns; a ship-complete order only
has whole-order patterns. Stock per (node, SKU) and capacity per node couple the orders. The split
penalty ``split * max(0, shipments - 1)`` is ``split * (shipments - 1 + v)`` with ``v >= 1 -
shipments``, ``v`` in [0, 1]. The model is built as a MathOpt ``ModelProto`` straight from numpy
arrays (no Python object per variable) and solved by HiGHS from the ``ortools`` wheel (SCIP, from
the same wheel, on request: the benchmarks use it to prove optima on 50-node days); with a
deadline, in a child process killed at the deadline (:mod:`solvers.milp`).
"""

from __future__ import annotations

import datetime
import time

import numba as nb
import numpy as np
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import callback, init_arguments, mathopt, model_parameters

from solvers.instance import Instance, csr_gather
from solvers.milp import MIP_SOLVERS as MIP_SOLVERS
from solvers.milp import Milp, model_proto, solve_milp
from solvers.order import MAX_EXACT_LINES
from solvers.plans import billable_lb, plan_costs
from solvers.result import Result, Status


def lp_duals(
    cost: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    coefs: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    time_limit: float,
    tolerance: float = 1e-4,
) -> np.ndarray | None:
    """Row duals of the LP ``min cost @ x`` s.t. ``row_lower <= A x <= row_upper``, ``x >= 0``,
    by PDLP (first-order primal-dual, Applegate et al. 2021; from the ``ortools`` wheel, on both
    cores): approximate, but far quicker than simplex on large sparse LPs; at ``time_limit`` its
    last iterate, which need not be feasible (callers price with it, they do not bound with it).
    None if PDLP returned no dual point."""
    continuous = np.zeros(len(cost), bool)
    unbounded = np.full(len(cost), np.inf)
    proto = model_proto(Milp(cost, unbounded, continuous, rows, cols, coefs, row_lower, row_upper))
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(time_limit, 0.01)), threads=2
    )
    optimality = params.pdlp.termination_criteria.simple_optimality_criteria
    optimality.eps_optimal_relative = tolerance
    optimality.eps_optimal_absolute = tolerance
    # the proto in, the proto out: ``mathopt.solve`` would build a Python object per variable
    # and constraint both ways, most of the call on a large master (docs/allocation.md, LP master
    # steps and smoothing)
    result = core_solver.solve(
        proto, mathopt.SolverType.PDLP.value,
        init_arguments.StreamableSolverInitArguments().to_proto(), params.to_proto(),
        model_parameters.ModelSolveParameters().to_proto(), None,
        callback.CallbackRegistration().to_proto(), None, None,
    )  # fmt: skip
    if not result.solutions or not result.solutions[0].HasField("dual_solution"):
        return None
    duals = result.solutions[0].dual_solution.dual_values
    out = np.zeros(len(row_lower))
    out[np.asarray(duals.ids, np.int64)] = np.asarray(duals.values)
    return out


@nb.njit(cache=True)
def _enumerate_patterns(
    line_ptr, ship_complete, order_table, line_weight, line_units, comp_ptr, comp_sku,
    comp_units, avail, cap, ship_cost, count_only, p_order, p_node, p_mask, p_cost,
):  # fmt: skip
    """Every feasible (order, node, line subset) shipment; returns how many there are."""
    num_orders = len(ship_complete)
    num_nodes = order_table.shape[1]
    max_b = ship_cost.shape[1] - 1
    k = 0
    for o in range(num_orders):
        first = line_ptr[o]
        n = line_ptr[o + 1] - first
        if n == 0:
            continue
        full = (1 << n) - 1
        for f in range(num_nodes):
            t = order_table[o, f]
            if t < 0:
                continue
            for mask in range(1, full + 1):
                if ship_complete[o] and mask != full:
                    continue
                w = 0.0
                units = 0
                for i in range(n):
                    if mask & (1 << i):
                        w += line_weight[first + i]
                        units += line_units[first + i]
                if units > cap[f]:
                    continue
                b = billable_lb(w)
                if b > max_b or ship_cost[t, b] == np.inf:
                    continue
                ok = True
                for i in range(n):
                    if not (mask & (1 << i)) or not ok:
                        continue
                    for c in range(comp_ptr[first + i], comp_ptr[first + i + 1]):
                        s = comp_sku[c]
                        need = 0
                        for i2 in range(n):
                            if mask & (1 << i2):
                                for c2 in range(comp_ptr[first + i2], comp_ptr[first + i2 + 1]):
                                    if comp_sku[c2] == s:
                                        need += comp_units[c2]
                        if need > avail[f, s]:
                            ok = False
                            break
                if not ok:
                    continue
                if not count_only:
                    p_order[k] = o
                    p_node[k] = f
                    p_mask[k] = mask
                    p_cost[k] = ship_cost[t, b]
                k += 1
    return k


def pattern_arrays(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    args = (
        inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight, inst.line_units,
        inst.comp_ptr, inst.comp_sku, inst.comp_units, inst.available, inst.capacity,
        inst.ship_cost,
    )  # fmt: skip
    empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
    num = _enumerate_patterns(*args, True, empty_i, empty_i, empty_i, empty_f)
    p_order, p_node, p_mask = (np.zeros(num, np.int64) for _ in range(3))
    p_cost = np.zeros(num)
    _enumerate_patterns(*args, False, p_order, p_node, p_mask, p_cost)
    return p_order, p_node, p_mask, p_cost


def solve_exact(
    inst: Instance,
    *,
    time_limit: float | None = 60.0,
    hint: np.ndarray | None = None,
    solver: str = "highs",
    deadline: float | None = None,
) -> Result:
    """Solve the shipment-pattern MIP with ``solver`` (HiGHS unless told; see
    :data:`MIP_SOLVERS`); optimal when it finishes within the limit.

    ``hint`` is a known plan (node per line) for the solver to start from. ``time_limit`` is the
    solver's own limit, which HiGHS can overrun; ``deadline`` (a :func:`time.perf_counter`
    instant) is kept: a solve still running then is abandoned and the result's plan leaves every
    line unfilled (objective: that plan's cost; no bound; see :func:`solvers.milp.solve_milp`).
    """
    start = time.perf_counter()
    lines_per_order = np.diff(inst.line_ptr)
    if lines_per_order.max(initial=0) > MAX_EXACT_LINES:
        raise ValueError(
            f"an order has {int(lines_per_order.max())} lines; the exact model enumerates the "
            f"packages of orders of up to {MAX_EXACT_LINES} lines"
        )
    p_order, p_node, p_mask, p_cost = pattern_arrays(inst)
    num_p, num_l, num_o = len(p_order), inst.num_lines, inst.num_orders
    split = inst.split_penalty
    # variables: patterns | unfilled per line | v per order
    cost = np.concatenate([p_cost + split, inst.line_backorder, np.full(num_o, split)])
    upper = np.ones(num_p + num_l + num_o)
    integer = np.concatenate([np.ones(num_p, bool), np.zeros(num_l + num_o, bool)])
    u_var = num_p + np.arange(num_l)
    v_var = num_p + num_l + np.arange(num_o)
    rows, cols, coefs, lower, upper_row = [], [], [], [], []
    next_row = 0

    def add(r: np.ndarray, c: np.ndarray, a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        nonlocal next_row
        rows.append(r + next_row)
        cols.append(c)
        coefs.append(a)
        lower.append(lo)
        upper_row.append(hi)
        next_row += len(lo)

    # each line: covered once or unfilled
    bit = np.arange(MAX_EXACT_LINES)
    covers = (p_mask[:, None] >> bit[None, :]) & 1  # [pattern, bit]
    pat, b = np.nonzero(covers)
    line_of = inst.line_ptr[p_order[pat]] + b
    add(
        np.concatenate([line_of, np.arange(num_l)]),
        np.concatenate([pat, u_var]),
        np.ones(len(pat) + num_l),
        np.ones(num_l),
        np.ones(num_l),
    )
    # one shipment per (order, node)
    pair = p_order * inst.num_nodes + p_node
    pairs, pair_row = np.unique(pair, return_inverse=True)
    add(pair_row, np.arange(num_p), np.ones(num_p), np.zeros(len(pairs)), np.ones(len(pairs)))
    # split penalty: v_o + shipments_o >= 1; and shipments_o <= max_shipments
    max_ship = float(inst.max_shipments) if inst.max_shipments > 0 else np.inf
    add(
        np.concatenate([p_order, np.arange(num_o)]),
        np.concatenate([np.arange(num_p), v_var]),
        np.ones(num_p + num_o),
        np.ones(num_o),
        np.full(num_o, np.inf),
    )
    if np.isfinite(max_ship):
        add(p_order, np.arange(num_p), np.ones(num_p), np.zeros(num_o), np.full(num_o, max_ship))
    # stock per (node, sku) and capacity per node
    lp, lines = pat, line_of  # (pattern, line) pairs
    comp, per_line = csr_gather(inst.comp_ptr, lines)
    pat_c = np.repeat(lp, per_line)
    res_key = p_node[pat_c] * inst.num_skus + inst.comp_sku[comp]
    keys, res_row = np.unique(res_key, return_inverse=True)
    cap_avail = inst.available.reshape(-1)[keys].astype(np.float64)
    add(res_row, pat_c, inst.comp_units[comp].astype(float), np.zeros(len(keys)), cap_avail)
    finite = np.isfinite(inst.capacity)
    pat_units = np.bincount(lp, weights=inst.line_units[lines], minlength=num_p)
    sel = finite[p_node]
    node_rows = np.cumsum(finite) - 1
    add(
        node_rows[p_node[sel]],
        np.flatnonzero(sel),
        pat_units[sel],
        np.zeros(int(finite.sum())),
        inst.capacity[finite],
    )
    start_point = None if hint is None else _pattern_point(inst, hint, p_order, p_node, p_mask)
    problem = Milp(
        cost, upper, integer,
        np.concatenate(rows), np.concatenate(cols), np.concatenate(coefs),
        np.concatenate(lower), np.concatenate(upper_row), offset=-split * num_o,
    )  # fmt: skip
    solution = solve_milp(
        problem, time_limit=time_limit, hint=start_point, solver=solver, deadline=deadline
    )
    assign = np.full(num_l, -1, np.int64)
    if solution.values is not None:
        for p in np.flatnonzero(solution.values[:num_p] > 0.5):
            lines_p = inst.line_ptr[p_order[p]] + np.flatnonzero((p_mask[p] >> bit) & 1)
            assign[lines_p] = p_node[p]
    # the plan's own cost, also with no point (every line unfilled): recomputable from the plan
    objective = float(plan_costs(inst, assign).sum())
    status = Status.OPTIMAL if solution.proven else Status.LIMIT_REACHED
    return Result(
        method="exact",
        status=status,
        assign=assign,
        objective=objective,
        bound=min(solution.bound, solution.objective) if np.isfinite(solution.bound) else None,
        runtime=time.perf_counter() - start,
        stats={"patterns": num_p},
    )


def _pattern_point(
    inst: Instance, assign: np.ndarray, p_order: np.ndarray, p_node: np.ndarray, p_mask: np.ndarray
) -> np.ndarray:
    """The exact model's variable values of a plan: its patterns, unfilled lines and v."""
    order_of_line = np.repeat(np.arange(inst.num_orders), np.diff(inst.line_ptr))
    bit = 1 << (np.arange(inst.num_lines) - inst.line_ptr[order_of_line])
    shipped = assign >= 0
    key = order_of_line[shipped] * inst.num_nodes + assign[shipped]
    keys, inverse = np.unique(key, return_inverse=True)
    masks = np.bincount(inverse, weights=bit[shipped], minlength=len(keys)).astype(np.int64)
    plan_patterns = set(zip((keys).tolist(), masks.tolist(), strict=True))
    pattern_keys = (p_order * inst.num_nodes + p_node).tolist()
    y = np.array(
        [(k, m) in plan_patterns for k, m in zip(pattern_keys, p_mask.tolist(), strict=True)],
        dtype=float,
    )
    u = (~shipped).astype(float)
    v = (np.bincount(order_of_line[shipped], minlength=inst.num_orders) == 0).astype(float)
    return np.concatenate([y, u, v])

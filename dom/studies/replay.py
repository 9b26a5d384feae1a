"""One day replayed in one mode (contracts §9), on the engine the planners and the OMS use.

``online`` routes the orders one at a time in ``created_at`` order through
:class:`dom.sourcing.Router` (the exact kernel) against the stock and capacity they leave;
``online_bid`` does the same at bid prices (``dom.pricing``) re-solved ``resolves_per_day`` times,
each time from what is left and sampled futures of the rest of the day; ``batch`` allocates each
``wave_hours`` window at its end with :func:`dom.allocate` against what the earlier waves left,
and ``batch_bid`` (or ``batch`` with ``bid_prices``) then re-routes the wave at the bid prices of
that moment (exact coordinate descent on the priced cost); ``greedy`` is the rule-based router
(``--method greedy``) over the day in arrival order; ``hindsight`` allocates the whole day at
once. Every solve stops on work (``MaxWork``), so a replay is the same on any machine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from dom.allocation import allocate
from dom.costs import CostModel
from dom.model import Network, Orders
from dom.plan import Plan, build_plan
from dom.pricing import BidPrices, compute_bid_prices, reroute_priced, route_priced
from dom.sourcing import Router
from dom.studies.demand import SECONDS_PER_DAY, take_orders
from dom.studies.spec import BatchSpec, PricingSpec
from solvers import MaxWork, Result, Status, plan_costs, plan_usage

# the sampled futures of a day that arrive at or after a second of the day
Forecasts = Callable[[int], Sequence[Orders]]


@dataclass(frozen=True, eq=False)
class Day:
    """A day to replay: the network with the day's opening stock, the day's orders by arrival
    and their second of the day, and what the modes need."""

    network: Network
    orders: Orders
    seconds: np.ndarray  # int64 [order]
    forecasts: Forecasts
    router: Router
    costs: CostModel
    work_limit: int
    batch: BatchSpec
    pricing: PricingSpec


@dataclass(frozen=True, eq=False)
class Replayed:
    """A replayed day: its plan (``summary.method`` is the mode), and for ``hindsight`` the flat
    prices of its bound (stock [node, sku], then capacity [node])."""

    plan: Plan
    prices: np.ndarray | None = None
    resolves: int = 0


def replay(mode: str, day: Day) -> Replayed:
    """The plan ``mode`` makes of ``day``."""
    start = time.perf_counter()
    if mode in ("hindsight", "greedy"):
        method = "default" if mode == "hindsight" else "greedy"
        allocated = allocate(day.network, day.orders, stop=MaxWork(day.work_limit), method=method)
        prices = None
        if mode == "hindsight" and allocated.prices is not None:
            prices = allocated.prices[: day.network.num_nodes * (day.network.num_skus + 1)].copy()
        return Replayed(_as_mode(allocated.plan, mode, time.perf_counter() - start), prices)
    if mode in ("online", "online_bid"):
        assign, resolves = _online(day, priced=mode == "online_bid")
    else:
        priced = mode == "batch_bid" or day.batch.bid_prices
        assign, resolves = _batch(day, priced)
    inst, tables = day.costs.instance(
        day.orders, available=day.network.available(), capacity=day.network.capacity
    )
    result = Result(
        method=mode,
        status=Status.FEASIBLE,
        assign=assign,
        objective=float(plan_costs(inst, assign).sum()),
        bound=None,
        runtime=time.perf_counter() - start,
    )
    plan = build_plan(day.network, day.orders, inst, tables, result)
    return Replayed(plan, None, resolves)


def _as_mode(plan: Plan, mode: str, seconds: float) -> Plan:
    summary = replace(plan.summary, method=mode, solve_seconds=round(seconds, 3))
    return Plan(plan.shipments, plan.lines, summary, plan.assign)


def _prices(day: Day, second: int, avail: np.ndarray, capacity: np.ndarray) -> BidPrices:
    """Bid prices at ``second`` of the day for the stock and capacity left."""
    return compute_bid_prices(
        day.network,
        day.forecasts(second),
        avail,
        capacity,
        passes=day.pricing.passes,
        costs=day.costs,
    )


def _online(day: Day, priced: bool) -> tuple[np.ndarray, int]:
    """Order by order in arrival order, with or without re-solved bid prices."""
    network, orders, router = day.network, day.orders, day.router
    avail = network.available().copy()
    cap = np.where(network.enabled, network.capacity, 0.0).astype(np.float64)
    assign = np.full(orders.num_lines, -1, np.int64)
    ptr = orders.line_ptr
    sku_index = network.sku_index
    per_day = day.pricing.resolves_per_day
    resolve_at = [k * SECONDS_PER_DAY // per_day for k in range(per_day)] if priced else []
    prices: BidPrices | None = None
    due = 0
    resolves = 0
    for o in range(orders.num_orders):
        if due < len(resolve_at) and day.seconds[o] >= resolve_at[due]:
            while due < len(resolve_at) and day.seconds[o] >= resolve_at[due]:
                due += 1
            prices = _prices(day, resolve_at[due - 1], avail, cap)
            resolves += 1
        order = orders.order(o, network)
        stock = {sku: avail[:, sku_index[sku]] for sku in router.skus_needed(order)}
        routed = route_priced(router, order, prices, stock, cap)
        assign[ptr[o] : ptr[o + 1]] = routed.assign
        np.subtract.at(avail, (routed.nodes, routed.skus), routed.units)
        np.subtract.at(cap, routed.line_nodes, routed.line_units)
    return assign, resolves


def _batch(day: Day, priced: bool) -> tuple[np.ndarray, int]:
    """Waves of ``wave_hours``, each allocated at its end against what the earlier ones left."""
    network, orders = day.network, day.orders
    width = day.batch.wave_hours * 3600
    num_waves = max(1, math.ceil(SECONDS_PER_DAY / width))
    wave_of = np.clip(day.seconds // width, 0, num_waves - 1).astype(np.int64)
    on_hand = network.on_hand.copy()
    capacity = network.capacity.astype(np.float64).copy()
    assign = np.full(orders.num_lines, -1, np.int64)
    resolves = 0
    for k in range(num_waves):
        members = np.flatnonzero(wave_of == k)
        if not len(members):
            continue
        wave, lines = take_orders(orders, members)
        left = replace(network, on_hand=on_hand, capacity=capacity)
        plan = allocate(left, wave, stop=MaxWork(day.work_limit)).plan.assign
        inst, _ = day.costs.instance(wave, available=left.available(), capacity=capacity)
        if priced:
            end = min(int((k + 1) * width), SECONDS_PER_DAY)
            prices = _prices(day, end, left.available(), inst.capacity)
            plan = reroute_priced(inst, plan, prices, np.arange(wave.num_orders))
            resolves += 1
        assign[lines] = plan
        used, used_cap = plan_usage(inst, plan)
        on_hand = on_hand - used
        capacity = capacity - used_cap
    return assign, resolves

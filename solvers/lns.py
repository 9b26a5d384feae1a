"""Ruin-and-recreate improvement of a batch plan (large neighbourhood search).

Coordinate descent (re-routing one order against all others) cannot move scarce stock from one
order to another. Here a neighbourhood of orders is released together and re-routed one by one,
each by the exact single-order kernel against what the rest of the plan leaves; the new plan of the
neighbourhood is kept only if it is cheaper (Ropke & Pisinger 2006, Transp. Sci. 40(4), ALNS).
The released orders re-route in random order or largest first (most units; ties in random
order), as in first-fit decreasing: a big order needs many units at one node to ship in one
package, a small one fits almost anywhere. Like the kinds below, each call picks one of the two in
proportion to what it saved lately: neither alone was best on every day measured, picking by
savings beat both (docs/allocation.md, Ruin and recreate).
Two ways pick the neighbourhood, each chosen in proportion to what it has saved lately:

- *related*: random orders that demand one SKU (Shaw 1998);
- *ejection*: an order and the orders holding the stock that one of its *target* plans needs; the
  order is re-routed first, then the orders it displaced. The targets are the relaxed plans of the
  Lagrangian passes (``solvers.batch``): what each order would do if stock were priced right, so
  the move tries exactly the trades the prices point to (ejection chains of depth one; Glover 1996).

Where the moves start is aimed by the prices of the best bound. At prices ``p`` a plan's cost
minus the Lagrangian bound is the sum of each order's *regret* (its plan's cost plus the stock and
capacity it draws at ``p``, above its relaxed plan's) and the priced stock and capacity the plan
leaves unused (``solvers.batch``). The regret is concentrated in a few orders. So, given the
regret, an ejection starts from an order drawn in proportion to its regret, and a related move from
a line of such an order: from the same start such moves leave a smaller gap than moves drawn at
random, or by the square root of the regret, or uniformly over the orders with regret. A related
move releases the drawn order itself with the others demanding the SKU of one of its lines, which
beat releasing only the others (docs/allocation.md, Moves aimed by regret).

Moves run on several threads at once: the SKUs are split at random into one part per thread and
each thread moves only the orders whose SKUs all lie in its part, with its own share of the spare
capacity, so no two threads touch the same stock, capacity or line (a fresh split per call; every
fifth call one thread moves all orders, so those spanning parts move too). Two threads make
several times the moves of one and leave a smaller gap (docs/allocation.md, Moves on both cores).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.cuts import NO_CUTS
from solvers.instance import Instance
from solvers.order import MAX_EXACT_LINES, solve_order_kernel
from solvers.plans import move_stock, order_cost_kernel, plan_capacity, plan_costs, plan_usage

_RELATED, _EJECTION = 0, 1
_LOOK = 4  # orders an ejection looks through per SKU, per place in the neighbourhood
# with several workers, every this many calls runs on one thread over all orders, so the orders
# whose SKUs fall in different parts move too; the best period measured (docs/allocation.md, Moves
# on both cores)
_SERIAL_EVERY = 5
_NO_REGRET = 1e-6  # an order whose plan costs no more than this above its relaxed one stays


@nb.njit(cache=True)
def _holds(o, f, s, line_ptr, comp_ptr, comp_sku, assign):
    """Whether order ``o`` draws SKU ``s`` from node ``f`` (``f < 0``: from any node)."""
    for i in range(line_ptr[o], line_ptr[o + 1]):
        if assign[i] < 0 or (f >= 0 and assign[i] != f):
            continue
        for c in range(comp_ptr[i], comp_ptr[i + 1]):
            if comp_sku[c] == s:
                return True
    return False


@nb.njit(cache=True)
def _add(hood, count, o):
    """Append ``o`` to ``hood[:count]`` unless there; returns the new count."""
    for j in range(count):
        if hood[j] == o:
            return count
    hood[count] = o
    return count + 1


@nb.njit(cache=True)
def _draw(items, cum_weight):
    """One of ``items``, each with probability proportional to its weight (``cum_weight``: the
    running sum of the weights)."""
    j = np.searchsorted(cum_weight, np.random.random() * cum_weight[-1], side="right")
    return items[min(j, len(items) - 1)]


@nb.njit(cache=True)
def _draw_mover(movers, mover_weight, order_part, w):
    """One of the ``movers`` of part ``w``, drawn by weight (a few tries), or -1."""
    for _try in range(16):
        o = _draw(movers, mover_weight)
        if order_part[o] == w:
            return o
    return -1


@nb.njit(cache=True)
def _related_hood(
    hood, line_ptr, comp_ptr, comp_sku, sku_ptr, sku_orders, assign, sku_part, order_part, w,
    movers, mover_weight,
):  # fmt: skip
    """Up to ``len(hood)`` orders of part ``w`` demanding the first SKU of a line of that part:
    one of the ``movers`` (drawn by weight) and random others demanding the SKU of one of its
    lines, else random orders demanding the SKU of a random (preferably unfilled) line."""
    num_lines = len(assign)
    o = -1
    if len(movers):
        o = _draw_mover(movers, mover_weight, order_part, w)
        if o < 0:
            return 0
        li = line_ptr[o] + np.random.randint(line_ptr[o + 1] - line_ptr[o])
    else:
        li = np.random.randint(num_lines)
        for attempt in range(16):
            if sku_part[comp_sku[comp_ptr[li]]] == w and (assign[li] < 0 or attempt >= 8):
                break
            li = np.random.randint(num_lines)
    s = comp_sku[comp_ptr[li]]
    if sku_part[s] != w:
        return 0
    lo, hi = sku_ptr[s], sku_ptr[s + 1]
    k = min(len(hood), hi - lo)
    count = 0
    if o >= 0 and line_ptr[o + 1] - line_ptr[o] <= MAX_EXACT_LINES:
        count = _add(hood, count, o)  # the mover itself, where its regret lies
    for _pick in range(4 * k):
        o = sku_orders[lo + np.random.randint(hi - lo)]
        if order_part[o] == w and line_ptr[o + 1] - line_ptr[o] <= MAX_EXACT_LINES:
            count = _add(hood, count, o)
            if count == k:
                break
    return count


@nb.njit(cache=True)
def _ejection_hood(
    hood, order, target, line_ptr, comp_ptr, comp_sku, comp_units, sku_ptr, sku_orders, avail,
    assign, order_part,
):  # fmt: skip
    """``order`` first, then the orders holding the stock its ``target`` plan lacks (at the
    target's nodes), then other holders of those SKUs, up to ``len(hood)``; looks at a bounded
    number of the orders demanding each SKU."""
    hood[0] = order
    count = 1
    for sweep in range(2):
        near = sweep == 0
        for i in range(line_ptr[order], line_ptr[order + 1]):
            f = target[i]
            if f < 0 or f == assign[i]:
                continue
            for c in range(comp_ptr[i], comp_ptr[i + 1]):
                s = comp_sku[c]
                if avail[f, s] >= comp_units[c]:
                    continue
                lo, hi = sku_ptr[s], sku_ptr[s + 1]
                start = np.random.randint(hi - lo)
                # a bounded look from a random place: a best seller has thousands of orders
                for j in range(min(hi - lo, _LOOK * len(hood))):
                    if count == len(hood):
                        return count
                    o = sku_orders[lo + (start + j) % (hi - lo)]
                    if o == order or line_ptr[o + 1] - line_ptr[o] > MAX_EXACT_LINES:
                        continue
                    if order_part[o] != order_part[order]:
                        continue
                    if _holds(o, f if near else -1, s, line_ptr, comp_ptr, comp_sku, assign):
                        count = _add(hood, count, o)
    return count


@nb.njit(cache=True)
def _largest_first(hood, first, count, order_units):
    """Sort ``hood[first:count]`` by ``order_units``, largest first; stable (insertion sort:
    a neighbourhood holds a few dozen orders)."""
    for j in range(first + 1, count):
        o = hood[j]
        k = j
        while k > first and order_units[hood[k - 1]] < order_units[o]:
            hood[k] = hood[k - 1]
            k -= 1
        hood[k] = o


@nb.njit(cache=True)
def _ruin_recreate(
    rounds, kind, size, seed, movers, mover_weight, targets, line_ptr, ship_complete, order_table,
    line_weight, line_backorder, line_units, comp_ptr, comp_sku, comp_units, ship_cost, split,
    max_ship, sku_ptr, sku_orders, sku_part, order_part, order_units, largest, w, avail, cap,
    assign, moved,
):  # fmt: skip
    """``rounds`` moves of one ``kind`` on the orders of part ``w`` (``order_part``; their SKUs
    are all in that part of ``sku_part``); ``avail``/``cap`` are what ``assign`` leaves. Ejection
    moves start from an order in ``movers`` and one of its ``targets`` rows. The orders of every
    move kept are flagged in ``moved``. Returns the saving and the number of orders re-routed."""
    np.random.seed(seed)
    dummy_price = np.zeros((1, 1))
    dummy_cap_price = np.zeros(1)
    hood = np.empty(size, np.int64)
    old = np.empty(len(assign), np.int64)  # scratch: old assignment of the released lines
    saved = 0.0
    solves = 0
    for _ in range(rounds):
        if kind == _EJECTION:
            order = _draw_mover(movers, mover_weight, order_part, w)
            if order < 0:
                continue
            target = targets[np.random.randint(targets.shape[0])]
            count = _ejection_hood(
                hood, order, target, line_ptr, comp_ptr, comp_sku, comp_units, sku_ptr,
                sku_orders, avail, assign, order_part,
            )  # fmt: skip
            first = 1  # the order aiming at its target re-routes first
        else:
            count = _related_hood(
                hood, line_ptr, comp_ptr, comp_sku, sku_ptr, sku_orders, assign, sku_part,
                order_part, w, movers, mover_weight,
            )  # fmt: skip
            first = 0
        if count < 2:
            continue
        solves += count
        before = 0.0
        for j in range(count):
            o = hood[j]
            before += order_cost_kernel(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
            )  # fmt: skip
            for i in range(line_ptr[o], line_ptr[o + 1]):
                old[i] = assign[i]
            move_stock(
                o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1
            )
        for j in range(count - 1, first, -1):  # a random order, then maybe the largest first
            r = first + np.random.randint(j + 1 - first)
            hood[j], hood[r] = hood[r], hood[j]
        if largest:
            _largest_first(hood, first, count, order_units)
        after = 0.0
        for j in range(count):
            o = hood[j]
            after += solve_order_kernel(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship,
                dummy_price, dummy_cap_price, NO_CUTS, False, assign,
            )  # fmt: skip
            move_stock(
                o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1
            )
        if after < before - 1e-9:
            saved += before - after
            for j in range(count):
                moved[hood[j]] = True
            continue
        for j in range(count):  # worse or equal: put the old plan back
            o = hood[j]
            move_stock(
                o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1
            )
        for j in range(count):
            o = hood[j]
            for i in range(line_ptr[o], line_ptr[o + 1]):
                assign[i] = old[i]
            move_stock(
                o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1
            )
    return saved, solves


@nb.njit(cache=True, parallel=True)
def _parallel_ruin_recreate(
    rounds, kind, size, seeds, movers, mover_weight, targets, line_ptr, ship_complete, order_table,
    line_weight, line_backorder, line_units, comp_ptr, comp_sku, comp_units, ship_cost, split,
    max_ship, sku_ptr, sku_orders, sku_part, order_part, order_units, largest, avail, caps,
    assign, moved,
):  # fmt: skip
    """One ``_ruin_recreate`` per part, at once: the parts share no SKU, no order and no line,
    and each has its own share ``caps[w]`` of the spare capacity, so they never touch the same
    entry of ``avail``, ``caps``, ``assign`` or ``moved``."""
    saved = np.zeros(len(seeds))
    solves = np.zeros(len(seeds), np.int64)
    for w in nb.prange(len(seeds)):
        saved[w], solves[w] = _ruin_recreate(
            rounds, kind, size, seeds[w], movers, mover_weight, targets, line_ptr, ship_complete,
            order_table, line_weight, line_backorder, line_units, comp_ptr, comp_sku, comp_units,
            ship_cost, split, max_ship, sku_ptr, sku_orders, sku_part, order_part, order_units,
            largest, w, avail, caps[w], assign, moved,
        )  # fmt: skip
    return saved.sum(), solves.sum()


class RuinRecreate:
    """Ruin-and-recreate moves on one plan, made in place: keeps the plan (:attr:`assign`), the
    stock it leaves, its cost, the SKU-to-orders index and how much each kind of neighbourhood
    saved. Every move kept saves, so the plan is always the best it has had; nothing is copied or
    re-tallied between calls, which had taken much of each call (docs/allocation.md, Ruin and
    recreate)."""

    def __init__(
        self,
        inst: Instance,
        assign: np.ndarray,
        *,
        size: int = 8,
        seed: int = 0,
        workers: int = 1,
    ) -> None:
        self.inst = inst
        self.size = size
        self.workers = workers
        self.rng = np.random.default_rng(seed)
        pairs = np.unique(inst.comp_sku * inst.num_orders + inst.order_of_comp)
        sku, self.sku_orders = np.divmod(pairs, inst.num_orders)
        self.sku_ptr = np.searchsorted(sku, np.arange(inst.num_skus + 1)).astype(np.int64)
        # each order's components as a slice of comp_sku, for splitting the orders into parts
        self._order_comps = inst.comp_ptr[inst.line_ptr]
        self.assign = assign.copy()
        used, _ = plan_usage(inst, self.assign)
        self.avail = inst.available - used  # what the plan leaves, kept up to date by the moves
        self.cost = float(plan_costs(inst, self.assign).sum())
        self._moved = np.zeros(inst.num_orders, np.bool_)
        # saving per order re-routed (the work) by each kind, smoothed; both start equal
        self.rate = np.ones(2)
        # the same for the two recreate orders: random [0] and largest first [1]
        self.order_rate = np.ones(2)
        self.solves = 0  # orders re-routed so far: the work done
        self.made = 0  # moves tried so far
        self._calls = 0

    def improve(
        self,
        rounds: int,
        targets: np.ndarray | None = None,
        regret: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray]:
        """``rounds`` moves of one kind and one recreate order, each chosen by recent savings, on
        every worker (on one, every ``_SERIAL_EVERY`` calls); returns what they saved and the
        orders whose plans changed. ``targets`` (plans, one per row) enable ejection moves;
        ``regret`` (per order) aims both kinds at the orders that have it (``moves``)."""
        share = np.clip(self.rate[_EJECTION] / self.rate.sum(), 0.2, 0.8)
        use_targets = targets is not None and self.rng.random() < share
        kind = _EJECTION if use_targets else _RELATED
        largest = self.rng.random() < np.clip(self.order_rate[1] / self.order_rate.sum(), 0.2, 0.8)
        self._calls += 1
        workers = 1 if self._calls % _SERIAL_EVERY == 0 else self.workers
        return self.moves(
            rounds, kind, targets, workers=workers, largest=bool(largest), regret=regret
        )

    def _parts(self, workers: int) -> tuple[np.ndarray, np.ndarray]:
        """A random split of the SKUs into ``workers`` parts, and each order's part: the part of
        all its SKUs, or -1 (left alone) when they fall in several."""
        inst = self.inst
        if workers == 1 or not len(inst.comp_sku):
            return np.zeros(inst.num_skus, np.int64), np.zeros(inst.num_orders, np.int64)
        sku_part = self.rng.integers(workers, size=inst.num_skus)
        comp_part = sku_part[inst.comp_sku]
        starts = np.minimum(self._order_comps[:-1], len(comp_part) - 1)
        low = np.minimum.reduceat(comp_part, starts)
        high = np.maximum.reduceat(comp_part, starts)
        empty = self._order_comps[1:] == self._order_comps[:-1]
        return sku_part, np.where((low == high) & ~empty, low, -1)

    def moves(
        self,
        rounds: int,
        kind: int,
        targets: np.ndarray | None = None,
        workers: int = 1,
        largest: bool = True,
        regret: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray]:
        """``rounds`` moves of ``kind`` on the plan; an ejection needs an order whose plan
        differs from one of the ``targets``, else related moves run. With ``workers`` > 1, that
        many threads each make ``rounds`` moves on the orders of their own part of the SKUs (a
        fresh random split per call; orders spanning parts wait for a later call). A released
        group re-routes ``largest`` first (most units), else in random order. With ``regret``
        (per order: how much its plan costs above its relaxed one, at the prices), a move starts
        from an order (an ejection) or from a line of one (a related move) drawn with probability
        proportional to its regret. Returns the saving and the orders whose plans changed."""
        inst = self.inst
        assign = self.assign
        movers = np.zeros(0, np.int64)
        if regret is not None:
            movers = np.flatnonzero((regret > _NO_REGRET) & (np.diff(inst.line_ptr) > 0))
        elif kind == _EJECTION and targets is not None and len(targets) and inst.num_lines:
            differs = (targets != assign[None, :]).any(axis=0).astype(np.int64)
            per_order = np.add.reduceat(differs, inst.line_ptr[:-1])
            movers = np.flatnonzero((per_order > 0) & (np.diff(inst.line_ptr) > 0))
        weight = np.ones(len(movers)) if regret is None else regret[movers]
        if kind == _EJECTION and (targets is None or not len(movers)):
            kind = _RELATED
        if targets is None:
            targets = np.full((1, inst.num_lines), -1, np.int64)
        # an ejection neighbourhood holds the order and every order in its way: twice as many
        size = 2 * self.size if kind == _EJECTION else self.size
        # each worker gets an equal share of the spare capacity: together they cannot overfill
        spare = inst.capacity - plan_capacity(inst, assign)
        caps = np.tile(spare / workers, (workers, 1))
        sku_part, order_part = self._parts(workers)
        saved, solves = _parallel_ruin_recreate(
            rounds, kind, size, self.rng.integers(2**31, size=workers), movers, np.cumsum(weight),
            targets, inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight,
            inst.line_backorder, inst.line_units, inst.comp_ptr, inst.comp_sku, inst.comp_units,
            inst.ship_cost, inst.split_penalty, inst.max_shipments, self.sku_ptr, self.sku_orders,
            sku_part, order_part, inst.order_units, largest, self.avail, caps, assign,
            self._moved,
        )  # fmt: skip
        self.solves += solves
        self.made += rounds * workers
        self.cost -= saved
        rate = saved / max(solves, 1) + 1e-9
        self.rate[kind] = 0.5 * self.rate[kind] + 0.5 * rate
        self.order_rate[int(largest)] = 0.5 * self.order_rate[int(largest)] + 0.5 * rate
        moved = np.flatnonzero(self._moved)
        self._moved[moved] = False
        return float(saved), moved

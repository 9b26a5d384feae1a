"""Rounded stock rows: Chvátal–Gomory cuts the Lagrangian prices like stock.

A line ships whole from one node, so an order draws a whole number ``u`` of units of SKU ``s`` at
node ``f``. With ``a`` units there and any ``d >= 2``, every integer plan has

    sum over orders of floor(u / d)  <=  floor(a / d)

(the floors of parts sum to at most the floor of the whole). The stock row alone allows
``sum u / d <= a / d``, so the cut is stronger when ``d`` does not divide ``a``: three units
cannot ship two two-unit lines, though three quarters of each fit the row. The Lagrangian
relaxation (``solvers.batch``) lets orders share stock fractionally in just this way; pricing these
cuts (one multiplier each, charged to an order per ``floor(u / d)``) keeps every bound valid and
raises it: they lift the shipment-pattern LP by more than the whole gap between the Lagrangian
bound and that LP (docs/allocation.md, Rounded stock cuts).

Cuts exist for every cell with ``a >= 3``, every ``d`` from 2 to ``a`` that does not divide ``a``,
up to the most units one line draws of the SKU; they are resources after stock and capacity in
the flat price vector (``solvers.columns``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from solvers.instance import Instance


@dataclass(frozen=True, eq=False)
class StockCuts:
    """The cuts of cell ``c = f * num_skus + s`` are ``ptr[c]:ptr[c + 1]``; cut ``k`` divides by
    ``div[k]`` and allows ``supply[k] = floor(a / div[k])``. ``orders`` are those that can use a
    cut at all (two or more units of a SKU that has cuts): the others are skipped."""

    ptr: np.ndarray  # int64 [cell + 1]
    div: np.ndarray  # int64 [cut]
    supply: np.ndarray  # float64 [cut]
    orders: np.ndarray  # int64, ascending

    @property
    def num_cuts(self) -> int:
        return len(self.div)


def stock_cuts(inst: Instance) -> StockCuts:
    """Every cut that some line could make bind (see the module docstring)."""
    max_draw = np.zeros(inst.num_skus, np.int64)
    np.maximum.at(max_draw, inst.comp_sku, inst.comp_units)
    avail = inst.available.reshape(-1)
    top = int(min(avail.max(initial=0), max_draw.max(initial=0)))
    divs = np.arange(2, top + 1)
    draw = np.tile(max_draw, inst.num_nodes)
    cand = np.flatnonzero((avail >= 3) & (draw >= 2))
    a, reach = avail[cand, None], draw[cand, None]
    keep = (a >= divs) & (a % divs != 0) & (reach >= divs)
    row, which = np.nonzero(keep)  # row-major: cells ascending, divisors ascending within
    cell = cand[row]
    div = divs[which].astype(np.int64)
    ptr = np.searchsorted(cell, np.arange(len(avail) + 1)).astype(np.int64)
    has_cuts = np.zeros(inst.num_skus, bool)
    has_cuts[np.unique(cell % inst.num_skus)] = True
    pair, units = np.unique(inst.order_of_comp * inst.num_skus + inst.comp_sku, return_inverse=True)
    per_pair = np.bincount(units, weights=inst.comp_units, minlength=len(pair))
    big = (per_pair >= 2) & has_cuts[pair % inst.num_skus]
    orders = np.unique(pair[big] // inst.num_skus).astype(np.int64)
    return StockCuts(ptr, div, (avail[cell] // div).astype(np.float64), orders)


# the ``cuts`` argument of the kernel (``solvers.order``) when there are none: cell lists, divisors,
# prices
NO_CUTS = (np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0))


@nb.njit(cache=True, inline="always")
def cut_cost(cell, units, ptr, div, price):
    """What drawing ``units`` from ``cell`` at once costs in cut prices (none for a cell beyond
    ``ptr``: :data:`NO_CUTS`)."""
    total = 0.0
    if units < 2 or cell + 1 >= len(ptr):
        return total
    for k in range(ptr[cell], ptr[cell + 1]):
        total += (units // div[k]) * price[k]
    return total


@nb.njit(cache=True)
def order_cut_uses(
    o, line_ptr, comp_ptr, comp_sku, comp_units, assign, num_skus, ptr, div, cells, units,
    out_cut, out_count,
):  # fmt: skip
    """The cuts order ``o`` uses under ``assign`` and how much (``floor(u / d)`` of the units it
    draws from each cell, summed over its lines): ``out_cut[:k]``, ``out_count[:k]``; returns
    ``k``. ``cells``/``units``/``out_*`` are scratch at least as long as the order's draws times
    the most cuts on one cell."""
    m = 0
    for i in range(line_ptr[o], line_ptr[o + 1]):
        f = assign[i]
        if f < 0:
            continue
        for c in range(comp_ptr[i], comp_ptr[i + 1]):
            cell = f * num_skus + comp_sku[c]
            j = 0
            while j < m and cells[j] != cell:
                j += 1
            if j == m:
                cells[m] = cell
                units[m] = 0
                m += 1
            units[j] += comp_units[c]
    k = 0
    for j in range(m):
        if units[j] < 2:
            continue
        for q in range(ptr[cells[j]], ptr[cells[j] + 1]):
            count = units[j] // div[q]
            if count > 0:
                out_cut[k] = q
                out_count[k] = count
                k += 1
    return k


def scratch(inst: Instance, cuts: StockCuts) -> tuple[np.ndarray, ...]:
    """Buffers for :func:`order_cut_uses` that fit every order of ``inst``."""
    per_order = np.diff(inst.comp_ptr[inst.line_ptr])
    draws = int(per_order.max(initial=0)) + 1
    per_cell = int(np.diff(cuts.ptr).max(initial=0)) + 1
    return (
        np.empty(draws, np.int64),
        np.empty(draws, np.int64),
        np.empty(draws * per_cell, np.int64),
        np.empty(draws * per_cell, np.int64),
    )


@nb.njit(cache=True)
def tally_cuts(
    orders, line_ptr, comp_ptr, comp_sku, comp_units, assign, num_skus, ptr, div, price, cells,
    units, out_cut, out_count, usage, charge,
):  # fmt: skip
    """What the whole plan ``assign`` uses of each cut, added to ``usage``, and what each order
    pays for its cuts at ``price``, added to ``charge`` (only ``orders`` can use any)."""
    for o in orders:
        k = order_cut_uses(
            o, line_ptr, comp_ptr, comp_sku, comp_units, assign, num_skus, ptr, div, cells, units,
            out_cut, out_count,
        )  # fmt: skip
        for j in range(k):
            usage[out_cut[j]] += out_count[j]
            charge[o] += out_count[j] * price[out_cut[j]]

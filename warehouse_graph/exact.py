"""Exact picking routes: the aisle-by-aisle dynamic programme, and Held–Karp for general graphs.

Rectangular layouts use the DP of Ratliff & Rosenthal (1983), Oper. Res. 31(3), §2-§3, in the
multi-cross-aisle form of Roodbergen & de Koster (2001), EJOR 133(1), §3, whose state generalises
to any number of blocks as in Pansart, Catusse & Cambazard (2018), Comput. Oper. Res. 100, §4.
General layouts with few picks use Held & Karp (1962), J. SIAM 10(1). Why: a proven shortest
walk, in time linear in the number of aisles; the states, transitions and traceback are
explained in docs/picking.md#exact-routes.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numba
import numpy as np

from warehouse_graph.distances import GraphDistances, RectDistances

# limits of "finishes in reasonable time" and "finishes fast" (docs/picking.md#exact-routes)
HELD_KARP_MAX_PICKS = 16
HELD_KARP_FAST_PICKS = 12
DP_FAST_BLOCKS = 4
DP_MAX_BLOCKS = 5

# the six Ratliff–Rosenthal configurations of a sub-aisle
_NONE, _ONCE, _TWICE, _FROM_BACK, _FROM_FRONT, _SPLIT = range(6)
# degree added to (front node, back node) of a sub-aisle, and whether the two get connected
_CONFIG_DEGREE = ((0, 0), (1, 1), (2, 2), (0, 2), (2, 0), (2, 2))
_CONFIG_CONNECTS = (False, True, True, False, False, False)

_State = tuple[int, ...]
_FINISHED: _State = (-1,)


def finishes_fast(table: RectDistances | GraphDistances, num_picks: int) -> bool:
    """Whether :func:`optimal_order` proves the optimum quickly for this layout's distance
    table and list size."""
    if isinstance(table, RectDistances) and table.rect.blocks <= DP_FAST_BLOCKS:
        return True
    return num_picks <= HELD_KARP_FAST_PICKS


def optimal_order(
    table: RectDistances | GraphDistances, picks: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """A proven optimal visiting order of ``picks`` (dense location indices of the layout whose
    distance table is ``table``), as points 1..n of ``d``, and its length; or None.

    None means no exact method here finishes in reasonable time (a general layout with more than
    ``HELD_KARP_MAX_PICKS`` picks, or a rectangular one of more than ``DP_MAX_BLOCKS`` blocks).
    """
    if isinstance(table, RectDistances) and table.rect.blocks <= DP_MAX_BLOCKS:
        return _aisle_dp(table, picks)
    if len(picks) <= HELD_KARP_MAX_PICKS:
        order, length = held_karp(d)
        return order, length
    return None


# ----------------------------------------------------------------------------- Held–Karp


@numba.njit(cache=True)
def _held_karp(d):  # pragma: no cover - compiled
    n = d.shape[0] - 1
    full = 1 << n
    cost = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=np.int64)
    for j in range(n):
        cost[1 << j, j] = d[0, j + 1]
    for subset in range(1, full):
        for j in range(n):
            if not subset >> j & 1:
                continue
            base = cost[subset, j]
            if base == np.inf:
                continue
            for k in range(n):
                if subset >> k & 1:
                    continue
                nxt = subset | 1 << k
                c = base + d[j + 1, k + 1]
                if c < cost[nxt, k]:
                    cost[nxt, k] = c
                    parent[nxt, k] = j
    best, last = np.inf, -1
    for j in range(n):
        c = cost[full - 1, j] + d[j + 1, 0]
        if c < best:
            best, last = c, j
    order = np.empty(n, dtype=np.int64)
    subset = full - 1
    for i in range(n - 1, -1, -1):
        order[i] = last + 1
        prev = parent[subset, last]
        subset ^= 1 << last
        last = prev
    return order, best


def held_karp(d: np.ndarray) -> tuple[np.ndarray, float]:
    """Optimal closed tour from point 0 over all points of ``d``: (order of points 1..n, length)."""
    if d.shape[0] - 1 > 20:
        raise ValueError(f"Held–Karp on {d.shape[0] - 1} points would not finish")
    order, length = _held_karp(np.ascontiguousarray(d, dtype=np.float64))
    return order, float(length)


# ----------------------------------------------------------------------------- aisle DP states


def _canonical(labels: list[int], parity: list[int]) -> _State:
    """State tuple: 0 for an untouched node, else 2 * label + parity, labels by first appearance."""
    rename: dict[int, int] = {}
    out = []
    for lab, par in zip(labels, parity, strict=True):
        if lab == 0:
            out.append(0)
            continue
        rename.setdefault(lab, len(rename) + 1)
        out.append(2 * rename[lab] + par)
    return tuple(out)


def _split(state: _State) -> tuple[list[int], list[int]]:
    return [s // 2 for s in state], [s % 2 for s in state]


def _vertical_step(state: _State, sub: int, config: int) -> _State | None:
    """Add a configuration of the sub-aisle between nodes ``sub - 1`` (front) and ``sub``."""
    if state == _FINISHED:
        return state if config == _NONE else None
    labels, parity = _split(state)
    fresh = max(labels) + 1
    for node, add in zip((sub - 1, sub), _CONFIG_DEGREE[config], strict=True):
        if add and labels[node] == 0:
            labels[node], fresh = fresh, fresh + 1
        parity[node] = (parity[node] + add) % 2
    if _CONFIG_CONNECTS[config]:
        gone, keep = labels[sub], labels[sub - 1]
        labels = [keep if lab == gone else lab for lab in labels]
    return _canonical(labels, parity)


def _horizontal_step(state: _State, walks: tuple[int, ...]) -> tuple[_State, bool] | None:
    """Walk each cross-aisle stretch to the next column ``walks[k]`` times (0, 1 or 2).

    Returns the next column's state and whether the front node of the column left behind is
    touched (the depot check), or None when a node would be left with odd degree or a component
    would be closed off while others remain.
    """
    if state == _FINISHED:
        return (state, False) if not any(walks) else None
    labels, parity = _split(state)
    fresh = max(labels) + 1
    for k, w in enumerate(walks):
        if labels[k] == 0 and w:
            labels[k], fresh = fresh, fresh + 1
        if (parity[k] + w) % 2:
            return None
    front_touched = labels[0] != 0
    right = [lab if w else 0 for lab, w in zip(labels, walks, strict=True)]
    present = {lab for lab in labels if lab}
    if present - set(right):
        return (_FINISHED, front_touched) if len(present) == 1 else None
    return _canonical(right, [w % 2 for w in walks]), front_touched


@dataclass(frozen=True)
class _Transitions:
    """One DP phase's transitions, sorted by destination state.

    ``choice[t]`` is the sub-aisle configuration (vertical phases) or the row of ``walks``
    (horizontal). Destinations ``groups[g]`` own transitions ``starts[g]:starts[g + 1]``;
    ``group_of[state]`` is the group of a destination state.
    """

    src: np.ndarray
    dst: np.ndarray
    choice: np.ndarray
    starts: np.ndarray
    groups: np.ndarray
    group_of: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple[int, int, int]], num_states: int) -> _Transitions:
        """Sort ``(src, dst, choice)`` rows by destination and index the groups."""
        arr = np.array(sorted(rows, key=lambda r: (r[1], r[0], r[2])), dtype=np.int64)
        groups, starts = np.unique(arr[:, 1], return_index=True)
        group_of = np.full(num_states, -1, dtype=np.int64)
        group_of[groups] = np.arange(len(groups))
        return cls(
            arr[:, 0].copy(),
            arr[:, 1].copy(),
            arr[:, 2].copy(),
            np.append(starts, len(arr)),
            groups,
            group_of,
        )

    def relax(self, cost: np.ndarray, step: np.ndarray) -> np.ndarray:
        """``new[s]`` = min over transitions into s of ``cost[src] + step``."""
        cand = cost[self.src] + step
        new = np.full(cost.shape[0], np.inf)
        new[self.groups] = np.minimum.reduceat(cand, self.starts[:-1])
        return new

    def argmin(self, cost: np.ndarray, step: np.ndarray, state: int, value: float) -> int:
        """A transition into ``state`` that attains ``value`` (the relaxed cost of ``state``)."""
        g = self.group_of[state]
        ts = np.arange(self.starts[g], self.starts[g + 1])
        return int(ts[np.argmax(cost[self.src[ts]] + step[ts] == value)])


@dataclass(frozen=True)
class _Tables:
    """Transitions for one number of cross aisles; state 0 is the empty start, 1 is finished."""

    num_states: int
    vertical: tuple[_Transitions, ...]  # vertical[sub]: sub-aisle between nodes sub and sub + 1
    horizontal: _Transitions
    walks: np.ndarray  # walks[choice, k]: times cross aisle k is walked
    front: np.ndarray  # front[t]: the column left behind has its front node touched


@functools.cache
def _tables(num_cross: int) -> _Tables:
    """Enumerate every reachable state and transition for ``num_cross`` cross aisles."""
    empty: _State = (0,) * num_cross
    ids: dict[_State, int] = {empty: 0, _FINISHED: 1}
    num_sub = num_cross - 1
    vertical: list[list[tuple[int, int, int]]] = [[] for _ in range(num_sub)]
    horizontal: list[tuple[int, int, tuple[int, ...], bool]] = []
    choices = list(itertools.product((0, 1, 2), repeat=num_cross))
    seen_phase: set[tuple[_State, int]] = set()
    todo = [(empty, 0), (_FINISHED, 0)]
    while todo:
        state, phase = todo.pop()
        if (state, phase) in seen_phase:
            continue
        seen_phase.add((state, phase))
        src = ids[state]
        if phase < num_sub:
            for config in range(6):
                step = _vertical_step(state, phase + 1, config)
                if step is None:
                    continue
                dst = ids.setdefault(step, len(ids))
                vertical[phase].append((src, dst, config))
                todo.append((step, phase + 1))
        else:
            for walks in choices:
                result = _horizontal_step(state, walks)
                if result is None:
                    continue
                new, front = result
                dst = ids.setdefault(new, len(ids))
                horizontal.append((src, dst, walks, front))
                todo.append((new, 0))
    num = len(ids)
    index = {w: i for i, w in enumerate(choices)}
    rows = [(src, dst, index[w]) for src, dst, w, _ in horizontal]
    fronts = {(src, dst, index[w]): front for src, dst, w, front in horizontal}
    h = _Transitions.build(rows, num)
    return _Tables(
        num_states=num,
        vertical=tuple(_Transitions.build(v, num) for v in vertical),
        horizontal=h,
        walks=np.array(choices, dtype=np.int64),
        front=np.array(
            [
                fronts[(int(a), int(b), int(c))]
                for a, b, c in zip(h.src, h.dst, h.choice, strict=True)
            ]
        ),
    )


# ----------------------------------------------------------------------------- aisle DP solve


@dataclass
class _Column:
    x: float
    real: bool  # False for the depot's own column between two aisles
    picks: list[list[int]]  # picks[sub] = points of d in that sub-aisle, front to back
    ys: list[list[float]]  # their y


def _columns(table: RectDistances, picks: np.ndarray) -> tuple[list[_Column], int]:
    """Columns from the leftmost to the rightmost of picks and depot, and the depot's column."""
    rect = table.rect
    rows = picks + 1  # table rows of the picks; point i + 1 of d is rows[i]
    xs = table.x[rows]
    xd = float(table.x[0])
    lo, hi = min(float(xs.min()), xd), max(float(xs.max()), xd)
    aisle_xs = [rect.aisle_x(a + 1) for a in range(rect.aisles)]
    columns: list[_Column] = []
    index: dict[int, int] = {}
    for a, x in enumerate(aisle_xs):
        if lo - 1e-9 <= x <= hi + 1e-9:
            index[a] = len(columns)
            columns.append(_Column(x, True, [[] for _ in range(rect.blocks)], []))
    if table.column[0] >= 0:
        depot_col = index[int(table.column[0])]
    else:
        depot_col = int(np.searchsorted([col.x for col in columns], xd))
        columns.insert(depot_col, _Column(xd, False, [[] for _ in range(rect.blocks)], []))
        index = {a: i + (i >= depot_col) for a, i in index.items()}
    for i in np.argsort(table.y[rows], kind="stable"):
        r = rows[i]
        col = columns[index[int(table.column[r])]]
        col.picks[int(table.block[r])].append(int(i) + 1)
    for col in columns:
        col.ys = [[float(table.y[rows[p - 1]]) for p in pts] for pts in col.picks]
    return columns, depot_col


def _config_costs(table: RectDistances, col: _Column) -> np.ndarray:
    """``cost[sub, config]`` of each sub-aisle's six configurations in this column."""
    rect = table.rect
    length = rect.block_m
    cost = np.full((rect.blocks, 6), np.inf)
    if not col.real:
        cost[:, _NONE] = 0.0
        return cost
    cost[:, _ONCE] = length
    cost[:, _TWICE] = 2 * length
    for b, pts in enumerate(col.picks):
        if not pts:
            cost[b, _NONE] = 0.0
            continue
        front, back = b * length, (b + 1) * length
        ys = col.ys[b]
        cost[b, _FROM_BACK] = 2 * (back - ys[0])
        cost[b, _FROM_FRONT] = 2 * (ys[-1] - front)
        if len(pts) > 1:
            cost[b, _SPLIT] = 2 * (length - float(np.diff(ys).max()))
    return cost


def _aisle_dp(table: RectDistances, picks: np.ndarray) -> tuple[np.ndarray, float]:
    """Optimal order of ``picks`` (dense location indices) by the aisle DP, and its length."""
    rect = table.rect
    num_cross = rect.blocks + 1
    tab = _tables(num_cross)
    columns, depot_col = _columns(table, picks)
    has_picks = [any(col.picks) for col in columns]
    picks_after = np.cumsum(has_picks[::-1])[::-1]  # picks_after[c]: columns >= c with picks
    h = tab.horizontal
    walked = tab.walks.sum(axis=1).astype(np.float64)[h.choice]
    cost = np.full(tab.num_states, np.inf)
    cost[0] = 0.0
    phases: list[tuple[int, int, np.ndarray, np.ndarray]] = []  # (column, sub or -1, cost, step)
    for c, col in enumerate(columns):
        conf = _config_costs(table, col)
        for sub, trans in enumerate(tab.vertical):
            step = conf[sub][trans.choice]
            phases.append((c, sub, cost, step))
            cost = trans.relax(cost, step)
        last = c == len(columns) - 1
        pitch = 0.0 if last else columns[c + 1].x - col.x
        step = walked * pitch
        if last:
            step = np.where(walked > 0, np.inf, step)
        elif picks_after[c + 1] > 0:
            step = np.where(h.dst == 1, np.inf, step)
        if c == depot_col:
            step = np.where(tab.front, step, np.inf)
        phases.append((c, -1, cost, step))
        cost = h.relax(cost, step)
    length = float(cost[1])
    edges = _route_edges(tab, columns, phases, cost)
    return _euler_order(edges, ("X", depot_col, 0)), length


def _route_edges(
    tab: _Tables,
    columns: list[_Column],
    phases: list[tuple[int, int, np.ndarray, np.ndarray]],
    final: np.ndarray,
) -> list[tuple[object, object]]:
    """The multigraph of the optimal route, traced back from the finished state."""
    edges: list[tuple[object, object]] = []
    state, value = 1, float(final[1])
    for c, sub, cost, step in reversed(phases):
        trans = tab.horizontal if sub < 0 else tab.vertical[sub]
        t = trans.argmin(cost, step, state, value)
        state = int(trans.src[t])
        value = float(cost[state])
        if sub < 0:
            for k, w in enumerate(tab.walks[trans.choice[t]]):
                edges += [(("X", c, k), ("X", c + 1, k))] * int(w)
            continue
        pts = columns[c].picks[sub]
        front, back_node = ("X", c, sub), ("X", c, sub + 1)
        chain = [front, *(("P", p) for p in pts), back_node]
        cfg = int(trans.choice[t])
        if cfg in (_ONCE, _TWICE):
            edges += list(itertools.pairwise(chain)) * (1 if cfg == _ONCE else 2)
        elif cfg == _FROM_BACK:
            edges += list(itertools.pairwise(chain[1:])) * 2
        elif cfg == _FROM_FRONT:
            edges += list(itertools.pairwise(chain[:-1])) * 2
        elif cfg == _SPLIT:
            g = int(np.argmax(np.diff(columns[c].ys[sub])))  # gap between pts[g] and pts[g + 1]
            edges += list(itertools.pairwise(chain[: g + 2])) * 2
            edges += list(itertools.pairwise(chain[g + 2 :])) * 2
    return edges


def _euler_order(edges: list[tuple[object, object]], start: object) -> np.ndarray:
    """Points of d in first-visit order along an Euler circuit of ``edges`` (Hierholzer 1873)."""
    adjacency: dict[object, list[tuple[object, int]]] = defaultdict(list)
    for e, (u, v) in enumerate(edges):
        adjacency[u].append((v, e))
        adjacency[v].append((u, e))
    used = np.zeros(len(edges), dtype=bool)
    stack, circuit = [start], []
    while stack:
        u = stack[-1]
        nbrs = adjacency[u]
        while nbrs and used[nbrs[-1][1]]:
            nbrs.pop()
        if nbrs:
            v, e = nbrs.pop()
            used[e] = True
            stack.append(v)
        else:
            circuit.append(stack.pop())
    seen: dict[int, None] = {}
    for node in circuit:
        if isinstance(node, tuple) and node[0] == "P":
            seen.setdefault(int(node[1]), None)  # type: ignore[call-overload]
    return np.fromiter(seen, dtype=np.int64, count=len(seen))

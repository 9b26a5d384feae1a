"""Shortest walking distances and paths, from tables built once per layout.

Rectangular layouts need no search: in the aisle grid of Roodbergen & de Koster (2001, IJPR 39(9),
§2) a pair's distance is closed form, so a pick list's matrix is one numpy broadcast. General
graphs use Dijkstra (1959) on a CSR copy of the graph, compiled with numba, rows kept once
computed. Why: routing and batching look distances up far more often than they change;
docs/picking.md#distances.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numba
import numpy as np

from dom.errors import NoRoute
from warehouse_graph.rect import RectSpec

_EAGER_ROWS_CELLS = 8_000_000  # Dijkstra rows computed at load time when they fit in this many


@dataclass
class RectDistances:
    """Closed-form distances of a rectangular layout:

        d(p, q) = |x_p - x_q| + |y_p - y_q| + [same block, other aisle] * 2 * min(front, back gap)

    where the gaps run from the pair to its block's front and back cross aisles. Point arrays are
    indexed 0 = depot, 1 + i = location i: ``x, y``, ``block`` (0-based, -1 for the depot),
    ``column`` (aisle 0-based; the depot's own column when it is between aisles).
    """

    rect: RectSpec
    x: np.ndarray
    y: np.ndarray
    block: np.ndarray
    column: np.ndarray
    depot: Hashable
    _aisle_nodes: list[list[Hashable]] = field(repr=False)
    _aisle_ys: list[list[float]] = field(repr=False)
    _cross_nodes: list[list[Hashable]] = field(repr=False)
    _cross_xs: list[list[float]] = field(repr=False)

    @classmethod
    def build(
        cls, rect: RectSpec, graph: nx.Graph, depot: Hashable, location_nodes: Sequence[Hashable]
    ) -> RectDistances:
        """Tables of the depot and locations of ``rect``'s graph, and its aisle and cross-aisle
        node lists."""
        xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in location_nodes])
        pitch = rect.aisle_pitch_m if rect.aisles > 1 else 1.0
        x = np.concatenate(([rect.depot_x], xy[:, 0]))
        y = np.concatenate(([0.0], xy[:, 1]))
        block = np.floor(y / rect.block_m).astype(np.int64)
        block[0] = -1
        column = np.rint(x / pitch).astype(np.int64)
        if abs(column[0] * pitch - rect.depot_x) > 1e-9:
            column[0] = -1
        aisle_nodes: list[list[Hashable]] = []
        aisle_ys: list[list[float]] = []
        for a in range(rect.aisles):
            nodes = sorted(
                (n for n in graph if abs(graph.nodes[n]["x"] - rect.aisle_x(a + 1)) < 1e-9),
                key=lambda n: graph.nodes[n]["y"],
            )
            aisle_nodes.append(nodes)
            aisle_ys.append([graph.nodes[n]["y"] for n in nodes])
        cross_nodes: list[list[Hashable]] = []
        cross_xs: list[list[float]] = []
        for k in range(rect.blocks + 1):
            yk = k * rect.block_m
            nodes = sorted(
                (n for n in graph if abs(graph.nodes[n]["y"] - yk) < 1e-9),
                key=lambda n: graph.nodes[n]["x"],
            )
            cross_nodes.append(nodes)
            cross_xs.append([graph.nodes[n]["x"] for n in nodes])
        return cls(rect, x, y, block, column, depot, aisle_nodes, aisle_ys, cross_nodes, cross_xs)

    def matrix(self, locations: np.ndarray) -> np.ndarray:
        """``d[p, q]`` over points (depot, *locations) given as dense location indices."""
        pts = np.concatenate(([0], np.asarray(locations, dtype=np.int64) + 1))
        x, y, blk, col = self.x[pts], self.y[pts], self.block[pts], self.column[pts]
        d = np.abs(x[:, None] - x[None, :]) + np.abs(y[:, None] - y[None, :])
        same = (blk[:, None] == blk[None, :]) & (col[:, None] != col[None, :]) & (blk[:, None] >= 0)
        if same.any():
            lo = blk * self.rect.block_m
            below = np.minimum(y[:, None], y[None, :]) - lo[:, None]
            above = lo[:, None] + self.rect.block_m - np.maximum(y[:, None], y[None, :])
            d += np.where(same, 2.0 * np.minimum(below, above), 0.0)
        return d

    def path(self, points: np.ndarray) -> list[Hashable]:
        """Node ids walked through ``points`` (0 = depot, 1 + i = location i), shortest legs."""
        walk: list[Hashable] = [self.depot]
        for p, q in itertools.pairwise(points):
            walk.extend(self._leg(int(p), int(q))[1:])
        return walk

    def _leg(self, p: int, q: int) -> list[Hashable]:
        cp, cq = int(self.column[p]), int(self.column[q])
        yp, yq = float(self.y[p]), float(self.y[q])
        if cp == cq and cp >= 0:
            return self._vertical(cp, yp, yq)
        block_m = self.rect.block_m
        if self.block[p] == self.block[q] and self.block[p] >= 0:
            lo = float(self.block[p]) * block_m
            below, above = min(yp, yq) - lo, lo + block_m - max(yp, yq)
            k = int(self.block[p]) + (0 if below <= above else 1)
        elif self.block[p] < 0 or self.block[q] < 0:
            k = 0
        else:
            k = int(self.block[p]) + (1 if yq > yp else 0)
        yk = k * block_m
        up = self._vertical(cp, yp, yk)
        across = self._horizontal(k, float(self.x[p]), float(self.x[q]))
        down = self._vertical(cq, yk, yq)
        return up + across[1:] + down[1:]

    def _vertical(self, column: int, y0: float, y1: float) -> list[Hashable]:
        if column < 0:
            return [self.depot]
        return _span(self._aisle_nodes[column], self._aisle_ys[column], y0, y1)

    def _horizontal(self, cross: int, x0: float, x1: float) -> list[Hashable]:
        return _span(self._cross_nodes[cross], self._cross_xs[cross], x0, x1)


def _span(nodes: list[Hashable], keys: list[float], a: float, b: float) -> list[Hashable]:
    """Nodes whose key lies between ``a`` and ``b`` (inclusive), ordered from ``a`` to ``b``."""
    lo, hi = min(a, b), max(a, b)
    i = bisect.bisect_left(keys, lo - 1e-9)
    j = bisect.bisect_right(keys, hi + 1e-9)
    part = nodes[i:j]
    return part if a <= b else part[::-1]


@numba.njit(cache=True)
def _dijkstra(indptr, indices, weights, source):  # pragma: no cover - compiled
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weights[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = u
                heapq.heappush(heap, (nd, v))
    return dist, pred


@dataclass
class GraphDistances:
    """Dijkstra rows of a general layout, from the depot and every location node.

    ``point_node[p]`` is the dense graph node of point p (0 = depot, 1 + i = location i).
    """

    nodes: list[Hashable]
    point_node: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    _rows: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, graph: nx.Graph, depot: Hashable, location_nodes: Sequence[Hashable]
    ) -> GraphDistances:
        """CSR arrays of ``graph``; all rows up front when they fit in memory."""
        nodes = list(graph.nodes)
        index = {n: i for i, n in enumerate(nodes)}
        n = len(nodes)
        src, dst, w = [], [], []
        for u, v, length in graph.edges(data="length"):
            iu, iv = index[u], index[v]
            src += [iu, iv]
            dst += [iv, iu]
            w += [length, length]
        order = np.lexsort((np.array(dst), np.array(src))) if src else np.array([], np.int64)
        src_a = np.array(src, dtype=np.int64)[order]
        indptr = np.searchsorted(src_a, np.arange(n + 1)).astype(np.int64)
        point_node = np.array([index[depot]] + [index[v] for v in location_nodes], dtype=np.int64)
        table = cls(
            nodes,
            point_node,
            indptr,
            np.array(dst, dtype=np.int64)[order],
            np.array(w, dtype=np.float64)[order],
        )
        keys = np.unique(point_node)
        if keys.size * n <= _EAGER_ROWS_CELLS:
            for key in keys:
                table._row(int(key))
        return table

    def _row(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        row = self._rows.get(node)
        if row is None:
            row = _dijkstra(self.indptr, self.indices, self.weights, node)
            self._rows[node] = row
        return row

    def matrix(self, locations: np.ndarray) -> np.ndarray:
        """``d[p, q]`` over points (depot, *locations) given as dense location indices."""
        nodes = self.point_node[np.concatenate(([0], np.asarray(locations, dtype=np.int64) + 1))]
        d = np.stack([self._row(int(u))[0][nodes] for u in nodes])
        if not np.isfinite(d).all():
            raise NoRoute("a pick location cannot be reached from the depot")
        return d

    def path(self, points: np.ndarray) -> list[Hashable]:
        """Node ids walked through ``points`` (0 = depot, 1 + i = location i), shortest legs."""
        nodes = self.point_node[np.asarray(points, dtype=np.int64)]
        walk = [int(nodes[0])]
        for u, v in itertools.pairwise(nodes):
            pred = self._row(int(u))[1]
            leg = [int(v)]
            while leg[-1] != u:
                leg.append(int(pred[leg[-1]]))
            walk.extend(reversed(leg[:-1]))
        return [self.nodes[i] for i in walk]

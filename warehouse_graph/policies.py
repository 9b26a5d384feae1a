"""The textbook routing policies, as explainable baselines (rectangular layouts only).

s-shape, return, midpoint and largest gap per block follow Hall (1993), IIE Trans. 25(4), §2;
their multi-block walk and the combined heuristic follow Roodbergen & de Koster (2001), IJPR
39(9), §3. Why: they are what pickers are taught, so ``best`` is measured against them and never
longer; how each one walks: docs/picking.md#policies. A policy fixes the visiting order only; the
walk is measured along shortest paths between consecutive stops.
"""

from __future__ import annotations

import numpy as np

from warehouse_graph.distances import RectDistances

POLICIES = ("s-shape", "return", "midpoint", "largest-gap", "combined")


def policy_order(table: RectDistances, picks: np.ndarray, method: str) -> np.ndarray:
    """Visiting order of the textbook policy ``method`` through ``picks`` (dense location
    indices), as points 1..n of the pick list's distance matrix (0 is the depot)."""
    return _Sweep(table, picks).order(method)


class _Sweep:
    """Picks grouped by block and aisle, and the policies' per-block walks."""

    def __init__(self, table: RectDistances, picks: np.ndarray) -> None:
        self.table = table
        self.block_m = table.rect.block_m
        rows = picks + 1  # table rows of the picks; self.points are their indices in d
        self.points = np.arange(1, len(picks) + 1)
        self.aisle = table.column[rows]
        self.block = table.block[rows]
        self.y = table.y[rows]

    def _front_to_back(self, mask: np.ndarray) -> np.ndarray:
        """The points of ``mask``, front to back."""
        return self.points[mask][np.argsort(self.y[mask], kind="stable")]

    def _in(self, block: int, aisle: int) -> np.ndarray:
        """Points in a sub-aisle, front to back."""
        return self._front_to_back((self.block == block) & (self.aisle == aisle))

    def order(self, method: str) -> np.ndarray:
        """The whole walk's stops for ``method`` (Roodbergen & de Koster 2001, §3, steps 1-6)."""
        if method == "return":
            return self._return()
        xd = float(self.table.x[0])
        pitch = self.table.rect.aisle_pitch_m
        left, right = int(self.aisle.min()), int(self.aisle.max())
        start = left if abs(left * pitch - xd) <= abs(right * pitch - xd) else right
        farthest = int(self.block.max())
        # up the left pick aisle to the front cross aisle of the farthest block, picking on the way
        stops = [self._front_to_back((self.aisle == start) & (self.block < farthest))]
        x_here = start
        for b in range(farthest, -1, -1):
            aisles = {int(a) for a in self.aisle[self.block == b]}
            if b < farthest:
                aisles.discard(start)
            if not aisles:
                continue
            sweep = sorted(aisles)
            if abs(sweep[-1] - x_here) < abs(sweep[0] - x_here):
                sweep.reverse()
            stops.append(self._block(method, b, sweep, from_front=b == farthest))
            x_here = sweep[0] if method in ("largest-gap", "midpoint") else sweep[-1]
        return np.concatenate(stops)

    def _block(self, method: str, b: int, aisles: list[int], from_front: bool) -> np.ndarray:
        """Stops of one block, sweeping ``aisles`` in order.

        The farthest block is entered at its front cross aisle (``from_front``) and its first pick
        aisle is traversed; every nearer block is entered at its back cross aisle.
        """
        parts = [self._in(b, a) for a in aisles]
        heights = [self.y[p - 1] for p in parts]
        if method == "s-shape":
            up = 0 if from_front else 1
            return np.concatenate([p if i % 2 == up else p[::-1] for i, p in enumerate(parts)])
        if method == "combined":
            return self._combined(b, parts, heights, from_front)
        head: list[np.ndarray] = []
        if from_front:
            head, parts, heights = [parts[0]], parts[1:], heights[1:]
            if not parts:
                return head[0]
        front, back = b * self.block_m, (b + 1) * self.block_m
        upper, lower = [], []
        for p, ys in zip(parts[:-1], heights, strict=False):
            if method == "midpoint":
                cut = int(np.searchsorted(ys, (front + back) / 2))
            else:
                gaps = np.diff(np.concatenate(([front], ys, [back])))
                cut = int(np.argmax(gaps))  # picks before the largest gap come from the front
            lower.append(p[:cut])
            upper.append(p[cut:][::-1])
        walk = [*head, *upper, parts[-1][::-1], *lower[::-1]]
        return np.concatenate(walk)

    def _combined(
        self, b: int, parts: list[np.ndarray], heights: list[np.ndarray], from_front: bool
    ) -> np.ndarray:
        """Roodbergen–de Koster combined: per aisle traverse or return, by a two-state DP."""
        front, back = b * self.block_m, (b + 1) * self.block_m
        # cost[side], side 0 = at the front cross aisle, 1 = at the back; choice[i][side] = prev
        cost = [0.0, np.inf] if from_front else [np.inf, 0.0]
        choice: list[tuple[tuple[int, bool], tuple[int, bool]]] = []
        for ys in heights:
            ret = (2 * (ys[-1] - front), 2 * (back - ys[0]))
            options: list[tuple[int, bool]] = []
            new = [np.inf, np.inf]
            for side in (0, 1):
                stay = cost[side] + ret[side]
                cross = cost[1 - side] + self.block_m
                if stay <= cross:
                    new[side], best = stay, (side, False)
                else:
                    new[side], best = cross, (1 - side, True)
                options.append(best)
            choice.append((options[0], options[1]))
            cost = new
        side = 0 if cost[0] <= cost[1] + self.block_m else 1
        walk = []
        for p, opts in zip(reversed(parts), reversed(choice), strict=True):
            prev, _ = opts[side]
            # entered from prev side: from the front the picks come in ascending y
            walk.append(p if prev == 0 else p[::-1])
            side = prev
        return np.concatenate(walk[::-1])

    def _return(self) -> np.ndarray:
        """Hall's return policy per block, front block first, aisles in a snake."""
        stops = []
        for i, b in enumerate(sorted({int(b) for b in self.block})):
            aisles = sorted({int(a) for a in self.aisle[self.block == b]}, reverse=bool(i % 2))
            stops += [self._in(b, a) for a in aisles]
        return np.concatenate(stops)

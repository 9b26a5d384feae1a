"""Iterated local search for the picker's TSP on the shortest-path metric (the ``best`` fallback).

Multi-block and general-graph picking is a TSP over the depot and the picks once distances are
shortest walks (Theys, Bräysy, Dullaert & Raa 2010, EJOR 200(3), §3). The search is the 2-opt
and Or-opt of Johnson & McGeoch (1997), §3-§4, on nearest-neighbour candidate lists with
don't-look bits, iterated with double-bridge kicks (Martin, Otto & Felten 1991), compiled with
numba. Why: short walks where no exact method finishes in time; docs/picking.md#local-search.
"""

from __future__ import annotations

import time

import numba
import numpy as np

_NEIGHBOURS = 10  # candidate list length per city
_EPS = 1e-9  # a move must gain more than this
SEARCH_SECONDS = 0.05  # default time limit of improve_tour


@numba.njit(cache=True)
def _tour_length(d, tour):  # pragma: no cover - compiled
    m = tour.shape[0]
    total = 0.0
    for i in range(m):
        total += d[tour[i], tour[(i + 1) % m]]
    return total


@numba.njit(cache=True)
def _reverse(tour, pos, i, j):  # pragma: no cover - compiled
    """Reverse tour positions i..j (cyclically, i to j going forward)."""
    m = tour.shape[0]
    length = (j - i) % m + 1
    for k in range(length // 2):
        a = (i + k) % m
        b = (j - k) % m
        ta, tb = tour[a], tour[b]
        tour[a], tour[b] = tb, ta
        pos[tb], pos[ta] = a, b


@numba.njit(cache=True)
def _move_segment(tour, pos, i, seg_len, after, flip):  # pragma: no cover - compiled
    """Move ``seg_len`` cities starting at position i to just after city ``after``."""
    m = tour.shape[0]
    seg = np.empty(seg_len, dtype=tour.dtype)
    for k in range(seg_len):
        seg[k] = tour[(i + k) % m]
    if flip:
        seg = seg[::-1].copy()
    rest = np.empty(m - seg_len, dtype=tour.dtype)
    for k in range(m - seg_len):
        rest[k] = tour[(i + seg_len + k) % m]
    out = 0
    for k in range(m - seg_len):
        tour[out] = rest[k]
        out += 1
        if rest[k] == after:
            for s in range(seg_len):
                tour[out] = seg[s]
                out += 1
    for k in range(m):
        pos[tour[k]] = k


@numba.njit(cache=True)
def _improve_city(d, nbr, tour, pos, a):  # pragma: no cover - compiled
    """Apply the first improving 2-opt or Or-opt move around city ``a``; return its gain."""
    m = tour.shape[0]
    ia = pos[a]
    succ_a = tour[(ia + 1) % m]
    pred_a = tour[(ia - 1) % m]
    # 2-opt, a with its successor: new edges (a, c) and (succ a, succ c)
    for t in range(nbr.shape[1]):
        c = nbr[a, t]
        g1 = d[a, succ_a] - d[a, c]
        if g1 <= _EPS:
            break
        succ_c = tour[(pos[c] + 1) % m]
        if c == succ_a or succ_c == a:
            continue
        gain = g1 + d[c, succ_c] - d[succ_a, succ_c]
        if gain > _EPS:
            _reverse(tour, pos, (ia + 1) % m, pos[c])
            return gain
    # 2-opt, a with its predecessor: new edges (a, c) and (pred a, pred c)
    for t in range(nbr.shape[1]):
        c = nbr[a, t]
        g1 = d[pred_a, a] - d[a, c]
        if g1 <= _EPS:
            break
        pred_c = tour[(pos[c] - 1) % m]
        if c == pred_a or pred_c == a:
            continue
        gain = g1 + d[pred_c, c] - d[pred_a, pred_c]
        if gain > _EPS:
            _reverse(tour, pos, pos[c], (ia - 1) % m)
            return gain
    # Or-opt: move a segment of 1-3 cities starting or ending at a next to a neighbour c
    for seg_len in range(1, 4):
        if seg_len + 2 > m:
            break
        for backward in range(2):
            start = ia if backward == 0 else (ia - seg_len + 1) % m
            first = tour[start]
            last = tour[(start + seg_len - 1) % m]
            p = tour[(start - 1) % m]
            n = tour[(start + seg_len) % m]
            removed = d[p, first] + d[last, n] - d[p, n]
            if removed <= _EPS:
                continue
            for t in range(nbr.shape[1]):
                c = nbr[a, t]
                if d[a, c] >= removed:
                    break
                off = (pos[c] - start) % m
                if off < seg_len:
                    continue
                # insert between c and succ(c), or between pred(c) and c, with a next to c
                for side in range(2):
                    if side == 0:
                        u, v = c, tour[(pos[c] + 1) % m]
                    else:
                        u, v = tour[(pos[c] - 1) % m], c
                    if (pos[u] - start) % m < seg_len or (pos[v] - start) % m < seg_len:
                        continue
                    # orientation: u-first..last-v (keep) or u-last..first-v (flip)
                    add_keep = d[u, first] + d[last, v] - d[u, v]
                    add_flip = d[u, last] + d[first, v] - d[u, v]
                    if add_keep <= add_flip:
                        gain, flip = removed - add_keep, False
                    else:
                        gain, flip = removed - add_flip, True
                    if gain > _EPS:
                        _move_segment(tour, pos, start, seg_len, u, flip)
                        return gain
    return 0.0


@numba.njit(cache=True)
def _local_search(d, nbr, tour, pos, active):  # pragma: no cover - compiled
    """Improve until no city in the don't-look queue yields a move."""
    m = tour.shape[0]
    queue = np.empty(8 * m + 64, dtype=np.int64)
    inq = np.zeros(m, dtype=np.bool_)
    head, tail = 0, 0
    for a in active:
        if not inq[a]:
            queue[tail % queue.shape[0]] = a
            tail += 1
            inq[a] = True
    while head < tail:
        a = queue[head % queue.shape[0]]
        head += 1
        inq[a] = False
        if _improve_city(d, nbr, tour, pos, a) > 0.0:
            ia = pos[a]
            for off in range(-2, 3):
                b = tour[(ia + off) % m]
                if not inq[b] and tail - head < queue.shape[0]:
                    queue[tail % queue.shape[0]] = b
                    tail += 1
                    inq[b] = True
            for b in nbr[a, :4]:
                if not inq[b] and tail - head < queue.shape[0]:
                    queue[tail % queue.shape[0]] = b
                    tail += 1
                    inq[b] = True


@numba.njit(cache=True)
def _kick_and_search(d, nbr, tour, pos, best_len, kicks, seed):  # pragma: no cover - compiled
    """Run ``kicks`` double-bridge kicks; keep each result that is not longer. Return length."""
    np.random.seed(seed)
    m = tour.shape[0]
    cand = tour.copy()
    cpos = pos.copy()
    touched = np.empty(8, dtype=np.int64)
    for _ in range(kicks):
        cand[:] = tour
        # double bridge on a window of the tour: segments A B C D -> A C B D
        w = min(m, 4 + np.random.randint(0, 50))
        s = np.random.randint(0, m)
        cuts = np.sort(np.random.choice(w - 1, 3, replace=False) + 1)
        win = np.empty(w, dtype=np.int64)
        for k in range(w):
            win[k] = tour[(s + k) % m]
        new = np.concatenate((win[: cuts[0]], win[cuts[1] : cuts[2]], win[cuts[0] : cuts[1]]))
        new = np.concatenate((new, win[cuts[2] :]))
        for k in range(w):
            cand[(s + k) % m] = new[k]
        for k in range(m):
            cpos[cand[k]] = k
        ends = (0, cuts[0] - 1, cuts[0], cuts[1] - 1, cuts[1], cuts[2] - 1, cuts[2], w - 1)
        for k in range(8):
            touched[k] = win[ends[k]]
        _local_search(d, nbr, cand, cpos, touched)
        length = _tour_length(d, cand)
        if length <= best_len + _EPS:
            best_len = length
            tour[:] = cand
            pos[:] = cpos
    return best_len


def _candidates(d: np.ndarray) -> np.ndarray:
    """``nbr[a, t]``: the t-th nearest other city of a (ties broken by index)."""
    m = d.shape[0]
    k = min(_NEIGHBOURS, m - 1)
    masked = d + np.diag(np.full(m, np.inf))
    part = np.argpartition(masked, k - 1, axis=1)[:, :k] if k < m - 1 else np.argsort(masked)[:, :k]
    order = np.argsort(np.take_along_axis(masked, part, axis=1), axis=1, kind="stable")
    return np.ascontiguousarray(np.take_along_axis(part, order, axis=1))


def _nearest_neighbour(d: np.ndarray) -> np.ndarray:
    m = d.shape[0]
    tour = np.empty(m, dtype=np.int64)
    seen = np.zeros(m, dtype=bool)
    tour[0], seen[0] = 0, True
    for i in range(1, m):
        row = np.where(seen, np.inf, d[tour[i - 1]])
        tour[i] = int(np.argmin(row))
        seen[tour[i]] = True
    return tour


def improve_tour(
    d: np.ndarray,
    tour: np.ndarray | None = None,
    *,
    time_limit: float = SEARCH_SECONDS,
    max_kicks: int | None = None,
    seed: int = 1,
) -> np.ndarray:
    """A short closed tour over all cities of ``d``, starting at city 0.

    ``tour`` is an optional start (a permutation of all cities); the search stops after
    ``max_kicks`` kicks (default ``30 * cities``, at least 300) or ``time_limit`` seconds,
    whichever comes first, and returns the best tour rotated to start at city 0.
    """
    m = d.shape[0]
    if m <= 3:
        return np.arange(m, dtype=np.int64)
    deadline = time.perf_counter() + time_limit
    d = np.ascontiguousarray(d, dtype=np.float64)
    nbr = _candidates(d)
    cur = _nearest_neighbour(d) if tour is None else np.array(tour, dtype=np.int64)
    pos = np.empty(m, dtype=np.int64)
    pos[cur] = np.arange(m)
    _local_search(d, nbr, cur, pos, np.arange(m, dtype=np.int64))
    length = _tour_length(d, cur)
    if m > 4:
        budget = max(300, 30 * m) if max_kicks is None else max_kicks
        chunk = 50
        done = 0
        while done < budget and time.perf_counter() < deadline:
            step = min(chunk, budget - done)
            length = _kick_and_search(d, nbr, cur, pos, length, step, seed + done)
            done += step
    return np.roll(cur, -int(pos[0]))

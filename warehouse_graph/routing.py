"""Picking routes: one entry point over the textbook policies, the exact methods and ``best``.

``pick_route`` validates the pick list, looks up the distance matrix (depot first), lets the chosen
method order the stops, and measures the walk along shortest paths of the layout graph, as
contracts §5 defines ``length_m``. ``best`` is the exact method where it is known to finish
(:mod:`warehouse_graph.exact`), else the local search of :mod:`warehouse_graph.local_search`
started from the best textbook policy, so it is never longer than any of them
(docs/picking.md#routes).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dom.errors import InvalidInput
from warehouse_graph import exact, policies
from warehouse_graph.distances import RectDistances
from warehouse_graph.layout import Layout
from warehouse_graph.local_search import SEARCH_SECONDS, improve_tour

METHODS = ("s-shape", "return", "midpoint", "largest-gap", "combined", "optimal", "best")


@dataclass(frozen=True)
class Route:
    """A picking walk: stops in visiting order and the node path depot..depot (contracts §5)."""

    method: str
    length_m: float
    stops: tuple[str, ...]
    path: tuple[Hashable, ...]
    proven_optimal: bool
    solve_ms: float

    def to_json(self) -> dict[str, Any]:
        """The route as contracts §5's JSON object."""
        return {
            "method": self.method,
            "length_m": self.length_m,
            "stops": list(self.stops),
            "path": list(self.path),
            "proven_optimal": self.proven_optimal,
            "solve_ms": self.solve_ms,
        }


def validate_picks(layout: Layout, locations: Sequence[str]) -> np.ndarray:
    """Dense indices of a pick list; rejects an empty, duplicated or unknown list."""
    if isinstance(locations, str):
        raise InvalidInput("locations must be a list of location ids", column="locations")
    if len(locations) == 0:
        raise InvalidInput(
            "the pick list is empty", column="locations", fix="give at least one location id"
        )
    seen: set[str] = set()
    for loc in locations:
        if loc in seen:
            raise InvalidInput(
                f"location {loc!r} appears twice in the pick list",
                column="locations",
                fix="list each location once",
            )
        seen.add(loc)
    return layout.indices(locations)


def tour_length(d: np.ndarray, order: np.ndarray) -> float:
    """Length of the closed walk depot -> ``order`` (points of ``d``) -> depot."""
    walk = np.concatenate(([0], order, [0]))
    return float(d[walk[:-1], walk[1:]].sum())


def order_stops(
    layout: Layout,
    picks: np.ndarray,
    d: np.ndarray,
    method: str,
    time_limit: float | None = None,
) -> tuple[np.ndarray, bool]:
    """Visiting order (points 1..n of ``d``) for ``method``, and whether it is proven optimal."""
    table = layout.distances
    if method in policies.POLICIES:
        if not isinstance(table, RectDistances):
            raise InvalidInput(
                f"method {method!r} needs a rectangular layout; {layout.name!r} is a general graph",
                column="method",
                fix="use 'optimal' or 'best'",
            )
        return policies.policy_order(table, picks, method), False
    if method == "optimal" or exact.finishes_fast(table, len(picks)):
        found = exact.optimal_order(table, picks, d)
        if found is not None:
            return found[0], True
    seconds = time_limit or SEARCH_SECONDS
    if isinstance(table, RectDistances):
        starts = [policies.policy_order(table, picks, name) for name in policies.POLICIES]
        start = min(starts, key=lambda order: tour_length(d, order))
        tour = improve_tour(d, np.concatenate(([0], start)), time_limit=seconds)
    else:
        tour = improve_tour(d, time_limit=seconds)
        start = tour[1:]
    order = tour[1:]
    if tour_length(d, order) > tour_length(d, start):
        order = start
    return order, len(picks) <= 2


def pick_route(
    layout: Layout,
    locations: Sequence[str],
    method: str = "best",
    *,
    time_limit: float | None = None,
) -> Route:
    """The picking walk from the depot through ``locations`` and back, by ``method``.

    ``time_limit`` (seconds) bounds the local search of ``best`` and the exact search for layouts
    of three or more blocks; without it the defaults of those modules apply.
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise InvalidInput(
            f"unknown method {method!r}", column="method", fix=f"use one of {', '.join(METHODS)}"
        )
    if time_limit is not None and not time_limit > 0:
        raise InvalidInput(f"time_limit {time_limit!r} must be > 0", column="time_limit")
    picks = validate_picks(layout, locations)
    d = layout.distances.matrix(picks)
    order, proven = order_stops(layout, picks, d, method, time_limit)
    points = np.concatenate(([0], picks[order - 1] + 1, [0]))
    path = layout.distances.path(points)
    solve_ms = (time.perf_counter() - started) * 1000.0
    return Route(
        method=method,
        length_m=round(tour_length(d, order), 6),
        stops=tuple(locations[i - 1] for i in order),
        path=tuple(path),
        proven_optimal=proven,
        solve_ms=round(solve_ms, 3),
    )

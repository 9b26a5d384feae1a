"""Route pictures: the layout, the picks and the walk, stops numbered in walking order.

Drawn with matplotlib's Agg backend (no display needed), so pictures can be written from the CLI,
tests and the wave planner alike. Why: a route is checked at a glance on its layout
(docs/picking.md#routes).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from warehouse_graph.layout import Layout
from warehouse_graph.routing import Route


def draw_route(layout: Layout, route: Route, out: str | Path, *, title: str | None = None) -> Path:
    """Write a PNG of ``route`` on ``layout`` to ``out`` and return its path."""
    nodes = layout.graph.nodes
    segments = np.array(
        [
            [(nodes[u]["x"], nodes[u]["y"]), (nodes[v]["x"], nodes[v]["y"])]
            for u, v in layout.graph.edges
        ]
    )
    width = float(np.ptp(segments[..., 0])) if segments.size else 1.0
    height = float(np.ptp(segments[..., 1])) if segments.size else 1.0
    scale = 10.0 / max(width, height, 1.0)
    fig, ax = plt.subplots(figsize=(max(4.0, width * scale + 1.5), max(4.0, height * scale + 1.5)))
    for (x0, y0), (x1, y1) in segments:
        ax.plot((x0, x1), (y0, y1), color="0.85", linewidth=1.0, zorder=1)
    walk = np.array([(nodes[n]["x"], nodes[n]["y"]) for n in route.path])
    ax.plot(walk[:, 0], walk[:, 1], color="tab:blue", linewidth=1.6, alpha=0.8, zorder=2)
    stops = np.array(
        [
            (nodes[layout.location_nodes[i]]["x"], nodes[layout.location_nodes[i]]["y"])
            for i in layout.indices(list(route.stops))
        ]
    )
    ax.scatter(stops[:, 0], stops[:, 1], s=28, color="tab:orange", edgecolor="k", zorder=3)
    for k, (x, y) in enumerate(stops, start=1):
        ax.annotate(str(k), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7, zorder=4)
    depot = nodes[layout.depot]
    ax.scatter([depot["x"]], [depot["y"]], marker="s", s=70, color="tab:red", zorder=4)
    ax.annotate("depot", (depot["x"], depot["y"]), xytext=(4, -10), textcoords="offset points")
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(
        title or f"{layout.name}: {route.method}, {len(route.stops)} picks, {route.length_m:g} m"
    )
    out = Path(out)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return out

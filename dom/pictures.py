"""Pictures of plans for people: which nodes serve which destinations (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from dom.model import Network, Orders


def plot_service_map(
    network: Network, orders: Orders, assign: np.ndarray, path: str | Path, *, title: str = ""
) -> Path:
    """Draw destinations coloured by the node that serves them, lines from node to destination,
    unfilled destinations as grey crosses; nodes as labelled markers. Writes a PNG."""
    order_of_line = np.repeat(np.arange(orders.num_orders), np.diff(orders.line_ptr))
    shipped = assign >= 0
    pairs = np.unique(np.stack([order_of_line[shipped], assign[shipped]], axis=1), axis=0)
    unserved = np.setdiff1d(np.arange(orders.num_orders), pairs[:, 0])
    fig, ax = plt.subplots(figsize=(12, 7.5), dpi=110)
    # tab20 without its two greys, which would read as "unfilled"
    palette = plt.get_cmap("tab20")(np.delete(np.arange(20), [14, 15]))
    colours = palette[np.arange(network.num_nodes) % len(palette)]
    for f in range(network.num_nodes):
        served = pairs[pairs[:, 1] == f, 0]
        if len(served):
            xs = np.stack([np.full(len(served), network.lon[f]), orders.dest_lon[served]])
            ys = np.stack([np.full(len(served), network.lat[f]), orders.dest_lat[served]])
            ax.plot(xs, ys, color=colours[f], alpha=0.06, linewidth=0.6)
            ax.scatter(
                orders.dest_lon[served], orders.dest_lat[served], s=4, color=colours[f], alpha=0.6
            )
    if len(unserved):
        ax.scatter(
            orders.dest_lon[unserved], orders.dest_lat[unserved], s=10, marker="x",
            color="0.45", label=f"unfilled ({len(unserved)} orders)",
        )  # fmt: skip
    for f in range(network.num_nodes):
        marker = "s" if network.node_kinds[f] == "store" else "^"
        ax.scatter(
            network.lon[f], network.lat[f], s=150, marker=marker, color=colours[f],
            edgecolor="black", zorder=5,
        )  # fmt: skip
        ax.annotate(
            str(network.node_ids[f]), (network.lon[f], network.lat[f]), xytext=(6, 6),
            textcoords="offset points", fontsize=8, weight="bold", zorder=6,
        )  # fmt: skip
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title or "Which node serves which destination")
    ax.set_aspect(1.25)
    if len(unserved):
        ax.legend(loc="lower left")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path

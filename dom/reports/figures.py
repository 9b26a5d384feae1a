"""The report pages' figures, as inline SVG text (matplotlib, no display, nothing loaded from the
network): cost breakdown bars, cost above hindsight with intervals, the frontier, a map of which
node serves which destination, and the node-by-zone table of shipments."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from dom.reports.kpis import COST_PARTS

# tab20 without its two greys, which would read as "unfilled"
_PALETTE = plt.get_cmap("tab20")(np.delete(np.arange(20), [14, 15]))
_PART_COLOURS = ("#4e79a7", "#a0cbe8", "#f28e2b", "#b07aa1", "#e15759")
plt.rcParams.update({"svg.fonttype": "none", "font.size": 9})  # text stays text in the SVG


def svg(fig: plt.Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), closed afterwards."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def cost_bars(labels: Sequence[str], parts: Mapping[str, Sequence[float]], title: str) -> str:
    """Stacked bars of the cost parts (``COST_PARTS``) per label."""
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * len(labels) + 2), 3.4))
    bottom = np.zeros(len(labels))
    for part, colour in zip(COST_PARTS, _PART_COLOURS, strict=True):
        values = np.asarray(parts.get(part, np.zeros(len(labels))), np.float64)
        ax.bar(labels, values, bottom=bottom, color=colour, label=part.replace("_", " "))
        bottom += values
    ax.set_ylabel("cost per seed")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=60)
    ax.legend(fontsize=7, ncols=3, loc="lower left", bbox_to_anchor=(0, 1.08), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return svg(fig)


def interval_bars(
    labels: Sequence[str],
    mean: Sequence[float | None],
    low: Sequence[float | None],
    high: Sequence[float | None],
    title: str,
    ylabel: str,
    percent: bool = True,
) -> str:
    """Bars of means with their 95% intervals as error bars."""
    m = np.array([np.nan if v is None else v for v in mean], np.float64)
    lo = np.array([np.nan if v is None else v for v in low], np.float64)
    hi = np.array([np.nan if v is None else v for v in high], np.float64)
    scale = 100.0 if percent else 1.0
    err = np.vstack([np.nan_to_num(m - lo), np.nan_to_num(hi - m)]) * scale
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * len(labels) + 2), 3.2))
    ax.bar(labels, np.nan_to_num(m) * scale, yerr=err, capsize=3, color="#4e79a7")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=60)
    ax.grid(axis="y", alpha=0.3)
    return svg(fig)


def frontier(
    values: Sequence[float],
    spend: Sequence[float | None],
    on_time: Sequence[float | None],
    per_order: Sequence[float | None],
    parameter: str,
) -> str:
    """Spend against on-time rate and against shipments per order, one point per swept value."""
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4))
    for ax, ys, label in (
        (axes[0], on_time, "on-time rate"),
        (axes[1], per_order, "shipments per order"),
    ):
        x = np.array([np.nan if v is None else v for v in ys], np.float64)
        y = np.array([np.nan if v is None else v for v in spend], np.float64)
        ax.plot(x, y, "o-", color="#4e79a7")
        for xi, yi, v in zip(x, y, values, strict=True):
            ax.annotate(f"{v:g}", (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel("spend (shipping + handling) per seed")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Frontier of {parameter} (labels: its value)")
    return svg(fig)


def service_map(
    node_ids: Sequence[str],
    node_lat: np.ndarray,
    node_lon: np.ndarray,
    dest_lat: np.ndarray,
    dest_lon: np.ndarray,
    dest_node: np.ndarray,
    title: str,
) -> str:
    """Destinations coloured by the node serving them (-1: unfilled, grey crosses), nodes as
    labelled triangles. The dots are one raster layer, so the SVG stays small."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    colours = _PALETTE[np.arange(len(node_ids)) % len(_PALETTE)]
    served = dest_node >= 0
    ax.scatter(dest_lon[served], dest_lat[served], s=3, c=colours[dest_node[served]], alpha=0.6,
               rasterized=True, linewidths=0)  # fmt: skip
    if (~served).any():
        ax.scatter(dest_lon[~served], dest_lat[~served], s=6, marker="x", color="0.6",
                   rasterized=True, linewidths=0.6, label="unfilled")  # fmt: skip
        ax.legend(loc="lower left", fontsize=7)
    ax.scatter(node_lon, node_lat, s=90, marker="^", c=colours, edgecolors="black", zorder=5)
    for f, name in enumerate(node_ids):
        ax.annotate(name, (node_lon[f], node_lat[f]), xytext=(5, 5), textcoords="offset points",
                    fontsize=7, weight="bold", zorder=6)  # fmt: skip
    ax.set_aspect(1.25)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title)
    return svg(fig)

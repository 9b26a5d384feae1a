"""``dom report PLAN_DIR``: the page of one plan (contracts §4) from the components of the study
report: its KPIs, the cost breakdown, shipments by node and zone, and with the network and the
orders, the map of who serves whom."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dom.model import Network, Orders
from dom.reports import figures
from dom.reports.kpis import COST_PARTS, plan_kpis, read_plan
from dom.reports.page import Section, Table, money, number, render_page, share


def plan_sections(
    folder: Path, network: Network | None = None, orders: Orders | None = None
) -> list[Section]:
    shipments, lines, summary = read_plan(folder)
    kpis = plan_kpis(shipments, lines, [summary])
    forms = {"fill_rate": share, "on_time_rate": share, "shipments_per_order": number,
             "mean_zone": number}  # fmt: skip
    rows = []
    for key, value in kpis.items():
        form = forms.get(key)
        if form is not None:
            shown = form(None if value is None else float(value))
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = money(None if value is None else float(value))
        rows.append([key.replace("_", " "), shown])
    gap = summary.get("gap")
    rows.append(["gap", "" if gap is None else share(float(gap), 3)])
    rows.append(["method", str(summary.get("method", ""))])
    bars = figures.cost_bars(
        [str(summary.get("method", "plan"))],
        {p: [float(kpis[p] or 0.0)] for p in COST_PARTS},
        "Cost by part",
    )
    sections = [Section("KPIs", "", [Table(["KPI", "value"], rows)], [bars])]
    if len(shipments):
        counts = pd.crosstab(shipments["fc_id"], shipments["zone"])
        zone_rows = [[str(node), *[f"{int(v):,}" for v in row]] for node, row in counts.iterrows()]
        columns = ["node", *[f"zone {z}" for z in counts.columns]]
        sections.append(
            Section(
                "Shipments by node and zone",
                "How far each node ships.",
                [Table(columns, zone_rows)],
            )
        )
    if network is not None and orders is not None:
        index = {o: i for i, o in enumerate(orders.order_ids.astype(str).tolist())}
        node_of = {f: i for i, f in enumerate(network.node_ids.astype(str).tolist())}
        dest_node = np.full(orders.num_orders, -1, np.int64)
        served = lines[lines["fc_id"].astype(str) != ""]
        for order_id, fc in zip(served["order_id"].astype(str), served["fc_id"].astype(str),
                                strict=True):  # fmt: skip
            if order_id in index and fc in node_of:
                dest_node[index[order_id]] = node_of[fc]
        fig = figures.service_map(
            network.node_ids.astype(str).tolist(), network.lat, network.lon, orders.dest_lat,
            orders.dest_lon, dest_node, "Who serves whom",
        )  # fmt: skip
        sections.append(Section("Who serves whom", "Destinations by the node that ships to them.",
                                figures=[fig]))  # fmt: skip
    return sections


def write_plan_report(
    folder: str | Path,
    out: str | Path | None = None,
    network: Network | None = None,
    orders: Orders | None = None,
) -> Path:
    """Write the plan's page (default ``PLAN_DIR/report.html``)."""
    folder = Path(folder)
    path = Path(out) if out is not None else folder / "report.html"
    sections = plan_sections(folder, network, orders)
    text = render_page(f"Plan {folder.name}", f"{folder}", sections)
    path.write_text(text, encoding="utf-8")
    return path

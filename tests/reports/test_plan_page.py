"""``dom report PLAN_DIR``: the plan's page from the study report's components."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TINY = Path(__file__).parents[1] / "data" / "tiny"


def _dom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_dom_report_writes_a_self_contained_page(tmp_path: Path) -> None:
    """KPIs, cost by part, shipments by node and zone, and the map; nothing loaded from outside."""
    out = tmp_path / "plan.html"
    done = _dom("report", str(TINY / "plan"), "--out", str(out), "--network", str(TINY),
                "--orders", str(TINY / "orders.csv"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    for title in ("KPIs", "Shipments by node and zone", "Who serves whom"):
        assert f"<h2>{title}</h2>" in page
    assert page.count("<svg") >= 2
    assert "src=" not in page and "<script" not in page and "<link" not in page


def test_dom_report_of_a_folder_without_a_plan_exits_2(tmp_path: Path) -> None:
    done = _dom("report", str(tmp_path))
    assert done.returncode == 2 and "shipments.csv" in done.stderr

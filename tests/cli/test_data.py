"""``dom data generate``: writes a loadable bundle; bad input exits 2 with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dom.io import load_network, load_orders


def _dom(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``dom`` command line in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_generate_writes_a_loadable_bundle(tmp_path: Path) -> None:
    """The command writes every bundle file and orders.csv, and says what it wrote."""
    out = tmp_path / "gen"
    sizes = "--nodes 16 --skus 300 --orders 250 --seed 4 --stock-cover 0.8 --capacity-cover 1"
    run = _dom("data", "generate", "--out", str(out), *sizes.split())
    assert run.returncode == 0, run.stderr
    assert "16 nodes, 300 SKUs" in run.stdout and "250 orders" in run.stdout
    network = load_network(out)
    assert network.num_nodes == 16 and load_orders(out / "orders.csv", network).num_orders == 250


def test_bad_option_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """A non-positive cover is one stderr line naming the option and the fix; no folder appears."""
    out = tmp_path / "gen"
    run = _dom("data", "generate", "--out", str(out), "--stock-cover", "-1")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert "stock_cover=-1.0" in run.stderr and "--stock-cover" in run.stderr
    assert not out.exists()

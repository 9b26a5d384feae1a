"""``dom pick-waves``: wave files that recompute from themselves, bad input named, none left."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cli.waves import register
from dom.errors import DomError, InvalidInput, UnknownLocation, UnknownNode, UnknownSku
from tests.warehouse.plans import DAY, sample_day, walk_of, write_plan

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"


def run_cli(args: list[str]) -> tuple[int, str, BaseException | None]:
    """Invoke ``pick-waves`` on an app that has only this feature registered."""
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["pick-waves", *args])
    return result.exit_code, result.output, result.exception


def test_cli_writes_waves_that_recompute_from_the_files(tmp_path: Path) -> None:
    """The files agree: waves walk their routes, orders add up to waves, one PNG per wave."""
    plan_dir, slotting_csv = sample_day(tmp_path, 60, seed=2)
    layout_json = tmp_path / "layout.json"
    layout_json.write_text(json.dumps(DAY.to_spec()))
    out = tmp_path / "out"
    code, output, exc = run_cli(
        [str(plan_dir), "--node", "FC", "--layout", str(layout_json), "--slotting",
         str(slotting_csv), "--cart-units", "30", "--cart-orders", "8", "--out", str(out),
         "--png-dir", str(tmp_path / "png")]
    )  # fmt: skip
    assert code == 0, (output, exc)
    assert "60 orders in" in output
    doc = json.loads((out / "waves.json").read_text())
    waves = pd.read_csv(out / "waves.csv")
    orders = pd.read_csv(out / "orders.csv")
    picks = pd.read_csv(out / "picks.csv")
    assert len(orders) == doc["num_orders"] == 60
    assert len(list((tmp_path / "png").glob("W*.png"))) == doc["num_waves"] == len(waves)
    assert waves["length_m"].sum() == pytest.approx(doc["total_walk_m"])
    assert orders["solo_length_m"].sum() == pytest.approx(doc["solo_walk_m"])
    per_wave = orders.groupby("wave_id")["solo_length_m"].sum()
    assert np.allclose(per_wave.loc[waves["wave_id"]].to_numpy(), waves["solo_length_m"])
    for wave in doc["waves"]:
        route = wave["route"]
        assert route["length_m"] == pytest.approx(walk_of(DAY, route["stops"]))
        mine = picks[picks["wave_id"] == wave["wave_id"]]
        assert sorted(set(mine["location"])) == sorted(route["stops"])
        assert list(mine["stop"]) == sorted(mine["stop"])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"--node": "RNO"}, UnknownNode, "no lines for node 'RNO' .nodes with lines: EWR."),
        ({"--node": "NOPE"}, UnknownNode, "node 'NOPE' is not in the network"),
        ({"--cart-units": "0"}, InvalidInput, "cart units must be a whole number of at least 1"),
        ({"--method": "fastest"}, InvalidInput, "unknown routing method 'fastest'"),
        ({"slotting": "sku,location\nTEE,A01-B1-S01\nSOCK,A01-B1-S02\n"}, UnknownSku, "'SOCK'"),
        ({"slotting": "sku,location\nTEE,A77-B1-S01\n"}, UnknownLocation, "'A77-B1-S01'"),
        ({"slotting": "sku,location\nTEE,A01-B1-S01\n"}, UnknownSku, "'MUG' has no location"),
    ],
)
def test_cli_bad_input_names_the_value_and_writes_nothing(
    tmp_path: Path, change: dict[str, str], error: type[DomError], match: str
) -> None:
    """Bad input raises a DomError naming the value (exit status 2) and writes no --out."""
    plan_dir = write_plan(tmp_path / "plan", [("A1", "TEE", 2, "EWR"), ("B2", "GIFT", 1, "EWR")])
    slotting = tmp_path / "slotting.csv"
    slotting.write_text(change.pop("slotting", "sku,location\nTEE,A01-B1-S01\nMUG,A02-B1-S04\n"))
    layout_json = tmp_path / "layout.json"
    layout_json.write_text(json.dumps(DAY.to_spec()))
    options = {
        "--node": "EWR", "--layout": str(layout_json), "--slotting": str(slotting),
        "--cart-units": "10", "--cart-orders": "4", "--out": str(tmp_path / "out"),
        "--network": str(TINY),
    } | change  # fmt: skip
    code, output, exc = run_cli([str(plan_dir), *[x for kv in options.items() for x in kv]])
    assert isinstance(exc, error), (code, output, exc)
    assert re.search(match, str(exc))
    assert not (tmp_path / "out").exists()

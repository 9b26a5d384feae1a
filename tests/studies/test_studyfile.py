"""Bad study files: each names the key and the fix, and dom simulate exits 2 writing nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dom.studies import InvalidStudy, load_study
from tests.studies.conftest import write_study

GOOD = """
network: network
demand: {orders_per_day: 100}
scenarios:
  base: {}
"""

BAD = [
    ("unknown node", "scenarios:\n  x: {nodes: {FC-NOPE: {enabled: false}}}",
     "scenarios.x.nodes.FC-NOPE", "fcs.csv"),
    ("negative multiplier", "scenarios:\n  x: {rates: {multiply: -1.1}}",
     "scenarios.x.rates.multiply", "cannot be negative"),
    ("unknown sweep parameter",
     "sweep: {parameter: policy.late_penalty, values: [1, 2]}",
     "sweep.parameter", "late_penalty_per_day"),
    ("unknown key", "scenarios:\n  x: {nodez: {}}", "scenarios.x.nodez", "nodes"),
    ("missing file", "orders: no-such.csv", "orders", "relative to the study file"),
    ("unknown mode", "modes: [online, hindsite]", "modes.1", "hindsight"),
    ("unknown service", "scenarios:\n  x: {rates: {service: GRUND, multiply: 1.1}}",
     "scenarios.x.rates.service", "GROUND"),
    ("negative demand", "scenarios:\n  x: {demand: {multiply: -0.5}}",
     "scenarios.x.demand.multiply", "0 or more"),
]  # fmt: skip


def _text(extra: str) -> str:
    lines = GOOD.strip().splitlines()
    key = extra.split(":", 1)[0]
    kept = [line for line in lines if not line.startswith(key + ":")]
    if key == "scenarios":
        kept = [line for line in kept if not line.startswith("  base")]
    return "\n".join(kept) + "\n" + extra + "\n"


@pytest.mark.parametrize(("case", "extra", "key", "fix"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_study_names_the_key_and_the_fix(
    small_network: Path, tmp_path: Path, case: str, extra: str, key: str, fix: str
) -> None:
    """InvalidStudy carries the dotted key and a fix that says what to write."""
    path = write_study(tmp_path, small_network, _text(extra))
    with pytest.raises(InvalidStudy) as caught:
        load_study(path)
    assert caught.value.column == key, str(caught.value)
    assert fix in str(caught.value), str(caught.value)
    assert f"key '{key}'" in str(caught.value)


def test_the_good_study_loads(small_network: Path, tmp_path: Path) -> None:
    """The base of the cases above is valid; hindsight is always among the modes."""
    study, network = load_study(write_study(tmp_path, small_network, GOOD))
    assert study.modes[-1] == "hindsight" and study.scenarios[0].name == "base"
    assert network.num_nodes == 5


@pytest.mark.parametrize("case", [BAD[0], BAD[1], BAD[2], BAD[4]], ids=lambda b: b[0])
def test_dom_simulate_exits_2_and_writes_nothing(
    small_network: Path, tmp_path: Path, case: tuple[str, str, str, str]
) -> None:
    """The CLI prints one line naming the key and the fix; --out is not created."""
    path = write_study(tmp_path, small_network, _text(case[1]))
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "simulate", str(path), "--out",
         str(out), "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"key '{case[2]}'" in done.stderr and "fix:" in done.stderr
    assert not out.exists()

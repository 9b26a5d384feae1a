"""A small generated network and a study over it that runs in seconds, shared by the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dom.generate import GeneratorParams, generate

STUDY = """
name: small
network: network
demand: {{orders_per_day: 150}}
days: 2
seeds: [1, 2]
replenishment: {{lead_days: 1}}
modes: [online, online_bid, batch, batch_bid, greedy]
batch: {{wave_hours: 6}}
pricing: {{resolves_per_day: 3, forecasts: 2, passes: 8}}
work_limit: 30000
scenarios:
  base: {{}}
  close: {{nodes: {{{closed}: {{enabled: false}}}}}}
  ground-plus-10: {{rates: {{service: GROUND, multiply: 1.1}}}}
  surge: {{demand: {{multiply: 1.3}}}}
  move: {{inventory: {{move: [{{from: {closed}, to: {other}, share: 0.5}}]}}}}
  promise-2: {{promise: {{promised_days: 2}}}}
sweep: {{scenario: base, mode: hindsight, parameter: policy.late_penalty_per_day, values: [0, 20]}}
"""


@pytest.fixture(scope="session")
def small_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5-node, 80-SKU bundle drawn by the generator."""
    folder = tmp_path_factory.mktemp("small")
    generate(folder / "network", GeneratorParams(nodes=5, skus=80, orders=250, seed=3))
    return folder / "network"


def write_study(folder: Path, network: Path, text: str | None = None) -> Path:
    """The small study (or ``text``) in ``folder`` beside a copy of ``network``."""
    shutil.copytree(network, folder / "network", dirs_exist_ok=True)
    import pandas as pd

    ids = pd.read_csv(network / "fcs.csv")["fc_id"].tolist()
    path = folder / "study.yaml"
    path.write_text(text if text is not None else STUDY.format(closed=ids[0], other=ids[1]))
    return path


@pytest.fixture(scope="session")
def small_study(small_network: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_study(tmp_path_factory.mktemp("study"), small_network)


@pytest.fixture(scope="session")
def study_out(small_study: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small study run once in this process."""
    from dom.studies import load_study, simulate

    study, _ = load_study(small_study)
    out = tmp_path_factory.mktemp("out") / "study"
    simulate(study, out)
    return out

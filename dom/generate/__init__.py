"""Synthetic network bundles and days of orders on real US geography (contracts §1–§2).

Method: every number is drawn from a named distribution, one seeded numpy generator per part, so
a seed fixes the whole instance. Destinations are real US ZIP codes weighted by population
(``geography``), nodes real cities (``sites``), the catalogue Zipf-popular (``catalogue``), the
day's orders vectorised draws (``orders``), stock and capacity scaled to the day's demand
(``inventory``), the rate card shaped like published carrier tables (``carriers``).
docs/data.md documents each distribution.

    from dom.generate import GeneratorParams, generate
    generate("out", GeneratorParams(nodes=50, skus=10_000, orders=100_000, seed=7))
"""

from __future__ import annotations

from dom.generate.bundle import GeneratedBundle, make_bundle
from dom.generate.carriers import GROUND_TRANSIT, MAX_RATE_LB, POLICY, ZONE_BANDS
from dom.generate.geography import US_POPULATION, ZipWeights, population_weights
from dom.generate.params import (
    DEFAULT_CAPACITY_COVER,
    DEFAULT_STOCK_COVER,
    SAMPLE_NODES,
    SAMPLE_ORDERS,
    SAMPLE_SEED,
    SAMPLE_SKUS,
    GeneratorParams,
)
from dom.generate.sites import CURATED, Site
from dom.generate.write import generate, write_bundle, write_sample

__all__ = [
    "CURATED",
    "DEFAULT_CAPACITY_COVER",
    "DEFAULT_STOCK_COVER",
    "GROUND_TRANSIT",
    "MAX_RATE_LB",
    "POLICY",
    "SAMPLE_NODES",
    "SAMPLE_ORDERS",
    "SAMPLE_SEED",
    "SAMPLE_SKUS",
    "US_POPULATION",
    "ZONE_BANDS",
    "GeneratedBundle",
    "GeneratorParams",
    "Site",
    "ZipWeights",
    "generate",
    "make_bundle",
    "population_weights",
    "write_bundle",
    "write_sample",
]

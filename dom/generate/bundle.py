"""A whole generated instance in memory: the bundle's tables (contracts §1) and its orders (§2).

Method: one seeded numpy generator per part (sites, catalogue, orders, stock) spawned from
``numpy.random.SeedSequence(seed)``, so a seed fixes the whole instance and changing one part's
draws never shifts another's. docs/data.md describes each part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dom.generate.carriers import POLICY, rates_frame, services_frame, zones_frame
from dom.generate.catalogue import draw_catalogue
from dom.generate.inventory import capacities, draw_inventory
from dom.generate.orders import draw_orders, expected_share
from dom.generate.params import GeneratorParams
from dom.generate.sites import fcs_frame, pick_sites


@dataclass(frozen=True)
class GeneratedBundle:
    """A generated bundle (one DataFrame per file of contracts §1) and its day of orders (§2)."""

    fcs: pd.DataFrame
    skus: pd.DataFrame
    kits: pd.DataFrame
    inventory: pd.DataFrame
    zones: pd.DataFrame
    services: pd.DataFrame
    rates: pd.DataFrame
    policy: dict[str, float | int | None]
    orders: pd.DataFrame


def make_bundle(params: GeneratorParams) -> GeneratedBundle:
    """Draw a whole instance in memory; deterministic for ``params``."""
    site_rng, sku_rng, order_rng, stock_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(params.seed).spawn(4)
    )
    sites = pick_sites(params.nodes, site_rng)
    catalogue = draw_catalogue(params.skus, sku_rng)
    day = draw_orders(params.orders, catalogue, order_rng)
    inventory = draw_inventory(
        sites,
        catalogue.sku_ids,
        expected_share(catalogue),
        day.demand,
        params.stock_cover,
        stock_rng,
    )
    capacity = capacities([s.size for s in sites], params.capacity_cover * float(day.demand.sum()))
    return GeneratedBundle(
        fcs=fcs_frame(sites, capacity),
        skus=catalogue.skus_frame(),
        kits=catalogue.kits_frame(),
        inventory=inventory,
        zones=zones_frame(),
        services=services_frame(),
        rates=rates_frame(),
        policy=dict(POLICY),
        orders=day.orders,
    )

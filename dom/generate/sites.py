"""Fulfillment nodes: twelve curated sites, then US cities where people are unserved.

Method: a greedy cover of the population, scoring metros by size and distance to the nearest
chosen node; added warehouses are sized by the population nearest to them. docs/data.md
("Nodes") gives every number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dom.generate.geography import city_table, nearest_population_share, unit_vectors
from dom.geo import EARTH_RADIUS_MI, haversine_miles

_METRO_MI = 60.0  # a metro: the cities within this distance
_MIN_GAP_MI = 50.0  # nodes closer than this would serve the same people
_FULL_SCORE_MI = 300.0  # beyond this distance from every node a metro scores in full
_STORE_EVERY = 4  # every fourth added node is a store


@dataclass(frozen=True)
class Site:
    """A fulfillment node before it becomes a row of ``fcs.csv``."""

    fc_id: str
    name: str
    kind: str
    lat: float
    lon: float
    size: float  # relative capacity and stock weight
    handling_cost: float
    processing_days: int


# The sample network, in the order nodes are taken when fewer than 12 are asked for (a store comes
# in at six nodes). Sizes make FC-EWR (the dense North-East) and FC-SEA tight; stores are small.
CURATED: tuple[Site, ...] = (
    Site("FC-ONT", "Ontario, CA", "warehouse", 34.0633, -117.6509, 1.00, 2.75, 0),
    Site("FC-EWR", "Edison, NJ", "warehouse", 40.5187, -74.4121, 1.00, 3.10, 0),
    Site("FC-DFW", "Dallas, TX", "warehouse", 32.7767, -96.7970, 1.20, 2.60, 0),
    Site("FC-ORD", "Joliet, IL", "warehouse", 41.5250, -88.0817, 1.05, 2.70, 0),
    Site("FC-ATL", "Atlanta, GA", "warehouse", 33.7490, -84.3880, 1.10, 2.65, 0),
    Site("ST-NYC", "New York, NY", "store", 40.7128, -74.0060, 0.08, 6.50, 1),
    Site("FC-SEA", "Kent, WA", "warehouse", 47.3809, -122.2348, 0.45, 2.95, 1),
    Site("FC-CMH", "Columbus, OH", "warehouse", 39.9612, -82.9988, 1.00, 2.55, 1),
    Site("FC-RNO", "Reno, NV", "warehouse", 39.5296, -119.8138, 0.90, 2.50, 1),
    Site("ST-LAX", "Los Angeles, CA", "store", 34.0522, -118.2437, 0.08, 6.25, 1),
    Site("FC-MEM", "Memphis, TN", "warehouse", 35.1495, -90.0490, 1.30, 2.40, 1),
    Site("ST-MIA", "Miami, FL", "store", 25.7617, -80.1918, 0.06, 6.00, 1),
)


def max_sites() -> int:
    """The most nodes :func:`pick_sites` can place: the curated ones and every US city."""
    return len(city_table().name) + len(CURATED)


def pick_sites(n: int, rng: np.random.Generator) -> list[Site]:
    """The first ``n`` curated sites, then US cities chosen greedily where people are unserved."""
    sites = list(CURATED[:n])
    if n <= len(CURATED):
        return sites
    names, states, clat, clon, cpop = city_table()
    cv = unit_vectors(clat, clon)
    metro_cos = np.cos(_METRO_MI / EARTH_RADIUS_MI)
    metro = (cv @ cv.T >= metro_cos) @ cpop  # [city]
    nearest = np.full(len(cpop), np.inf)
    for site in sites:
        nearest = np.minimum(nearest, haversine_miles(clat, clon, site.lat, site.lon))
    taken = np.zeros(len(cpop), dtype=bool)
    used_ids = {site.fc_id for site in sites}
    while len(sites) < n:
        free = ~taken & (nearest >= _MIN_GAP_MI)
        if not free.any():  # every city is within 50 miles of a site: fill in anywhere
            free = ~taken
        score = np.where(free, metro * np.minimum(1.0, nearest / _FULL_SCORE_MI) ** 2 + 1e-9, -1.0)
        best = int(np.argmax(score))
        # the metro's largest city, not the suburb on its edge that scores highest
        metro_cities = free & (cv @ cv[best] >= metro_cos)
        c = int(np.argmax(np.where(metro_cities, cpop, -1.0)))
        taken[c] = True
        store = (len(sites) - len(CURATED)) % _STORE_EVERY == _STORE_EVERY - 1
        site = _city_site(names[c], states[c], clat[c], clon[c], store, rng)
        if site.fc_id in used_ids:
            site = dataclasses.replace(site, fc_id=f"{site.fc_id}-{len(sites)}")
        used_ids.add(site.fc_id)
        sites.append(site)
        nearest = np.minimum(nearest, haversine_miles(clat, clon, float(clat[c]), float(clon[c])))
    return _size_by_population(sites)


def _city_site(
    name: str,
    state: str,
    lat: float,
    lon: float,
    store: bool,
    rng: np.random.Generator,
) -> Site:
    """A node in a city; its size, handling cost and processing days drawn by its kind."""
    prefix = "ST" if store else "FC"
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in str(name)).upper().split())
    return Site(
        f"{prefix}-{slug}-{state}",
        f"{name}, {state}",
        "store" if store else "warehouse",
        round(float(lat), 4),
        round(float(lon), 4),
        round(float(rng.uniform(0.05, 0.10) if store else rng.lognormal(0.0, 0.25)), 3),
        round(float(rng.uniform(5.5, 7.0) if store else rng.uniform(2.4, 3.2)), 2),
        1 if store or rng.random() < 0.4 else 0,
    )


def _size_by_population(sites: list[Site]) -> list[Site]:
    """Added warehouses scaled by their share of the population nearest to a warehouse over the
    average share (clipped to 0.4–2.5): networks build big where people are."""
    warehouses = [i for i, s in enumerate(sites) if s.kind == "warehouse"]
    share = nearest_population_share(
        np.array([sites[i].lat for i in warehouses]), np.array([sites[i].lon for i in warehouses])
    )
    scale = np.clip(share * len(warehouses), 0.4, 2.5)
    for i, k in zip(warehouses, scale, strict=True):
        if i >= len(CURATED):
            sites[i] = dataclasses.replace(sites[i], size=round(sites[i].size * float(k), 3))
    return sites


def fcs_frame(sites: list[Site], capacity: np.ndarray) -> pd.DataFrame:
    """``fcs.csv`` (contracts §1): one row per site with its capacity in units."""
    return pd.DataFrame(
        {
            "fc_id": [s.fc_id for s in sites],
            "lat": [s.lat for s in sites],
            "lon": [s.lon for s in sites],
            "capacity_units": capacity,
            "handling_cost": [s.handling_cost for s in sites],
            "processing_days": [s.processing_days for s in sites],
            "name": [s.name for s in sites],
            "kind": [s.kind for s in sites],
            "enabled": "true",
        }
    )

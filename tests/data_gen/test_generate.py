"""The instance generator: reproducible for a seed, valid per contracts §1–§2, realistic shapes."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dom import generate as gen
from dom.errors import InvalidInput
from dom.io import load_network, load_orders

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
BUNDLE_FILES = [
    "fcs.csv",
    "skus.csv",
    "kits.csv",
    "inventory.csv",
    "zones.csv",
    "services.csv",
    "rates.csv",
    "policy.yaml",
]
ORDER_COLUMNS = [
    "order_id",
    "sku",
    "qty",
    "promised_days",
    "dest_zip",
    "dest_lat",
    "dest_lon",
    "ship_complete",
    "channel",
    "created_at",
]


def _read(path: Path) -> pd.DataFrame:
    """A CSV as text, empty cells as empty strings (the way ZIP codes must be read)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _check_bundle(network_dir: Path, orders_path: Path) -> None:
    """Assert the files follow contracts §1–§2 and that the project's loader accepts them."""
    fcs = _read(network_dir / "fcs.csv")
    assert list(fcs.columns[:6]) == [
        "fc_id",
        "lat",
        "lon",
        "capacity_units",
        "handling_cost",
        "processing_days",
    ]
    assert fcs["fc_id"].is_unique
    assert set(fcs["kind"]) <= {"warehouse", "store"}
    assert (fcs["capacity_units"].astype(int) >= 1).all()
    skus = _read(network_dir / "skus.csv")
    assert list(skus.columns) == ["sku", "weight_lb"]
    assert skus["sku"].is_unique and (skus["weight_lb"].astype(float) > 0).all()
    kits = _read(network_dir / "kits.csv")
    assert list(kits.columns) == ["kit_sku", "component_sku", "qty"]
    assert not set(kits["kit_sku"]) & set(skus["sku"])
    assert set(kits["component_sku"]) <= set(skus["sku"])
    assert kits.groupby("kit_sku").size().between(2, 4).all()
    inv = _read(network_dir / "inventory.csv")
    assert list(inv.columns) == ["fc_id", "sku", "on_hand", "safety_stock", "reorder_point"]
    assert not inv.duplicated(["fc_id", "sku"]).any()
    assert set(inv["fc_id"]) <= set(fcs["fc_id"]) and set(inv["sku"]) <= set(skus["sku"])
    for col in ("on_hand", "safety_stock", "reorder_point"):
        assert (inv[col].astype(int) >= 0).all()
    policy = yaml.safe_load((network_dir / "policy.yaml").read_text())
    assert policy == gen.POLICY

    orders = _read(orders_path)
    assert list(orders.columns) == ORDER_COLUMNS
    assert set(orders["sku"]) <= set(skus["sku"]) | set(kits["kit_sku"])
    assert orders["qty"].str.fullmatch(r"[1-9]\d*").all()
    zips = orders["dest_zip"]
    assert (zips.str.fullmatch(r"\d{5}") | ((zips == "") & (orders["dest_lat"] != ""))).all()
    assert not orders.duplicated(["order_id", "sku"]).any()

    network = load_network(network_dir)
    loaded = load_orders(orders_path, network)
    assert loaded.num_orders == orders["order_id"].nunique()
    assert loaded.num_lines == len(orders)


@pytest.fixture(scope="module")
def sample() -> gen.Instance:
    """The sample instance, drawn in memory."""
    return gen.make_instance(
        nodes=gen.SAMPLE_NODES, skus=gen.SAMPLE_SKUS, orders=gen.SAMPLE_ORDERS, seed=gen.SAMPLE_SEED
    )


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated instance with more nodes than the curated twelve, written to disk."""
    out = tmp_path_factory.mktemp("wide")
    gen.generate(out, nodes=30, skus=600, orders=1500, seed=5)
    return out


def _demand_units(inst: gen.Instance) -> int:
    """Demanded units with kit lines counted as their component units."""
    per_kit = inst.kits.groupby("kit_sku")["qty"].sum()
    units = inst.orders["qty"] * inst.orders["sku"].map(per_kit).fillna(1)
    return int(units.sum())


def test_sample_on_disk_is_the_generator_output(tmp_path: Path) -> None:
    """data/sample/ is exactly what write_sample() produces: reproducible, not hand-edited."""
    gen.write_sample(tmp_path)
    for name in BUNDLE_FILES:
        assert (tmp_path / "network" / name).read_bytes() == (
            SAMPLE / "network" / name
        ).read_bytes(), name
    assert (tmp_path / "orders.csv").read_bytes() == (SAMPLE / "orders.csv").read_bytes()


def test_sample_follows_the_contracts() -> None:
    """The committed sample bundle and orders pass the contract checks and the loader."""
    _check_bundle(SAMPLE / "network", SAMPLE / "orders.csv")


def test_wide_network_follows_the_contracts(wide: Path) -> None:
    """A 30-node generated instance passes the contract checks and the loader."""
    _check_bundle(wide, wide / "orders.csv")


def test_same_seed_same_bytes_other_seed_other_orders(tmp_path: Path) -> None:
    """Two runs with one seed write identical files; another seed draws other orders."""
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        gen.generate(tmp_path / name, nodes=14, skus=300, orders=400, seed=seed)
    for name in [*BUNDLE_FILES, "orders.csv"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "orders.csv").read_bytes() != (
        tmp_path / "c" / "orders.csv"
    ).read_bytes()


@settings(max_examples=12, deadline=None)
@given(
    nodes=st.integers(1, 20),
    skus=st.integers(1, 450),
    orders=st.integers(1, 60),
    seed=st.integers(0, 2**32),
    stock_cover=st.floats(0.05, 3.0),
    capacity_cover=st.floats(0.05, 3.0),
)
def test_any_parameters_give_a_valid_instance(
    nodes: int, skus: int, orders: int, seed: int, stock_cover: float, capacity_cover: float
) -> None:
    """Every size and cover gives a bundle the loader accepts, with the asked-for counts."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        inst = gen.generate(
            out,
            nodes=nodes,
            skus=skus,
            orders=orders,
            seed=seed,
            stock_cover=stock_cover,
            capacity_cover=capacity_cover,
        )
        _check_bundle(out, out / "orders.csv")
    assert len(inst.fcs) == nodes and len(inst.skus) == skus
    assert inst.orders["order_id"].nunique() == orders


@settings(max_examples=8, deadline=None)
@given(stock_cover=st.floats(0.2, 2.5), capacity_cover=st.floats(0.2, 2.5))
def test_covers_are_exact(stock_cover: float, capacity_cover: float) -> None:
    """Available units and capacity total the covers times demanded units (rounded)."""
    inst = gen.make_instance(
        nodes=8,
        skus=500,
        orders=800,
        seed=1,
        stock_cover=stock_cover,
        capacity_cover=capacity_cover,
    )
    demand = _demand_units(inst)
    inv = inst.inventory
    available = (inv["on_hand"] - inv["safety_stock"]).clip(lower=0).sum()
    assert available == round(stock_cover * demand)
    assert inst.fcs["capacity_units"].sum() == round(capacity_cover * demand)


def test_sample_is_scarce_somewhere(sample: gen.Instance) -> None:
    """The sample day has short SKUs and spare ones, and a tight FC-EWR."""
    comp = sample.kits.set_index("kit_sku")
    orders = sample.orders
    direct = orders[~orders["sku"].isin(comp.index)].groupby("sku")["qty"].sum()
    inv = sample.inventory
    available = (inv["on_hand"] - inv["safety_stock"]).clip(lower=0).groupby(inv["sku"]).sum()
    both = pd.concat([direct.rename("d"), available.rename("a")], axis=1).fillna(0)
    demanded = both[both["d"] > 0]
    short = (demanded["a"] < demanded["d"]).mean()
    assert 0.05 < short < 0.5
    assert (demanded["a"] > demanded["d"]).mean() > 0.2
    cap = sample.fcs.set_index("fc_id")["capacity_units"]
    assert cap["FC-EWR"] < cap["FC-MEM"] and cap["ST-NYC"] < 0.1 * cap["FC-EWR"]


def test_order_shapes(sample: gen.Instance) -> None:
    """Mostly 1–2 lines and 1 unit, promised mostly 5 days, some ship-complete, four channels."""
    orders = sample.orders
    lines = orders.groupby("order_id").size()
    assert 0.72 < (lines <= 2).mean() < 0.82 and lines.max() <= 10 and (lines >= 6).sum() > 20
    assert 0.75 < (orders["qty"] == 1).mean() < 0.85 and orders["qty"].max() == 5
    first = orders.drop_duplicates("order_id")
    promised = first["promised_days"].value_counts(normalize=True)
    assert set(promised.index) == {1, 2, 5} and promised[5] > 0.7 and promised[1] > 0.03
    assert 0.04 < (first["ship_complete"] == "true").mean() < 0.12
    assert set(first["channel"]) == {"web", "phone", "store", "marketplace"}
    stamps = pd.to_datetime(first["created_at"])
    assert stamps.is_monotonic_increasing
    assert stamps.dt.date.nunique() == 1 and stamps.dt.hour.nunique() == 24
    assert (first["dest_zip"].str[0] == "0").any()  # New England ZIPs keep their leading zero
    latlon = first["dest_lat"].notna()
    assert 0 < latlon.sum() < 0.05 * len(first)


def test_demand_is_zipf_like(sample: gen.Instance) -> None:
    """The top 1% of SKUs take far more than 1% of the SKU lines; most SKUs are ordered rarely."""
    counts = sample.orders["sku"].value_counts()
    skus = counts[counts.index.str.startswith("SKU-")]
    top = skus.iloc[: gen.SAMPLE_SKUS // 100].sum() / skus.sum()
    assert 0.15 < top < 0.5
    assert (skus <= 3).sum() > 0.4 * len(skus)


def test_weights_are_long_tailed(sample: gen.Instance) -> None:
    """Most SKUs weigh 0.2–5 lb; a bulky tail reaches tens of pounds, never past 60."""
    weight = sample.skus["weight_lb"]
    assert 0.8 < weight.median() < 1.6
    assert weight.between(0.2, 5.0).mean() > 0.8
    assert (weight > 20).sum() > 10 and weight.max() <= 60 and weight.min() > 0


def test_inventory_shapes(sample: gen.Instance) -> None:
    """Best sellers are stocked widely, stores hold a subset, some rows sit under safety stock."""
    inv = sample.inventory
    nodes_per_sku = inv.groupby("sku").size().reindex(sample.skus["sku"], fill_value=0)
    demand = sample.orders["sku"].value_counts().reindex(sample.skus["sku"], fill_value=0)
    rank = demand.rank(method="first", ascending=False)
    assert nodes_per_sku[rank <= 100].mean() > 1.5 * nodes_per_sku[rank > 1000].mean()
    kinds = sample.fcs.set_index("fc_id")["kind"]
    rows_per_node = inv.groupby("fc_id").size()
    stores, warehouses = kinds[kinds == "store"].index, kinds[kinds == "warehouse"].index
    assert rows_per_node[stores].max() < 0.5 * rows_per_node[warehouses].min()
    in_warehouse = inv[inv["fc_id"].isin(warehouses)]["sku"]
    assert set(in_warehouse) == set(sample.skus["sku"])
    assert (inv["on_hand"] < inv["safety_stock"]).any()
    assert (inv["on_hand"] <= inv["reorder_point"]).mean() < 0.9


def test_rate_card_is_complete_and_monotone(sample: gen.Instance) -> None:
    """Every service, zone and 1..150 lb is priced; price grows with weight, zone and speed."""
    rates = sample.rates.pivot_table(index=["service", "zone"], columns="weight_lb", values="price")
    assert rates.shape == (3 * 7, 150) and not rates.isna().any().any()
    price = np.stack([rates.loc[s].to_numpy() for s in ("GROUND", "TWO_DAY", "NEXT_DAY")])
    assert (np.diff(price, axis=2) > 0).all()  # weight
    assert (np.diff(price, axis=1) > 0).all()  # zone
    assert (np.diff(price, axis=0) > 0).all()  # speed
    per_lb = np.diff(price[0], axis=1)
    assert (per_lb[:, :10].mean(axis=1) > per_lb[:, -10:].mean(axis=1)).all()  # concave-ish


def test_zones_and_services(sample: gen.Instance) -> None:
    """Zones 2–8 tile the distances without gaps; GROUND 1–5 days grows with zone."""
    zones = sample.zones
    assert list(zones["zone"]) == list(range(2, 9)) and zones["min_miles"].iloc[0] == 0
    assert (zones["max_miles"].iloc[:-1].to_numpy() == zones["min_miles"].iloc[1:].to_numpy()).all()
    assert zones["max_miles"].iloc[-1] > math.pi * gen.EARTH_RADIUS_MI
    transit = sample.services.pivot(index="service", columns="zone", values="transit_days")
    ground = transit.loc["GROUND"].to_numpy()
    assert ground[0] == 1 and ground[-1] == 5 and (np.diff(ground) >= 0).all()
    assert (transit.loc["TWO_DAY"] == 2).all() and (transit.loc["NEXT_DAY"] == 1).all()


def test_added_nodes_are_real_spread_cities(wide: Path) -> None:
    """Beyond the curated twelve, nodes are distinct cities at least 50 miles apart."""
    fcs = _read(wide / "fcs.csv")
    assert list(fcs["fc_id"][:12]) == [s.fc_id for s in gen._CURATED]
    lat, lon = fcs["lat"].astype(float).to_numpy(), fcs["lon"].astype(float).to_numpy()
    for i in range(12, len(fcs)):
        others = np.delete(np.arange(len(fcs)), i)
        assert gen._miles(lat[others], lon[others], lat[i], lon[i]).min() >= 50.0
    assert (fcs["kind"][12:] == "store").sum() == len(fcs[12:]) // 4


def test_zip_weights_add_up_to_the_census() -> None:
    """ZIP weights total the 2020 population; 50 miles around Chicago hold about its metro share."""
    zips, lat, lon, weight = gen.zip_table()
    assert len(zips) > 29_000 and (np.char.str_len(zips.astype(str)) == 5).all()
    assert weight.sum() == pytest.approx(gen.US_POPULATION, rel=1e-9)
    chicago = weight[gen._miles(lat, lon, 41.8781, -87.6298) < 50].sum() / weight.sum()
    assert 0.02 < chicago < 0.04


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nodes": 0}, "nodes=0"),
        ({"skus": -3}, "skus=-3"),
        ({"orders": 2.5}, "orders=2.5"),
        ({"seed": -1}, "seed=-1"),
        ({"nodes": 100_000}, "more than the US cities"),
        ({"stock_cover": 0.0}, "stock_cover=0.0"),
        ({"capacity_cover": float("nan")}, "capacity_cover=nan"),
    ],
)
def test_bad_parameters_are_rejected_before_writing(
    tmp_path: Path, kwargs: dict[str, float], match: str
) -> None:
    """A bad size, seed or cover raises InvalidInput naming it, and nothing is written."""
    params: dict[str, float] = {"nodes": 3, "skus": 20, "orders": 10, "seed": 0} | kwargs
    with pytest.raises(InvalidInput, match=match):
        gen.generate(tmp_path / "out", **params)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk error while writing leaves no bundle file and no folder behind."""

    def disk_full(policy: dict[str, float | int | None]) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(gen, "_policy_yaml", disk_full)
    with pytest.raises(OSError, match="No space"):
        gen.generate(tmp_path / "out", nodes=3, skus=20, orders=10, seed=0)
    assert not (tmp_path / "out").exists()

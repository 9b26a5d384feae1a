"""Slotting, pick lists from a plan's lines, cart waves and their routes, ``dom pick-waves``."""

from __future__ import annotations

import filecmp
import itertools
import json
import re
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.waves import register
from dom.errors import DomError, InvalidInput, UnknownLocation, UnknownNode, UnknownSku
from warehouse_graph.layout import Layout, load_layout
from warehouse_graph.picklists import build_pick_lists, read_node_lines
from warehouse_graph.slotting import Slotting, load_slotting, make_slotting, write_slotting
from warehouse_graph.waves import Cart, batch_orders, plan_waves

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = {
    "name": "test",
    "aisles": 6,
    "blocks": 2,
    "slots_per_block": 8,
    "slot_m": 1.0,
    "aisle_pitch_m": 3.0,
    "cross_aisle_m": 2.0,
    "depot": "front-left",
}


def write_plan(folder: Path, lines: list[tuple[str, str, int, str]]) -> Path:
    """A plan folder with lines.csv and shipments.csv from (order_id, sku, qty, fc_id) rows;
    an empty fc_id is an unfilled line."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, line_no = [], {}
    for order, sku, qty, fc in lines:
        n = line_no[order] = line_no.get(order, -1) + 1
        rows.append((order, n, sku, qty, fc, f"{order}@{fc}" if fc else ""))
    table = pd.DataFrame(
        rows, columns=["order_id", "line_no", "sku", "qty", "fc_id", "shipment_id"]
    )
    table.to_csv(folder / "lines.csv", index=False)
    ships = table[table.fc_id != ""].drop_duplicates("shipment_id")
    ships[["shipment_id", "order_id", "fc_id"]].to_csv(folder / "shipments.csv", index=False)
    return folder


def test_make_slotting_puts_fast_movers_nearest_the_depot() -> None:
    """SKUs ranked by demand go to locations ranked by distance from the depot, two per place."""
    layout = load_layout(LAYOUT)
    rng = np.random.default_rng(0)
    skus = [f"S{i:03d}" for i in range(150)]
    demand = rng.integers(0, 50, len(skus))
    slotting = make_slotting(layout, skus, demand)
    rank = {s: d for s, d in zip(skus, demand, strict=True)}
    assert sorted(slotting.sku.tolist()) == sorted(skus)
    assert np.all(np.diff([rank[s] for s in slotting.sku.tolist()]) <= 0)
    depot = layout.distance_matrix(slotting.location.tolist())[0, 1:]
    assert np.all(np.diff(depot) >= 0)
    assert max(np.unique(slotting.location, return_counts=True)[1]) == 2


def test_make_slotting_rejects_too_many_skus() -> None:
    """More SKUs than faces is an error naming both counts."""
    layout = load_layout(LAYOUT)
    with pytest.raises(InvalidInput, match="200 SKUs do not fit 96 locations x 1"):
        make_slotting(layout, [f"S{i}" for i in range(200)], np.ones(200), skus_per_location=1)


def test_sample_slotting_is_reproduced_by_the_generator(tmp_path: Path) -> None:
    """data/warehouses is exactly what its generator writes from the sample bundle."""
    generate = runpy.run_path(str(ROOT / "data" / "warehouses" / "generate.py"))["generate"]
    folders = generate(ROOT / "data/sample/network", ROOT / "data/sample/orders.csv", tmp_path)
    assert len(folders) == 9
    for folder in folders:
        for name in ("layout.json", "slotting.csv"):
            checked_in = ROOT / "data" / "warehouses" / folder.name / name
            assert filecmp.cmp(folder / name, checked_in, shallow=False), checked_in


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("sku,location\nTEE,A99-B1-S01\n", UnknownLocation, "row 1.*'A99-B1-S01'"),
        ("sku,location\nTEE,A01-B1-S01\nSOCK,A01-B1-S02\n", UnknownSku, "row 2.*'SOCK'"),
        ("sku,location\nTEE,A01-B1-S01\nTEE,A01-B1-S01\n", InvalidInput, "row 2.*listed twice"),
        ("sku,where\nTEE,A01-B1-S01\n", InvalidInput, "missing column 'location'"),
        ("sku,location\n,A01-B1-S01\n", InvalidInput, "row 1, column 'sku': empty value"),
        ("sku,location\n", InvalidInput, "no rows"),
    ],
)
def test_load_slotting_rejects_bad_rows(
    tmp_path: Path, text: str, error: type[Exception], match: str
) -> None:
    """Each bad slotting file fails naming the file, row and value."""
    path = tmp_path / "slotting.csv"
    path.write_text(text)
    with pytest.raises(error, match=match):
        load_slotting(path, load_layout(LAYOUT), known_skus=["TEE", "MUG"])


def test_pick_lists_one_per_shipment_with_kits_exploded(tmp_path: Path) -> None:
    """Only the node's filled lines count; a SKU twice in a shipment is one pick; kits explode."""
    plan = write_plan(
        tmp_path / "plan",
        [
            ("A1", "TEE", 2, "EWR"),
            ("A1", "MUG", 1, "RNO"),
            ("A1", "TEE", 1, "EWR"),
            ("B2", "GIFT", 2, "EWR"),
            ("C3", "MUG", 1, ""),
        ],
    )
    slotting = Slotting.from_rows(["TEE", "MUG"], ["A01-B1-S03", "A02-B2-S01"])
    lines = read_node_lines(plan, "EWR")
    lists = build_pick_lists(
        lines, slotting, load_layout(LAYOUT), kits={"GIFT": [("TEE", 2), ("MUG", 1)]}
    )
    assert lists.shipment_id.tolist() == ["A1@EWR", "B2@EWR"]
    assert lists.pick_ptr.tolist() == [0, 1, 3]
    assert lists.sku.tolist() == ["TEE", "TEE", "MUG"]
    assert lists.qty.tolist() == [3, 4, 2]
    assert lists.units.tolist() == [3, 6]
    assert lists.locations(1) == ["A01-B1-S03", "A02-B2-S01"]


def test_parquet_plan_gives_the_same_pick_lists(tmp_path: Path) -> None:
    """A plan written as Parquet (dom allocate --format parquet) reads like its CSV."""
    csv_plan = write_plan(tmp_path / "csv", [("A1", "TEE", 2, "EWR"), ("B2", "MUG", 1, "")])
    parquet_plan = tmp_path / "parquet"
    parquet_plan.mkdir()
    table = pd.read_csv(csv_plan / "lines.csv", keep_default_na=False)
    table.replace({"": None}).to_parquet(parquet_plan / "lines.parquet")
    slotting = Slotting.from_rows(["TEE", "MUG"], ["A01-B1-S03", "A02-B2-S01"])
    lists = [
        build_pick_lists(read_node_lines(plan, "EWR"), slotting, load_layout(LAYOUT))
        for plan in (csv_plan, parquet_plan)
    ]
    assert lists[0].shipment_id.tolist() == lists[1].shipment_id.tolist() == ["A1@EWR"]
    assert lists[0].qty.tolist() == lists[1].qty.tolist() == [2]


def test_sku_in_several_locations_is_picked_nearest_the_list(tmp_path: Path) -> None:
    """A multi-location SKU comes from the candidate nearest the list's other picks or depot."""
    layout = load_layout(LAYOUT)
    slotting = Slotting.from_rows(["TEE", "TEE", "MUG"], ["A01-B1-S02", "A06-B2-S07", "A06-B2-S08"])
    plan = write_plan(
        tmp_path / "plan", [("A", "TEE", 1, "N"), ("B", "MUG", 1, "N"), ("B", "TEE", 1, "N")]
    )
    lists = build_pick_lists(read_node_lines(plan, "N"), slotting, layout)
    assert lists.locations(0) == ["A01-B1-S02"]
    assert lists.locations(1) == ["A06-B2-S08", "A06-B2-S07"]


HEADER = "order_id,line_no,sku,qty,fc_id,shipment_id\n"


@pytest.mark.parametrize(
    ("lines", "shipments", "error", "match"),
    [
        (HEADER + "A1,0,TEE,1,EWR,A1@EWR\n", None, UnknownNode, "no lines for node 'ORD'.*EWR"),
        (
            HEADER + "A1,0,TEE,1.5,ORD,A1@ORD\n",
            None,
            InvalidInput,
            "row 1, column 'qty': qty '1.5' is not a positive whole number",
        ),
        (HEADER + "A1,0,TEE,1,ORD,\n", None, InvalidInput, "row 1, column 'shipment_id'"),
        (
            HEADER + "A1,0,TEE,1,ORD,A1@ORD\n",
            "shipment_id,order_id,fc_id\nA1@ORD,A1,EWR\n",
            InvalidInput,
            "shipment 'A1@ORD' of order 'A1' at 'ORD' is order 'A1' at 'EWR' in shipments.csv",
        ),
        ("order_id,sku,qty\nA1,TEE,1\n", None, InvalidInput, "missing column 'line_no'"),
        (None, None, InvalidInput, "lines.csv: file not found"),
    ],
)
def test_read_node_lines_rejects_bad_plans(
    tmp_path: Path, lines: str | None, shipments: str | None, error: type[Exception], match: str
) -> None:
    """A plan without the node's lines, with bad values or mismatched shipments fails."""
    if lines is not None:
        (tmp_path / "lines.csv").write_text(lines)
    if shipments is not None:
        (tmp_path / "shipments.csv").write_text(shipments)
    with pytest.raises(error, match=match):
        read_node_lines(tmp_path, "ORD")


def test_unslotted_sku_is_named_with_its_plan_row(tmp_path: Path) -> None:
    """A plan line whose SKU has no location fails naming the SKU and the lines.csv row."""
    plan = write_plan(tmp_path / "plan", [("A1", "TEE", 1, "EWR"), ("A1", "RUG", 1, "EWR")])
    slotting = Slotting.from_rows(["TEE"], ["A01-B1-S01"])
    with pytest.raises(UnknownSku, match=r"lines.csv, row 2, column 'sku': SKU 'RUG' has no loc"):
        build_pick_lists(read_node_lines(plan, "EWR"), slotting, load_layout(LAYOUT))


TINY = ROOT / "tests" / "data" / "tiny"
SPEC = LAYOUT | {"name": "day", "aisles": 10, "slots_per_block": 10}
DAY = load_layout(SPEC)
DIST = DAY.distance_matrix(DAY.location_ids)  # depot 0, location i at i + 1


def sample_day(folder: Path, num_orders: int, seed: int) -> tuple[Path, Path]:
    """A plan folder for node 'FC' with skewed demand (1-4 lines an order) and its velocity
    slotting; returns (plan folder, slotting file)."""
    rng = np.random.default_rng(seed)
    skus = [f"SKU{i:03d}" for i in range(300)]
    popularity = 1.0 / np.arange(1, len(skus) + 1)  # Zipf: a few SKUs sell most
    popularity /= popularity.sum()
    rows = []
    for o in range(num_orders):
        k = int(rng.choice([1, 1, 1, 2, 2, 3, 4]))
        for s in rng.choice(len(skus), k, replace=False, p=popularity):
            rows.append((f"O{o:04d}", skus[s], int(rng.integers(1, 4)), "FC"))
    rows.append(("X", skus[0], 1, "OTHER"))
    demand = pd.DataFrame(rows, columns=["o", "sku", "qty", "fc"]).groupby("sku")["qty"].sum()
    slotting = make_slotting(DAY, skus, demand.reindex(skus, fill_value=0).to_numpy())
    write_slotting(slotting, folder / "slotting.csv")
    return write_plan(folder / "plan", rows), folder / "slotting.csv"


def walk_of(layout: Layout, stops: list[str]) -> float:
    """Depot -> stops -> depot along the layout's shortest paths, from the route alone."""
    d = layout.distance_matrix(stops)
    seq = [0, *range(1, len(stops) + 1), 0]
    return float(sum(d[a, b] for a, b in itertools.pairwise(seq)))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.lists(st.integers(1, DAY.num_locations), min_size=1, max_size=4, unique=True),
            st.integers(1, 12),
        ),
        min_size=1,
        max_size=40,
    ),
    cap_units=st.integers(1, 30),
    cap_orders=st.integers(1, 8),
    seed=st.sampled_from(["savings", "fcfs"]),
)
def test_batching_respects_the_cart(data, cap_units: int, cap_orders: int, seed: str) -> None:
    """Every order is in one wave; waves fit the cart (an oversize order rides alone); the
    search never makes the estimate worse; waves are numbered by their first order."""
    order_ptr = np.cumsum([0] + [len(locs) for locs, _ in data])
    order_loc = np.concatenate([locs for locs, _ in data])
    units = np.array([u for _, u in data])
    batching = batch_orders(
        DIST, order_ptr, order_loc, units, Cart(cap_units, cap_orders), seed=seed
    )
    wave_of = batching.wave_of
    assert sorted(set(wave_of.tolist())) == list(range(batching.num_waves))
    size = np.bincount(wave_of)
    load = np.bincount(wave_of, weights=units)
    assert np.all(size <= cap_orders)
    assert np.all((load <= cap_units) | (size == 1))
    assert np.all(size[wave_of[units > cap_units]] == 1)
    first = [int(np.flatnonzero(wave_of == w)[0]) for w in range(batching.num_waves)]
    assert first == sorted(first)
    assert batching.stats["estimate_m"] <= batching.stats["seed_estimate_m"] + 1e-6
    assert np.isclose(batching.walk_estimate.sum(), batching.stats["estimate_m"])


def test_waves_save_a_third_of_the_walk_on_a_day(tmp_path: Path) -> None:
    """On a skewed day of 300 orders, waves walk at least 30% less than one trip per order,
    the search beats first-come-first-served carts, and every walk is recomputable."""
    plan_dir, slotting_csv = sample_day(tmp_path, 300, seed=1)
    lists = build_pick_lists(read_node_lines(plan_dir, "FC"), load_slotting(slotting_csv, DAY), DAY)
    cart = Cart(units=40, orders=10)
    plan = plan_waves(DAY, lists, cart)
    fcfs = plan_waves(DAY, lists, cart, seed="fcfs", improve=False)
    assert plan.saving >= 0.30
    assert plan.total_walk_m < fcfs.total_walk_m
    assert plan.solo_walk_m == pytest.approx(fcfs.solo_walk_m)
    for route in plan.routes + plan.solo_routes:
        assert route.length_m == pytest.approx(walk_of(DAY, list(route.stops)))
    waves = plan.waves_table()
    assert waves["units"].max() <= cart.units and waves["num_orders"].max() <= cart.orders
    picks = plan.picks_table()
    assert len(picks) == len(lists.sku) and picks["qty"].sum() == lists.qty.sum()


def run_cli(args: list[str]) -> tuple[int, str, BaseException | None]:
    """Invoke ``pick-waves`` on an app that has only this feature registered."""
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["pick-waves", *args])
    return result.exit_code, result.output, result.exception


def test_cli_writes_waves_that_recompute_from_the_files(tmp_path: Path) -> None:
    """The files agree: wave walks are the routes' walks, orders add up to the waves; one
    picture per wave."""
    plan_dir, slotting_csv = sample_day(tmp_path, 60, seed=2)
    layout_json = tmp_path / "layout.json"
    layout_json.write_text(json.dumps(SPEC))
    out = tmp_path / "out"
    code, output, exc = run_cli(
        [str(plan_dir), "--node", "FC", "--layout", str(layout_json), "--slotting",
         str(slotting_csv), "--cart-units", "30", "--cart-orders", "8", "--out", str(out),
         "--png-dir", str(tmp_path / "png")]
    )  # fmt: skip
    assert code == 0, (output, exc)
    assert "60 orders in" in output
    doc = json.loads((out / "waves.json").read_text())
    waves = pd.read_csv(out / "waves.csv")
    orders = pd.read_csv(out / "orders.csv")
    picks = pd.read_csv(out / "picks.csv")
    assert len(orders) == doc["num_orders"] == 60
    assert len(list((tmp_path / "png").glob("W*.png"))) == doc["num_waves"] == len(waves)
    assert waves["length_m"].sum() == pytest.approx(doc["total_walk_m"])
    assert orders["solo_length_m"].sum() == pytest.approx(doc["solo_walk_m"])
    per_wave = orders.groupby("wave_id")["solo_length_m"].sum()
    assert np.allclose(per_wave.loc[waves["wave_id"]].to_numpy(), waves["solo_length_m"])
    for wave in doc["waves"]:
        route = wave["route"]
        assert route["length_m"] == pytest.approx(walk_of(DAY, route["stops"]))
        mine = picks[picks["wave_id"] == wave["wave_id"]]
        assert sorted(set(mine["location"])) == sorted(route["stops"])
        assert list(mine["stop"]) == sorted(mine["stop"])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"--node": "RNO"}, UnknownNode, "no lines for node 'RNO' .nodes with lines: EWR."),
        ({"--node": "NOPE"}, UnknownNode, "node 'NOPE' is not in the network"),
        ({"--cart-units": "0"}, InvalidInput, "cart units must be a whole number of at least 1"),
        ({"--method": "fastest"}, InvalidInput, "unknown routing method 'fastest'"),
        ({"slotting": "sku,location\nTEE,A01-B1-S01\nSOCK,A01-B1-S02\n"}, UnknownSku, "'SOCK'"),
        ({"slotting": "sku,location\nTEE,A77-B1-S01\n"}, UnknownLocation, "'A77-B1-S01'"),
        ({"slotting": "sku,location\nTEE,A01-B1-S01\n"}, UnknownSku, "'MUG' has no location"),
    ],
)
def test_cli_bad_input_names_the_value_and_writes_nothing(
    tmp_path: Path, change: dict[str, str], error: type[DomError], match: str
) -> None:
    """Bad input raises a DomError naming the value (the root turns it into exit status 2),
    and --out is not created."""
    plan_dir = write_plan(tmp_path / "plan", [("A1", "TEE", 2, "EWR"), ("B2", "GIFT", 1, "EWR")])
    slotting = tmp_path / "slotting.csv"
    slotting.write_text(change.pop("slotting", "sku,location\nTEE,A01-B1-S01\nMUG,A02-B1-S04\n"))
    layout_json = tmp_path / "layout.json"
    layout_json.write_text(json.dumps(SPEC))
    options = {
        "--node": "EWR", "--layout": str(layout_json), "--slotting": str(slotting),
        "--cart-units": "10", "--cart-orders": "4", "--out": str(tmp_path / "out"),
        "--network": str(TINY),
    } | change  # fmt: skip
    code, output, exc = run_cli([str(plan_dir), *[x for kv in options.items() for x in kv]])
    assert isinstance(exc, error), (code, output, exc)
    assert re.search(match, str(exc))
    assert not (tmp_path / "out").exists()

"""Loading orders (contracts §2) from CSV, Parquet and JSON, and every bad-input path."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.errors import InvalidInput, UnknownSku
from dom.io import load_network, load_order_json, load_orders, order_from_json
from dom.model import Network, Orders
from tests.io.bundles import TINY

HEADER = "order_id,sku,qty,dest_zip,promised_days,ship_complete,channel\n"


@pytest.fixture(scope="module")
def net() -> Network:
    """The tiny network, loaded once."""
    return load_network(TINY)


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    """Write an orders file and return its path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_same_orders(a: Orders, b: Orders) -> None:
    """Two Orders hold the same orders, lines and destinations."""
    for name in ("order_ids", "promised_days", "ship_complete", "channel", "line_ptr",
                 "line_item", "line_qty"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_allclose(a.dest_lat, b.dest_lat)
    np.testing.assert_allclose(a.dest_lon, b.dest_lon)


def test_tiny_orders_load(net: Network) -> None:
    """The tiny orders: first-appearance order, CSR lines, kits as num_skus + k, ZIP centroids."""
    orders = load_orders(TINY / "orders.csv", net)
    assert list(orders.order_ids) == ["A1", "B2", "C3", "D4", "E5"]
    np.testing.assert_array_equal(orders.line_ptr, [0, 2, 3, 5, 6, 7])
    np.testing.assert_array_equal(orders.line_item, [0, 1, 4, 2, 0, 3, 0])  # GIFT = 4 + 0
    np.testing.assert_array_equal(orders.line_qty, [2, 1, 1, 1, 1, 2, 1])
    np.testing.assert_array_equal(orders.promised_days, [5, 3, 2, 5, 1])
    np.testing.assert_array_equal(orders.ship_complete, [False, False, True, False, False])
    assert list(orders.channel) == ["web", "phone", "web", "marketplace", "store"]
    assert orders.dest_lat[2] == pytest.approx(42.3535)  # 02134 keeps its leading zero
    assert orders.dest_lon[2] == pytest.approx(-71.1329)


def test_latlon_file_matches_zip_file(net: Network) -> None:
    """Coordinates equal to the ZIP centroids give the same orders; optional columns default."""
    by_zip = load_orders(TINY / "orders.csv", net)
    by_coords = load_orders(TINY / "orders_latlon.csv", net)
    np.testing.assert_allclose(by_coords.dest_lat, by_zip.dest_lat)
    assert not by_coords.ship_complete.any() and set(by_coords.channel) == {""}


def test_parquet_equals_csv(net: Network, tmp_path: Path) -> None:
    """The same rows as Parquet (ZIPs as integers, as spreadsheets export them) load the same."""
    df = pd.read_csv(TINY / "orders.csv", dtype={"dest_zip": str})
    df["dest_zip"] = df["dest_zip"].astype(int)  # 02134 -> 2134
    df.to_parquet(tmp_path / "orders.parquet")
    assert_same_orders(load_orders(tmp_path / "orders.parquet", net),
                       load_orders(TINY / "orders.csv", net))  # fmt: skip


def test_lines_keep_file_order_within_interleaved_orders(net: Network, tmp_path: Path) -> None:
    """Interleaved rows: orders by first appearance, lines by file order within each order."""
    path = write(tmp_path, HEADER + "X,MUG,1,10001,5,,\nY,TEE,1,10001,5,,\nX,LAMP,2,10001,5,,\n")
    orders = load_orders(path, net)
    assert list(orders.order_ids) == ["X", "Y"]
    np.testing.assert_array_equal(orders.line_item, [1, 2, 0])
    np.testing.assert_array_equal(orders.line_qty, [1, 2, 1])


@pytest.mark.parametrize(
    ("zip_text", "expected"),
    [("02134", "02134"), ("2134", "02134"), ("02134-1234", "02134"), ("501", "00501")],
)
def test_zip_spellings(net: Network, tmp_path: Path, zip_text: str, expected: str) -> None:
    """ZIP+4 keeps five digits; 3-4 digits are left-padded (a spreadsheet dropped the zeros)."""
    got = load_orders(write(tmp_path, HEADER + f"X,TEE,1,{zip_text},5,,\n"), net)
    want = load_orders(write(tmp_path, HEADER + f"X,TEE,1,{expected},5,,\n", "w.csv"), net)
    assert got.dest_lat[0] == want.dest_lat[0] and got.dest_lon[0] == want.dest_lon[0]


def test_coordinates_win_over_zip(net: Network, tmp_path: Path) -> None:
    """A row with dest_lat/dest_lon and dest_zip uses the coordinates; others fall back to ZIP."""
    path = write(
        tmp_path,
        "order_id,sku,qty,promised_days,dest_zip,dest_lat,dest_lon\n"
        "X,TEE,1,5,10001,35.5,-100.25\nY,TEE,1,5,10001,,\n",
    )
    orders = load_orders(path, net)
    assert (orders.dest_lat[0], orders.dest_lon[0]) == (35.5, -100.25)
    assert orders.dest_lat[1] == pytest.approx(40.7484)


def test_unfillable_order_is_not_an_error(net: Network, tmp_path: Path) -> None:
    """Two rugs (29 lb, above every breakpoint) in a ZIP far from stock still load."""
    assert load_orders(write(tmp_path, HEADER + "X,RUG,2,99501,1,true,\n"), net).num_lines == 1


BAD_ORDERS = [
    # body rows (after HEADER unless a header is given), exception, pattern, data row, column
    ("order_id,sku,qyt,dest_zip,promised_days\nX,TEE,1,10001,5\n", InvalidInput,
     "required column 'qty' is missing.*rename column 'qyt' to 'qty'", None, "qty"),
    ("order_id,sku,qty,dest_zip,promised_days,ship_compelte\nX,TEE,1,10001,5,true\n",
     InvalidInput, "unknown column 'ship_compelte'.*rename it to 'ship_complete'", None,
     "ship_compelte"),
    ("order_id,sku,qty,zip,promised_days\nX,TEE,1,10001,5\n", InvalidInput,
     "no destination column.*rename column 'zip' to 'dest_zip'", None, "dest_zip"),
    ("order_id,sku,qty,dest_lat,promised_days\nX,TEE,1,40,5\n", InvalidInput,
     "'dest_lat' needs its partner 'dest_lon'", None, "dest_lon"),
    ("A,TEE,1,10001,5,,\nA,MUGG,1,10001,5,,\n", UnknownSku,
     r"unknown SKU 'MUGG' \(file line 3\).*did you mean 'MUG'", 2, "sku"),
    ("A,TEE,-1,10001,5,,\n", InvalidInput, "qty '-1' is out of range", 1, "qty"),
    ("A,TEE,0,10001,5,,\n", InvalidInput, "qty '0' is out of range", 1, "qty"),
    ("A,TEE,1,10001,5,,\nA,MUG,1.5,10001,5,,\n", InvalidInput,
     "qty '1.5' is not a whole number", 2, "qty"),
    ("A,TEE,nan,10001,5,,\n", InvalidInput, "qty 'nan' is not a number", 1, "qty"),
    ("A,TEE,,10001,5,,\n", InvalidInput, "qty is empty", 1, "qty"),
    ("A,,1,10001,5,,\n", InvalidInput, "sku is empty", 1, "sku"),
    (",TEE,1,10001,5,,\n", InvalidInput, "order_id is empty", 1, "order_id"),
    ("A,TEE,1,10001,,,\n", InvalidInput, "promised_days is empty", 1, "promised_days"),
    ("A,TEE,1,10001,-2,,\n", InvalidInput, "promised_days '-2' is out of range", 1,
     "promised_days"),
    ("A,TEE,1,10001,5,,\nB,TEE,1,99999,5,,\nC,TEE,1,99999,5,,\n", InvalidInput,
     "dest_zip '99999' is not a known US ZIP code.*; 1 more row", 2, "dest_zip"),
    ("A,TEE,1,1234567,5,,\n", InvalidInput, "dest_zip '1234567' is not a known", 1, "dest_zip"),
    ("A,TEE,1,,5,,\n", InvalidInput, "the row has no destination", 1, "dest_zip"),
    ("A,TEE,1,10001,5,sometimes,\n", InvalidInput, "ship_complete 'sometimes' is not true", 1,
     "ship_complete"),
    ("A,TEE,1,10001,5,,\nA,MUG,1,10001,2,,\n", InvalidInput,
     "order 'A' has promised_days 2 here but 5 at row 1", 2, "promised_days"),
    ("A,TEE,1,10001,5,,\nA,MUG,1,89501,5,,\n", InvalidInput,
     r"order 'A' has destination \(39.5268, -119.811\) here but \(40.7484, -73.9967\)", 2,
     "dest_zip"),
    ("A,TEE,1,10001,5,true,\nA,MUG,1,10001,5,false,\n", InvalidInput,
     "order 'A' has ship_complete False here but True", 2, "ship_complete"),
    ("A,TEE,1,10001,5,,web\nA,MUG,1,10001,5,,phone\n", InvalidInput,
     "order 'A' has channel phone here but web", 2, "channel"),
    ("order_id,sku,qty,promised_days,dest_lat,dest_lon\nA,TEE,1,5,91,-70\n", InvalidInput,
     "dest_lat '91' is out of range", 1, "dest_lat"),
    ("order_id,sku,qty,promised_days,dest_lat,dest_lon\nA,TEE,1,5,40,\n", InvalidInput,
     "dest_lon is empty while its partner is given", 1, "dest_lon"),
    ("", InvalidInput, "has no order lines", None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "exc", "pattern", "row", "column"),
    BAD_ORDERS,
    ids=[c[2][:40] for c in BAD_ORDERS],
)
def test_bad_orders_name_file_row_and_column(
    net: Network,
    tmp_path: Path,
    body: str,
    exc: type[InvalidInput],
    pattern: str,
    row: int | None,
    column: str | None,
) -> None:
    """Each bad orders file raises naming the file, the data row and the column, with a fix."""
    path = write(tmp_path, body if body.startswith("order_id") else HEADER + body)
    with pytest.raises(exc, match=pattern) as info:
        load_orders(path, net)
    err = info.value
    assert type(err) is exc
    assert err.file == str(path) and str(path) in str(err)
    assert err.row == row and err.column == column
    if row is not None:
        assert f"row {row}" in str(err)
    if column is not None:
        assert f"column '{column}'" in str(err)
    assert err.fix


def test_bad_row_after_blank_line_keeps_its_number(net: Network, tmp_path: Path) -> None:
    """Blank lines are skipped but counted, so the row named is the one a spreadsheet shows."""
    path = write(tmp_path, HEADER + "A,TEE,1,10001,5,,\n\nB,TEE,-3,10001,5,,\n")
    with pytest.raises(InvalidInput, match="file line 4") as info:
        load_orders(path, net)
    assert info.value.row == 3


def test_bad_parquet_row_is_named(net: Network, tmp_path: Path) -> None:
    """Parquet errors name the data row (no file lines there)."""
    df = pd.DataFrame({"order_id": ["A", "B"], "sku": ["TEE", "TEE"], "qty": [1, -1],
                       "dest_zip": ["10001", "10001"], "promised_days": [5, 5]})  # fmt: skip
    df.to_parquet(tmp_path / "o.parquet")
    with pytest.raises(InvalidInput, match="qty '-1' is out of range") as info:
        load_orders(tmp_path / "o.parquet", net)
    assert info.value.row == 2 and "file line" not in str(info.value)


def test_missing_orders_file(net: Network, tmp_path: Path) -> None:
    """A path that does not exist is named."""
    with pytest.raises(InvalidInput, match="file not found"):
        load_orders(tmp_path / "nope.csv", net)


# ---------------------------------------------------------------------------------------------
# JSON form

GOOD_JSON = {
    "order_id": "C3",
    "lines": [{"sku": "LAMP", "qty": 1}, {"sku": "TEE", "qty": 1}],
    "destination": {"zip": "02134"},
    "promised_days": 2,
    "ship_complete": True,
    "channel": "web",
}


def test_json_order_equals_csv_order(net: Network) -> None:
    """order C3 as JSON loads exactly as its CSV rows do, and as the batch's row does."""
    from_csv = load_orders(TINY / "orders.csv", net)
    c3 = order_from_json(GOOD_JSON, net)
    assert c3.order_id == "C3" and c3.ship_complete
    np.testing.assert_array_equal(net.item_codes(c3), from_csv.line_item[3:5])
    assert (c3.dest_lat, c3.dest_lon) == (from_csv.dest_lat[2], from_csv.dest_lon[2])
    row = from_csv.order(2, net)
    assert (row.order_id, row.lines, row.promised_days) == (c3.order_id, c3.lines, 2)
    assert_same_orders(Orders.of([c3], net), Orders.of([row], net))


def test_json_coordinates_and_defaults(net: Network) -> None:
    """lat/lon win over zip; ship_complete and channel default; a kit id is an item."""
    obj = {
        "order_id": 7,
        "lines": [{"sku": "GIFT", "qty": 2.0}],
        "destination": {"zip": "10001", "lat": 35.0, "lon": -90.0},
        "promised_days": 5,
    }
    order = order_from_json(obj, net)
    assert order.order_id == "7" and net.item_codes(order) == [net.num_skus]
    assert order.lines[0].qty == 2 and (order.dest_lat, order.dest_lon) == (35.0, -90.0)
    assert not order.ship_complete and order.channel == ""


BAD_JSON = [
    # change to GOOD_JSON (key -> value, None deletes), exception, pattern, field
    ({"lines": [{"sku": "LAMP", "qty": 1}, {"sku": "TEE", "qty": 1.5}]}, InvalidInput,
     r"lines\[1\].qty is 1.5", "lines[1].qty"),
    ({"lines": [{"sku": "LAMP", "qty": 0}]}, InvalidInput, r"lines\[0\].qty is 0",
     "lines[0].qty"),
    ({"lines": [{"sku": "LAMP", "qty": True}]}, InvalidInput, r"lines\[0\].qty is true",
     "lines[0].qty"),
    ({"lines": [{"sku": "LAMPP", "qty": 1}]}, UnknownSku, "unknown SKU.*did you mean 'LAMP'",
     "lines[0].sku"),
    ({"lines": [{"sku": "LAMP"}]}, InvalidInput, r"lines\[0\].qty is missing", "lines[0].qty"),
    ({"lines": [{"sku": "LAMP", "qyt": 1}]}, InvalidInput, "rename 'qyt' to 'qty'",
     "lines[0].qty"),
    ({"lines": []}, InvalidInput, "lines must be a non-empty list", "lines"),
    ({"lines": ["LAMP"]}, InvalidInput, r"lines\[0\] must be an object", "lines[0]"),
    ({"destination": {"zip": "99999"}}, InvalidInput, "not a known US ZIP", "destination.zip"),
    ({"destination": {"lat": 40.0}}, InvalidInput, "destination.lon is missing",
     "destination.lon"),
    ({"destination": {"lat": 95.0, "lon": 0}}, InvalidInput, "destination.lat is 95.0",
     "destination.lat"),
    ({"destination": {"city": "Boston"}}, InvalidInput, "neither zip nor lat/lon",
     "destination.zip"),
    ({"destination": "02134"}, InvalidInput, "destination must be an object", "destination"),
    ({"promised_days": None}, InvalidInput, "promised_days is missing", "promised_days"),
    ({"promised_days": -1}, InvalidInput, "promised_days is -1", "promised_days"),
    ({"order_id": ""}, InvalidInput, 'order_id is "", not an id', "order_id"),
    ({"ship_complete": "yes"}, InvalidInput, 'ship_complete is "yes"', "ship_complete"),
    ({"channel": 3}, InvalidInput, "channel is 3", "channel"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "exc", "pattern", "field"), BAD_JSON,
                         ids=[c[3] + ":" + c[2][:30] for c in BAD_JSON])  # fmt: skip
def test_bad_json_names_the_field(
    net: Network, change: dict, exc: type[InvalidInput], pattern: str, field: str
) -> None:
    """Each bad JSON order raises with the JSON field path in ``column`` (the API's ``field``)."""
    obj = {k: v for k, v in {**GOOD_JSON, **change}.items() if v is not None}
    with pytest.raises(exc, match=pattern) as info:
        order_from_json(obj, net)
    assert type(info.value) is exc and info.value.column == field and info.value.fix


def test_json_must_be_an_object(net: Network) -> None:
    """A JSON list is not an order."""
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        order_from_json([GOOD_JSON], net)


def test_json_file_syntax_error_names_line(net: Network, tmp_path: Path) -> None:
    """A JSON file with broken syntax is named with its line and column."""
    path = write(tmp_path, '{"order_id": "A",\n "lines": [}\n', "order.json")
    with pytest.raises(InvalidInput, match="not valid JSON at line 2") as info:
        load_order_json(path, net)
    assert info.value.file == str(path)


def test_json_file_loads(net: Network, tmp_path: Path) -> None:
    """A well-formed JSON file loads as its dict would."""
    path = write(tmp_path, json.dumps(GOOD_JSON), "order.json")
    assert load_order_json(path, net) == order_from_json(GOOD_JSON, net)


ORDER_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "007"]),
        st.sampled_from(["TEE", "MUG", "LAMP", "RUG", "GIFT"]),
        st.integers(1, 50),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=ORDER_ROWS)
def test_csv_round_trip_property(net: Network, rows: list[tuple[str, str, int]]) -> None:
    """Any valid set of rows loads into CSR whose lines, read back in order, are those rows."""
    zips = {"A": "10001", "B": "89501", "C": "02134", "007": "30303"}
    text = HEADER + "".join(f"{o},{s},{q},{zips[o]},5,,\n" for o, s, q in rows)
    with tempfile.TemporaryDirectory() as tmp:
        orders = load_orders(write(Path(tmp), text), net)
    got = []
    for o, oid in enumerate(orders.order_ids):
        for line in range(orders.line_ptr[o], orders.line_ptr[o + 1]):
            got.append((str(oid), net.item_id(int(orders.line_item[line])),
                        int(orders.line_qty[line])))  # fmt: skip
    first = {o: i for i, (o, _, _) in reversed(list(enumerate(rows)))}
    assert got == sorted(rows, key=lambda r: first[r[0]])  # stable: file order within an order
    assert set(orders.order_ids) == {o for o, _, _ in rows}  # "007" keeps its zeros

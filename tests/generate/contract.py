"""The contract checks (contracts §1–§2) that every generated bundle must pass."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from dom.generate import POLICY
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


def read_text_csv(path: Path) -> pd.DataFrame:
    """A CSV as text, empty cells as empty strings (the way ZIP codes must be read)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def check_bundle(network_dir: Path, orders_path: Path) -> None:
    """Assert the files follow contracts §1–§2 and that the project's loader accepts them."""
    fcs = read_text_csv(network_dir / "fcs.csv")
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
    skus = read_text_csv(network_dir / "skus.csv")
    assert list(skus.columns) == ["sku", "weight_lb"]
    assert skus["sku"].is_unique and (skus["weight_lb"].astype(float) > 0).all()
    kits = read_text_csv(network_dir / "kits.csv")
    assert list(kits.columns) == ["kit_sku", "component_sku", "qty"]
    assert not set(kits["kit_sku"]) & set(skus["sku"])
    assert set(kits["component_sku"]) <= set(skus["sku"])
    assert kits.groupby("kit_sku").size().between(2, 4).all()
    inv = read_text_csv(network_dir / "inventory.csv")
    assert list(inv.columns) == ["fc_id", "sku", "on_hand", "safety_stock", "reorder_point"]
    assert not inv.duplicated(["fc_id", "sku"]).any()
    assert set(inv["fc_id"]) <= set(fcs["fc_id"]) and set(inv["sku"]) <= set(skus["sku"])
    for col in ("on_hand", "safety_stock", "reorder_point"):
        assert (inv[col].astype(int) >= 0).all()
    policy = yaml.safe_load((network_dir / "policy.yaml").read_text())
    assert policy == POLICY

    orders = read_text_csv(orders_path)
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

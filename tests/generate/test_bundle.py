"""Whole generated instances: valid per contracts §1–§2 for any size and cover, reproducible."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.generate import GeneratorParams, generate, make_bundle
from tests.generate.contract import SAMPLE, check_bundle


def test_sample_follows_the_contracts() -> None:
    """The committed sample bundle and orders pass the contract checks and the loader."""
    check_bundle(SAMPLE / "network", SAMPLE / "orders.csv")


def test_wide_network_follows_the_contracts(wide: Path) -> None:
    """A 30-node generated instance passes the contract checks and the loader."""
    check_bundle(wide, wide / "orders.csv")


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
        bundle = generate(
            out,
            GeneratorParams(
                nodes=nodes,
                skus=skus,
                orders=orders,
                seed=seed,
                stock_cover=stock_cover,
                capacity_cover=capacity_cover,
            ),
        )
        check_bundle(out, out / "orders.csv")
    assert len(bundle.fcs) == nodes and len(bundle.skus) == skus
    assert bundle.orders["order_id"].nunique() == orders


def test_one_seed_draws_one_bundle_and_parts_draw_apart() -> None:
    """The same params give equal tables; more orders change neither sites, SKUs nor kits."""
    base = GeneratorParams(nodes=14, skus=300, orders=200, seed=9)
    a, b = make_bundle(base), make_bundle(base)
    more = make_bundle(GeneratorParams(nodes=14, skus=300, orders=400, seed=9))
    for name in ("fcs", "skus", "kits", "inventory", "zones", "services", "rates", "orders"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.policy == b.policy
    pd.testing.assert_frame_equal(a.skus, more.skus)
    pd.testing.assert_frame_equal(a.kits, more.kits)
    cols = ["fc_id", "lat", "lon", "name", "kind"]
    pd.testing.assert_frame_equal(a.fcs[cols], more.fcs[cols])

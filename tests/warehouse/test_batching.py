"""Order batching: every order on one cart that fits, the search never worse than its seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.errors import InvalidInput
from tests.warehouse.plans import DAY
from warehouse_graph import Cart, batch_orders

DIST = DAY.distance_matrix(DAY.location_ids)  # depot 0, location i at i + 1


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
    """Waves fit the cart (oversize orders alone), are numbered in order, only shorten."""
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


@pytest.mark.parametrize(
    ("units", "orders", "match"),
    [(0, 4, "cart units must be a whole number of at least 1, got 0"),
     (10, 1.5, "cart orders must be a whole number of at least 1, got 1.5"),
     (True, 4, "cart units .* got True")],
)  # fmt: skip
def test_cart_rejects_what_is_not_a_whole_number(units, orders, match) -> None:
    """A cart of less than one unit or order, or of a non-integer, is refused by name."""
    with pytest.raises(InvalidInput, match=match):
        Cart(units, orders)


def test_unknown_seed_is_named() -> None:
    """Only the seeds in SEEDS are accepted."""
    with pytest.raises(InvalidInput, match="unknown seed 'random'"):
        batch_orders(
            DIST, np.array([0, 1]), np.array([1]), np.array([1]), Cart(5, 2), seed="random"
        )

"""The catalogue: long-tailed weights, Zipf demand, kits of light popular SKUs."""

from __future__ import annotations

import numpy as np
import pytest

from dom.generate import SAMPLE_SKUS, GeneratedBundle
from dom.generate.catalogue import draw_catalogue, numbered, zipf


def test_demand_is_zipf_like(sample: GeneratedBundle) -> None:
    """The top 1% of SKUs take far more than 1% of the SKU lines; most SKUs are ordered rarely."""
    counts = sample.orders["sku"].value_counts()
    skus = counts[counts.index.str.startswith("SKU-")]
    top = skus.iloc[: SAMPLE_SKUS // 100].sum() / skus.sum()
    assert 0.15 < top < 0.5
    assert (skus <= 3).sum() > 0.4 * len(skus)


def test_weights_are_long_tailed(sample: GeneratedBundle) -> None:
    """Most SKUs weigh 0.2–5 lb; a bulky tail reaches tens of pounds, never past 60."""
    weight = sample.skus["weight_lb"]
    assert 0.8 < weight.median() < 1.6
    assert weight.between(0.2, 5.0).mean() > 0.8
    assert (weight > 20).sum() > 10 and weight.max() <= 60 and weight.min() > 0


@pytest.mark.parametrize(
    ("num_skus", "num_kits"), [(1, 0), (199, 0), (200, 1), (4000, 20), (9000, 25)]
)
def test_one_kit_per_200_skus_up_to_25(num_skus: int, num_kits: int) -> None:
    """Kits: one per 200 SKUs, at most 25, each of 2–4 distinct SKUs of at most 10 lb."""
    cat = draw_catalogue(num_skus, np.random.default_rng(3))
    assert cat.num_kits == num_kits == len(cat.kit_ids) == len(cat.kit_popularity)
    sizes = np.diff(cat.kit_ptr)
    assert ((sizes >= 2) & (sizes <= 4)).all()
    assert (cat.weight_lb[cat.kit_comp] <= 10.0).all() and set(cat.kit_qty) <= {1, 2}
    for k in range(num_kits):
        comps = cat.kit_comp[cat.kit_ptr[k] : cat.kit_ptr[k + 1]]
        assert len(set(comps)) == len(comps)
    kits = cat.kits_frame()
    assert len(kits) == len(cat.kit_comp) and set(kits["component_sku"]) <= set(cat.sku_ids)


def test_item_weight_of_a_kit_is_its_components() -> None:
    """A kit weighs the sum of its components' weights times their quantities."""
    cat = draw_catalogue(1000, np.random.default_rng(1))
    weight = cat.item_weight()
    assert len(weight) == len(cat.item_ids()) == cat.num_skus + cat.num_kits
    for k in range(cat.num_kits):
        part = slice(cat.kit_ptr[k], cat.kit_ptr[k + 1])
        expected = (cat.weight_lb[cat.kit_comp[part]] * cat.kit_qty[part]).sum()
        assert weight[cat.num_skus + k] == pytest.approx(expected)


def test_ids_are_zero_padded_and_numbered_from_one() -> None:
    """Ids count from 1 at the given width; none for n = 0; wider numbers are not cut."""
    assert list(numbered("SKU-", 3, 5)) == ["SKU-00001", "SKU-00002", "SKU-00003"]
    assert list(numbered("KIT-", 12, 1))[-1] == "KIT-12" and len(numbered("X", 0, 4)) == 0
    cat = draw_catalogue(123_456, np.random.default_rng(0))
    assert cat.sku_ids[0] == "SKU-000001" and cat.kit_ids[0] == "KIT-0001"


@pytest.mark.parametrize("n", [0, 1, 10, 500])
def test_zipf_is_a_shuffled_distribution(n: int) -> None:
    """Zipf shares sum to 1 and, sorted, fall as 1 / rank**exponent."""
    p = zipf(n, 0.8, np.random.default_rng(2))
    assert len(p) == n
    if n:
        ranked = np.sort(p)[::-1]
        assert p.sum() == pytest.approx(1.0)
        assert ranked[0] / ranked[-1] == pytest.approx(n**0.8)

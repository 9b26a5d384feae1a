"""GeneratorParams: defaults, the sample, and every bad value rejected before anything is drawn."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dom.errors import InvalidInput
from dom.generate import (
    CURATED,
    DEFAULT_CAPACITY_COVER,
    DEFAULT_STOCK_COVER,
    SAMPLE_NODES,
    SAMPLE_ORDERS,
    SAMPLE_SEED,
    SAMPLE_SKUS,
    GeneratorParams,
    generate,
)
from dom.generate.geography import city_table


def test_defaults_are_seed_zero_and_the_default_covers() -> None:
    """Only the sizes are required; seed 0 and the documented covers fill in the rest."""
    params = GeneratorParams(3, 20, 10)
    assert (params.seed, params.stock_cover, params.capacity_cover) == (
        0,
        DEFAULT_STOCK_COVER,
        DEFAULT_CAPACITY_COVER,
    )
    assert (DEFAULT_STOCK_COVER, DEFAULT_CAPACITY_COVER) == (1.1, 1.25)


def test_sample_params_are_the_sample_sizes() -> None:
    """GeneratorParams.sample() is the committed sample's sizes and seed with default covers."""
    params = GeneratorParams.sample()
    assert params == GeneratorParams(SAMPLE_NODES, SAMPLE_SKUS, SAMPLE_ORDERS, SAMPLE_SEED)
    assert (params.nodes, params.skus, params.orders, params.seed) == (12, 2000, 4000, 20250304)


def test_params_are_frozen() -> None:
    """Params cannot change after they were checked."""
    params = GeneratorParams(3, 20, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.nodes = 0  # type: ignore[misc]


def test_most_nodes_is_every_city_and_the_curated_sites() -> None:
    """The largest network asked for is accepted; one node more is not, naming the limit."""
    most = len(city_table().name) + len(CURATED)
    assert GeneratorParams(most, 20, 10).nodes == most
    with pytest.raises(InvalidInput, match=f"pass --nodes {most} or fewer"):
        GeneratorParams(most + 1, 20, 10)


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
        generate(tmp_path / "out", GeneratorParams(**params))  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kwargs", "column", "fix"),
    [
        ({"skus": 0}, "skus", "pass --skus 1 or more"),
        ({"seed": 1.5}, "seed", "pass --seed 0 or more"),
        ({"stock_cover": -1.0}, "stock_cover", "pass e.g. --stock-cover 1.0"),
        ({"capacity_cover": float("inf")}, "capacity_cover", "pass e.g. --capacity-cover 1.0"),
    ],
)
def test_errors_name_the_field_and_the_option(
    kwargs: dict[str, float], column: str, fix: str
) -> None:
    """Each error carries the field as its column and the command-line option in its fix."""
    params: dict[str, float] = {"nodes": 3, "skus": 20, "orders": 10} | kwargs
    with pytest.raises(InvalidInput) as caught:
        GeneratorParams(**params)  # type: ignore[arg-type]
    assert caught.value.column == column
    assert caught.value.fix is not None and caught.value.fix.startswith(fix)

"""Writing bundles: the committed sample is the generator's output; failures leave nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dom.generate import GeneratorParams, generate, make_bundle, write_bundle, write_sample
from dom.generate import write as write_module
from tests.generate.contract import BUNDLE_FILES, SAMPLE


def test_sample_on_disk_is_the_generator_output(tmp_path: Path) -> None:
    """data/sample/ is exactly what write_sample() produces: reproducible, not hand-edited."""
    write_sample(tmp_path)
    for name in BUNDLE_FILES:
        assert (tmp_path / "network" / name).read_bytes() == (
            SAMPLE / "network" / name
        ).read_bytes(), name
    assert (tmp_path / "orders.csv").read_bytes() == (SAMPLE / "orders.csv").read_bytes()


def test_same_seed_same_bytes_other_seed_other_orders(tmp_path: Path) -> None:
    """Two runs with one seed write identical files; another seed draws other orders."""
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        generate(tmp_path / name, GeneratorParams(nodes=14, skus=300, orders=400, seed=seed))
    for name in [*BUNDLE_FILES, "orders.csv"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "orders.csv").read_bytes() != (
        tmp_path / "c" / "orders.csv"
    ).read_bytes()


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk error while writing leaves no bundle file and no folder behind."""

    def disk_full(policy: dict[str, float | int | None]) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(write_module, "policy_yaml", disk_full)
    with pytest.raises(OSError, match="No space"):
        generate(tmp_path / "out", GeneratorParams(nodes=3, skus=20, orders=10, seed=0))
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # no scratch folder either


def test_orders_may_go_elsewhere_and_files_are_replaced(tmp_path: Path) -> None:
    """The orders file may have its own folder and name; writing again replaces every file and
    keeps files the bundle does not own."""
    network, orders = tmp_path / "net", tmp_path / "days" / "monday.csv"
    network.mkdir()
    (network / "notes.txt").write_text("mine")
    small = make_bundle(GeneratorParams(nodes=3, skus=20, orders=10, seed=1))
    write_bundle(small, network, orders)
    write_bundle(make_bundle(GeneratorParams(nodes=4, skus=30, orders=12, seed=2)), network, orders)
    assert sorted(p.name for p in network.iterdir()) == sorted([*BUNDLE_FILES, "notes.txt"])
    assert (network / "notes.txt").read_text() == "mine"
    assert len((network / "fcs.csv").read_text().splitlines()) == 1 + 4
    assert orders.is_file() and not (network / "orders.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["days", "net"]

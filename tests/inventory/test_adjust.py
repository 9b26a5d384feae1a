"""The ledger's ``adjust``, on both stores: all or none, once per op id, never below zero
allocated, unknown ids named."""

from __future__ import annotations

import pytest

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from dom.inventory import OverFulfilment
from tests.inventory.conftest import MakeStores
from tests.inventory.networks import ledger_network


def _row(store, fc: str, sku: str) -> tuple[int, int]:
    level = next(lv for lv in store.levels([sku]) if lv.fc_id == fc)
    return level.on_hand, level.allocated


def test_adjust_applies_once_per_op_id(make_stores: MakeStores) -> None:
    (store,) = make_stores(ledger_network([[10, 5]]))
    assert store.adjust("op-1", [("FC0", "S0", 3, 4), ("FC0", "S1", -1, 0)])
    assert _row(store, "FC0", "S0") == (13, 4) and _row(store, "FC0", "S1") == (4, 0)
    assert not store.adjust("op-1", [("FC0", "S0", 3, 4)])  # a replay changes nothing
    assert _row(store, "FC0", "S0") == (13, 4)
    assert store.availability(["S0"]) == {"S0": {"FC0": 9}}


def test_adjust_is_all_or_none_and_never_takes_allocated_below_zero(
    make_stores: MakeStores,
) -> None:
    (store,) = make_stores(ledger_network([[10, 5]]))
    store.adjust("give", [("FC0", "S0", 0, 2)])
    with pytest.raises(OverFulfilment, match="only 2 allocated"):
        store.adjust("take", [("FC0", "S1", -1, 0), ("FC0", "S0", -3, -3)])
    assert _row(store, "FC0", "S1") == (5, 0) and _row(store, "FC0", "S0") == (10, 2)
    assert store.adjust("take", [("FC0", "S0", -2, -2)])  # refused ids are not remembered
    assert _row(store, "FC0", "S0") == (8, 0)


@pytest.mark.parametrize(
    ("items", "error", "field"),
    [
        ([("FCX", "S0", 1, 0)], UnknownNode, "items[0].fc_id"),
        ([("FC0", "SX", 1, 0)], UnknownSku, "items[0].sku"),
        ([("FC0", "S0", 1.5, 0)], InvalidInput, "items[0].on_hand"),
        ([("FC0", "S0")], InvalidInput, "items[0]"),
    ],
)
def test_adjust_names_bad_items(make_stores: MakeStores, items, error, field) -> None:
    (store,) = make_stores(ledger_network([[10, 5]]))
    with pytest.raises(error) as caught:
        store.adjust("bad", items)
    assert caught.value.column == field

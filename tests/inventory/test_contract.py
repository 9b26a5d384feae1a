"""The InventoryStore contract, run against MemoryStore and a real-Redis RedisStore."""

from __future__ import annotations

import asyncio
import time

import pytest

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from dom.inventory import (
    COMMITTED,
    EXPIRED,
    HELD,
    RELEASED,
    IdempotencyKeyReused,
    OverFulfilment,
    ReservationClosed,
    ReservationExpired,
    ReservationNotFound,
    RestockAlert,
    Shortage,
    StockLevel,
)
from tests.inventory.conftest import MakeStores
from tests.inventory.networks import ledger_network

# FC0: 5 of S0 (1 safety), 2 of S1; FC1: 3 of S0; FC2 (disabled): 9 of S1
NET = ledger_network(
    [[5, 2], [3, 0], [0, 9]], safety_stock=[[1, 0], [0, 0], [0, 0]], enabled=[True, True, False]
)


def reconciles(levels: list[StockLevel]) -> bool:
    """``on_hand - safety_stock = available + reserved + allocated`` with available clipped at 0:
    true exactly when nothing is oversold."""
    return all(r.on_hand - r.safety_stock == r.available + r.reserved + r.allocated for r in levels)


def test_load_stores_only_nonempty_rows_and_availability_skips_disabled(make_stores: MakeStores):
    """Rows come from non-zero stock; availability is on_hand - safety_stock at enabled nodes."""
    [store] = make_stores(NET)
    assert [(r.fc_id, r.sku) for r in store.levels()] == [
        ("FC0", "S0"),
        ("FC1", "S0"),
        ("FC0", "S1"),
        ("FC2", "S1"),
    ]
    assert store.availability(["S0", "S1"]) == {"S0": {"FC0": 4, "FC1": 3}, "S1": {"FC0": 2}}
    with pytest.raises(UnknownSku, match="'NOPE'"):
        store.availability(["S0", "NOPE"])


def test_second_load_keeps_the_shared_ledger_and_replace_resets_it(make_stores: MakeStores):
    """A replica's load does not wipe holds; a replacing load starts afresh."""
    [store] = make_stores(NET)
    assert store.reserve("r1", [("FC0", "S0", 4)], ttl_seconds=60).ok
    assert store.load(NET) is False
    assert store.availability(["S0"])["S0"]["FC0"] == 0
    assert store.load(NET, replace=True) is True
    assert store.availability(["S0"])["S0"]["FC0"] == 4
    with pytest.raises(ReservationNotFound):
        store.commit("r1")


def test_reserve_holds_every_item_or_none(make_stores: MakeStores):
    """A reservation short anywhere changes nothing and names each short (node, SKU)."""
    [store] = make_stores(NET)
    before = store.levels()
    out = store.reserve(
        "r1", [("FC0", "S0", 2), ("FC1", "S0", 4), ("FC0", "S1", 3)], ttl_seconds=60
    )
    assert not out.ok
    assert out.short == (Shortage("FC0", "S1", 3, 2), Shortage("FC1", "S0", 4, 3))
    assert store.levels() == before
    assert store.counters()["reserve_short"] == 1
    ok = store.reserve("r2", [("FC0", "S0", 2), ("FC1", "S0", 3)], ttl_seconds=60)
    assert ok.ok and ok.reservation is not None and ok.reservation.state == HELD
    assert store.availability(["S0"]) == {"S0": {"FC0": 2, "FC1": 0}}


def test_async_calls_answer_as_the_blocking_ones(make_stores: MakeStores):
    """availability_async and reserve_async (the event loop's calls) read and hold the same
    ledger as availability and reserve, short holds and unknown ids included."""
    [store] = make_stores(NET)

    async def calls() -> None:
        assert await store.availability_async(["S0", "S1"]) == store.availability(["S0", "S1"])
        short = await store.reserve_async("r1", [("FC0", "S1", 3)], ttl_seconds=60)
        assert short.short == (Shortage("FC0", "S1", 3, 2),)
        held = await store.reserve_async("r2", [("FC0", "S0", 2)], ttl_seconds=60)
        assert held.reservation == store.reservation("r2")
        assert await store.availability_async(["S0"]) == {"S0": {"FC0": 2, "FC1": 3}}
        with pytest.raises(UnknownSku, match="S7"):
            await store.availability_async(["S7"])
        with pytest.raises(UnknownNode, match=r"items\[0\]\.fc_id"):
            await store.reserve_async("r3", [("FC9", "S0", 1)], ttl_seconds=60)

    asyncio.run(calls())


def test_reserve_at_a_disabled_node_is_short(make_stores: MakeStores):
    """Stock at a disabled node is never promised."""
    [store] = make_stores(NET)
    assert store.reserve("r1", [("FC2", "S1", 1)], ttl_seconds=60).short == (
        Shortage("FC2", "S1", 1, 0),
    )


def test_reserve_merges_repeated_items_and_retries_return_the_same_hold(make_stores: MakeStores):
    """Items of one (node, SKU) add up; the same id and items again holds nothing more."""
    [store] = make_stores(NET)
    first = store.reserve("r1", [("FC0", "S0", 1), ("FC0", "S0", 2)], ttl_seconds=60)
    again = store.reserve("r1", [("FC0", "S0", 3)], ttl_seconds=60)
    assert again.reservation is not None and first.reservation == again.reservation
    assert [(i.fc_id, i.sku, i.qty) for i in again.reservation.items] == [("FC0", "S0", 3)]
    assert store.availability(["S0"])["S0"]["FC0"] == 1
    with pytest.raises(ReservationClosed, match="'r1'"):
        store.reserve("r1", [("FC0", "S0", 1)], ttl_seconds=60)


@pytest.mark.parametrize(
    ("items", "ttl", "error", "field"),
    [
        ([("FC0", "S0", 0)], 60, InvalidInput, r"items\[0\]\.qty"),
        ([("FC0", "S0", 1), ("FC0", "S0", True)], 60, InvalidInput, r"items\[1\]\.qty"),
        ([("FC0", "S0", "2")], 60, InvalidInput, r"items\[0\]\.qty"),
        ([("FC0", "S0")], 60, InvalidInput, r"items\[0\]"),
        ([], 60, InvalidInput, "items"),
        ([("FC0", "S0", 1)], 0, InvalidInput, "ttl_seconds"),
        ([("FC0", "S0", 1), ("FC9", "S0", 1)], 60, UnknownNode, r"items\[1\]\.fc_id"),
        ([("FC0", "S7", 1)], 60, UnknownSku, r"items\[0\]\.sku"),
    ],
)
def test_reserve_rejects_bad_items_naming_the_field(
    make_stores: MakeStores, items: list, ttl: float, error: type, field: str
):
    """Malformed or unknown items raise before anything is held, naming the JSON field."""
    [store] = make_stores(NET)
    with pytest.raises(error, match=field):
        store.reserve("r1", items, ttl_seconds=ttl)
    assert sum(r.reserved for r in store.levels()) == 0


def test_commit_moves_held_units_to_allocated_once(make_stores: MakeStores):
    """Commit turns reserved into allocated; a repeated commit is a no-op; release then fails."""
    [store] = make_stores(NET)
    store.reserve("r1", [("FC0", "S0", 2), ("FC0", "S1", 1)], ttl_seconds=60)
    assert store.commit("r1").state == COMMITTED
    assert store.commit("r1").state == COMMITTED
    row = store.levels(["S0"])[0]
    assert (row.reserved, row.allocated, row.available) == (0, 2, 2)
    with pytest.raises(ReservationClosed, match="committed"):
        store.release("r1")
    assert store.counters()["reservations_committed"] == 1


def test_release_returns_stock_and_a_released_hold_cannot_commit(make_stores: MakeStores):
    """Release gives the units back (repeatable); commit after release is a conflict."""
    [store] = make_stores(NET)
    store.reserve("r1", [("FC1", "S0", 3)], ttl_seconds=60)
    assert store.release("r1").state == RELEASED
    assert store.release("r1").state == RELEASED
    assert store.availability(["S0"])["S0"]["FC1"] == 3
    with pytest.raises(ReservationClosed, match="released"):
        store.commit("r1")
    with pytest.raises(ReservationNotFound, match="'nope'"):
        store.commit("nope")
    with pytest.raises(ReservationNotFound):
        store.release("nope")


def test_expired_holds_return_their_stock(make_stores: MakeStores):
    """A hold past its TTL gives its units back and can no longer be committed."""
    [store] = make_stores(NET)
    short = store.reserve("short", [("FC0", "S0", 2)], ttl_seconds=0.05)
    long = store.reserve("long", [("FC1", "S0", 1)], ttl_seconds=600)
    assert short.ok and long.ok
    time.sleep(0.15)
    assert store.availability(["S0"]) == {"S0": {"FC0": 4, "FC1": 2}}
    assert store.reservation("short").state == EXPIRED
    assert store.reservation("long").state == HELD
    with pytest.raises(ReservationExpired, match="'short'"):
        store.commit("short")
    assert store.release("short").state == EXPIRED
    assert store.counters()["reservations_expired"] == 1
    assert reconciles(store.levels())


def test_sweep_expires_due_holds_without_other_traffic(make_stores: MakeStores):
    """sweep() returns every due hold's stock and counts them."""
    [store] = make_stores(NET)
    for i in range(3):
        assert store.reserve(f"r{i}", [("FC0", "S0", 1)], ttl_seconds=0.05).ok
    time.sleep(0.15)
    assert store.sweep() == 3
    assert store.sweep() == 0
    assert store.levels(["S0"])[0].reserved == 0


def test_commit_expires_a_due_hold_first(make_stores: MakeStores):
    """Committing after the TTL fails even when no sweep ran in between."""
    [store] = make_stores(NET)
    store.reserve("r1", [("FC0", "S0", 1)], ttl_seconds=0.05)
    time.sleep(0.15)
    with pytest.raises(ReservationExpired):
        store.commit("r1")
    assert store.levels(["S0"])[0].reserved == 0


def test_fulfil_lowers_on_hand_and_allocated_together(make_stores: MakeStores):
    """Shipping allocated units keeps available unchanged; shipping more is refused."""
    [store] = make_stores(NET)
    store.reserve("r1", [("FC0", "S0", 3)], ttl_seconds=60)
    store.commit("r1")
    row = store.fulfil("FC0", "S0", 2)
    assert (row.on_hand, row.allocated, row.available) == (3, 1, 1)
    with pytest.raises(OverFulfilment, match="only 1 allocated"):
        store.fulfil("FC0", "S0", 2)
    with pytest.raises(UnknownNode, match="fc_id"):
        store.fulfil("FC9", "S0", 1)
    with pytest.raises(InvalidInput, match="qty"):
        store.fulfil("FC0", "S0", 0)
    assert store.levels(["S0"])[0] == StockLevel("FC0", "S0", 3, 1, 0, 1, None)


def test_set_levels_keeps_promises_and_reports_the_shortfall(make_stores: MakeStores):
    """A count below what is promised keeps holds and allocations, shows 0 and the shortfall."""
    [store] = make_stores(NET)
    store.reserve("r1", [("FC0", "S0", 2)], ttl_seconds=60)
    store.reserve("r2", [("FC0", "S0", 1)], ttl_seconds=60)
    store.commit("r2")
    [row, new] = store.set_levels([("FC0", "S0", 2, None), ("FC1", "S1", 7, 2)])
    assert (row.on_hand, row.safety_stock, row.reserved, row.allocated) == (2, 1, 2, 1)
    assert (row.available, row.shortfall) == (0, 2)
    assert new == StockLevel("FC1", "S1", 7, 2, 0, 0, None)
    assert store.availability(["S0", "S1"]) == {
        "S0": {"FC0": 0, "FC1": 3},
        "S1": {"FC0": 2, "FC1": 5},
    }
    assert not store.reserve("r3", [("FC0", "S0", 1)], ttl_seconds=60).ok


@pytest.mark.parametrize(
    ("rows", "error", "field"),
    [
        ([("FC0", "S0", 1, None), ("FC0", "S1", -1, None)], InvalidInput, r"\[1\]\.on_hand"),
        ([("FC0", "S0", 1, -2)], InvalidInput, r"\[0\]\.safety_stock"),
        ([("FC0", "S0", 1, None), ("FC5", "S0", 1, None)], UnknownNode, r"\[1\]\.fc_id"),
        ([("FC0", "S0", 1, None), ("FC0", "X", 1, None)], UnknownSku, r"\[1\]\.sku"),
    ],
)
def test_set_levels_is_all_or_nothing(make_stores: MakeStores, rows: list, error: type, field: str):
    """One bad row rejects the whole sync, naming its field, and writes nothing."""
    [store] = make_stores(NET)
    before = store.levels()
    with pytest.raises(error, match=field):
        store.set_levels(rows)
    assert store.levels() == before


def test_restock_alerts_compare_on_hand_minus_allocated(make_stores: MakeStores):
    """Alerts list stocked rows (reorder point above 0) whose on_hand - allocated is at or below
    the reorder point; a row with reorder point 0 (a SKU the node does not stock) never alerts."""
    net = ledger_network([[5, 2], [3, 0]], reorder_point=[[3, -1], [2, 0]])
    [store] = make_stores(net)
    assert store.restock_alerts() == []  # FC1/S1 sits at its reorder point 0: not stocked
    store.reserve("r1", [("FC0", "S0", 2)], ttl_seconds=60)
    assert store.restock_alerts() == []  # a hold alone does not trigger an alert
    store.commit("r1")
    assert store.restock_alerts()[0] == RestockAlert("FC0", "S0", 5, 2, 3, 3)
    store.fulfil("FC0", "S0", 2)  # shipping lowers on_hand and allocated alike
    assert store.restock_alerts()[0] == RestockAlert("FC0", "S0", 3, 0, 3, 3)
    store.set_levels([("FC0", "S0", 9, None), ("FC1", "S1", 4, None)])
    assert store.restock_alerts() == []
    store.set_levels([("FC1", "S0", 2, None)])
    assert store.restock_alerts() == [RestockAlert("FC1", "S0", 2, 0, 2, 2)]
    assert store.num_restock_alerts() == 1


def test_idempotent_computes_once_and_guards_the_key(make_stores: MakeStores):
    """A stored answer is returned again; a failed compute leaves the key free; reuse is caught."""
    [store] = make_stores(NET)
    calls = []

    def compute() -> dict:
        calls.append(1)
        return {"n": len(calls)}

    assert store.idempotent("k1", compute, fingerprint="a") == {"n": 1}
    assert store.idempotent("k1", compute, fingerprint="a") == {"n": 1}
    with pytest.raises(IdempotencyKeyReused, match="k1"):
        store.idempotent("k1", compute, fingerprint="b")

    def boom() -> dict:
        raise ValueError("solver failed")

    with pytest.raises(ValueError, match="solver failed"):
        store.idempotent("k2", boom)
    assert store.idempotent("k2", compute) == {"n": 2}


def test_counters_count_and_accept_new_names(make_stores: MakeStores):
    """incr adds to any counter; the standard ones start at zero."""
    [store] = make_stores(NET)
    store.incr("resolves")
    store.incr("resolves", 2)
    counters = store.counters()
    assert counters["resolves"] == 3
    assert counters["reservations_created"] == 0
    store.ping()

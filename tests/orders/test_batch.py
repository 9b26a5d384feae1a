"""The batch over pending and backordered lines, on both stores: the optimizer's plan applied
with holds, never overselling what routing sold meanwhile."""

from __future__ import annotations

import pytest

from dom.orders import check_invariant, create_order, get_order
from dom.orders.batch import allocate_pending
from solvers import MaxRuntime
from tests.orders.conftest import MakeOms


def _order(k: int, zip_: str, **extra: object) -> dict:
    body = {
        "order_id": f"B{k}",
        "lines": [{"sku": "TEE", "qty": 2}, {"sku": "MUG", "qty": 1}],
        "destination": {"zip": zip_},
        "promised_days": 3,
        "allocation": "batch",
    }
    return {**body, **extra}


def test_pending_orders_are_allocated_by_the_optimizer(make_oms: MakeOms) -> None:
    oms = make_oms()
    for k in range(6):
        create_order(oms, _order(k, "10001" if k % 2 else "89501"))
    summary = allocate_pending(oms, stop=MaxRuntime(10))
    assert summary["orders"] == 6 and summary["allocated"] == 6
    assert summary["lower_bound"] <= summary["total_cost"]
    assert all(get_order(oms, f"B{k}")["status"] == "allocated" for k in range(6))
    assert check_invariant(oms) == []
    assert allocate_pending(oms)["orders"] == 0  # nothing left waiting


def test_stock_sold_meanwhile_is_never_oversold(
    make_oms: MakeOms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Routing sells the only RUGs between the batch's snapshot and its holds: the batch's
    orders fall back to the kernel over live stock and are backordered, nothing oversold."""
    import dom.orders.batch as batch

    oms = make_oms()
    for k in range(3):
        create_order(oms, {**_order(k, "89501"), "lines": [{"sku": "RUG", "qty": 1}]})
    real = batch._live_network

    def snapshot_then_sell(oms_, skus):  # the snapshot is taken, then routing sells the stock
        network = real(oms_, skus)
        for k in range(3):
            body = {**_order(10 + k, "89501"), "lines": [{"sku": "RUG", "qty": 1}]}
            create_order(oms_, {**body, "allocation": "now"})
        return network

    monkeypatch.setattr(batch, "_live_network", snapshot_then_sell)
    summary = allocate_pending(oms, stop=MaxRuntime(5))
    assert summary["fallback"] == 3
    assert all(get_order(oms, f"B{k}")["status"] == "backordered" for k in range(3))
    assert all(get_order(oms, f"B{10 + k}")["status"] == "allocated" for k in range(3))
    assert check_invariant(oms) == []

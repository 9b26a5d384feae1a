"""Quantities never drift: random sequences of every call of contracts §7 against both stores,
with each line's buckets summing to its qty and the ledger invariant checked after every step
(hypothesis' rule-based state machine)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dom.errors import InvalidInput
from dom.orders import (
    Contention,
    IllegalTransition,
    Oms,
    cancel_order,
    check_invariant,
    create_order,
    hold_order,
    list_orders,
    pick,
    promise,
    receive_return,
    release,
    release_hold,
    request_return,
    ship,
    track,
    wake_backorders,
)
from dom.orders.state import BUCKETS
from tests.orders.conftest import MakeOms

SKUS = ["TEE", "MUG", "LAMP", "GIFT"]
ZIPS = ["10001", "89501", "02116", "75201"]
NODES = ["EWR", "RNO", "BOS"]
REFUSED = (IllegalTransition, InvalidInput, Contention)  # outcomes a caller may get back

line_st = st.fixed_dictionaries({"sku": st.sampled_from(SKUS), "qty": st.integers(1, 3)})


class Lifecycle(RuleBasedStateMachine):
    """Every call of §7 in any order; refusals are fine, drift is not."""

    def __init__(self, make_oms: MakeOms) -> None:
        super().__init__()
        self.make_oms = make_oms
        self.oms: Oms
        self.orders: dict[str, dict[str, Any]] = {}
        self.count = 0

    @initialize()
    def start(self) -> None:
        self.oms = self.make_oms()

    def _fulfillments(self, status: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (o["order_id"], f)
            for o in self.orders.values()
            for f in o["fulfillments"]
            if f["status"] == status
        ]

    def _refresh(self, order_id: str) -> None:
        from dom.orders import get_order

        self.orders[order_id] = get_order(self.oms, order_id)

    def _refresh_all(self) -> None:
        for order_id in list(self.orders):
            self._refresh(order_id)

    @rule(
        lines=st.lists(line_st, min_size=1, max_size=3),
        zip_=st.sampled_from(ZIPS),
        batch=st.booleans(),
        ship_complete=st.booleans(),
    )
    def create(
        self, lines: list[dict[str, Any]], zip_: str, batch: bool, ship_complete: bool
    ) -> None:
        self.count += 1
        body = {
            "order_id": f"O{self.count}",
            "lines": lines,
            "destination": {"zip": zip_},
            "promised_days": 3,
            "ship_complete": ship_complete,
            "allocation": "batch" if batch else "now",
        }
        order, created = create_order(self.oms, body)
        assert created
        self.orders[order["order_id"]] = order
        again, created = create_order(self.oms, body)
        assert not created and again["order_id"] == order["order_id"]

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), everything=st.booleans())
    def cancel(self, data: st.DataObject, everything: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        lines = None
        if not everything:
            order = self.orders[order_id]
            n = data.draw(st.integers(0, len(order["lines"]) - 1))
            lines = [{"line_no": n, "qty": data.draw(st.integers(1, 3))}]
        with contextlib.suppress(REFUSED):
            cancel_order(self.oms, order_id, lines)
        self._refresh_all()

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def hold_or_release_hold(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        try:
            if self.orders[order_id]["on_hold"]:
                release_hold(self.oms, order_id)
            else:
                hold_order(self.oms, order_id, "review")
        except REFUSED:
            pass
        self._refresh(order_id)

    @rule(node=st.sampled_from(NODES), max_orders=st.none() | st.integers(1, 3))
    def release_node(self, node: str, max_orders: int | None) -> None:
        answer = release(self.oms, node, max_orders=max_orders)
        for f in answer["released"]:
            assert not self.orders[f["order_id"]]["on_hold"]
        self._refresh_all()

    @precondition(lambda self: self._fulfillments("released"))
    @rule(data=st.data())
    def pick_one(self, data: st.DataObject) -> None:
        _order_id, f = data.draw(st.sampled_from(self._fulfillments("released")))
        lines = [
            {"line_no": x["line_no"], "picked_qty": data.draw(st.integers(0, x["qty"]))}
            for x in f["lines"]
        ]
        with contextlib.suppress(REFUSED):
            pick(self.oms, f["fulfillment_id"], lines)
        self._refresh_all()

    @precondition(lambda self: self._fulfillments("picked"))
    @rule(data=st.data())
    def ship_one(self, data: st.DataObject) -> None:
        order_id, f = data.draw(st.sampled_from(self._fulfillments("picked")))
        ship(self.oms, f["fulfillment_id"])
        self._refresh(order_id)

    @precondition(lambda self: self._fulfillments("shipped"))
    @rule(
        data=st.data(),
        status=st.sampled_from(["in_transit", "out_for_delivery", "delivered", "exception"]),
        day=st.integers(3, 6),
    )
    def track_one(self, data: st.DataObject, status: str, day: int) -> None:
        order_id, f = data.draw(st.sampled_from(self._fulfillments("shipped")))
        at = f"2026-03-0{day}T10:00:00Z"
        track(self.oms, {"tracking_number": f["tracking_number"], "status": status, "at": at})
        self._refresh(order_id)

    @precondition(
        lambda self: any(
            ln["delivered"] > ln["returned"] for o in self.orders.values() for ln in o["lines"]
        )
    )
    @rule(data=st.data())
    def return_some(self, data: st.DataObject) -> None:
        choices = [
            (o["order_id"], ln["line_no"], ln["delivered"] - ln["returned"])
            for o in self.orders.values()
            for ln in o["lines"]
            if ln["delivered"] > ln["returned"]
        ]
        order_id, n, most = data.draw(st.sampled_from(choices))
        ret = request_return(
            self.oms, order_id, [{"line_no": n, "qty": data.draw(st.integers(1, most))}]
        )
        q = ret["lines"][0]["qty"]
        sellable = data.draw(st.integers(0, q))
        lines = [{"line_no": n, "qty": sellable, "condition": "sellable"}] if sellable else []
        if q - sellable:
            lines.append({"line_no": n, "qty": q - sellable, "condition": "damaged"})
        receive_return(self.oms, ret["return_id"], lines)
        self._refresh_all()

    @rule()
    def wake(self) -> None:
        wake_backorders(self.oms)
        self._refresh_all()

    @rule(zip_=st.sampled_from(ZIPS), lines=st.lists(line_st, min_size=1, max_size=2))
    def ask_promise(self, zip_: str, lines: list[dict[str, Any]]) -> None:
        options = promise(self.oms, {"lines": lines, "destination": {"zip": zip_}})["options"]
        costs = [o["cost"] for o in options]
        assert costs == sorted(costs, reverse=True)

    @invariant()
    def quantities_never_drift(self) -> None:
        if not hasattr(self, "oms"):
            return
        stored = {o["order_id"]: o for o in list_orders(self.oms, limit=500)["orders"]}
        assert stored.keys() == self.orders.keys()
        for order in stored.values():
            for line in order["lines"]:
                assert sum(line[b] for b in BUCKETS) == line["qty"], line
                assert 0 <= line["returned"] <= line["delivered"] <= line["shipped"], line
            units: dict[int, int] = {}
            for f in order["fulfillments"]:
                if f["status"] in ("allocated", "released", "picked"):
                    for x in f["lines"]:
                        units[x["line_no"]] = units.get(x["line_no"], 0) + x["qty"]
            for line in order["lines"]:
                assert units.get(line["line_no"], 0) == line["allocated"], order
        assert check_invariant(self.oms) == []


@pytest.mark.slow
def test_quantities_never_drift(make_oms: MakeOms) -> None:
    """Random sequences of every lifecycle call keep every line's buckets summing to its qty,
    fulfillments matching ``allocated``, and the ledger invariant true after every step."""
    run_state_machine_as_test(
        lambda: Lifecycle(make_oms),
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

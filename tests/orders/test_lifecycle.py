"""The lifecycle's contract, on both stores: every transition, its quantities, its events, its
ledger operations, and the invariant of contracts §7 after each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dom.errors import InvalidInput
from dom.events.feed import list_events
from dom.orders import (
    IllegalTransition,
    OrderConflict,
    OrderNotFound,
    cancel_order,
    check_invariant,
    create_order,
    get_order,
    hold_order,
    list_orders,
    order_tracking,
    pick,
    promise,
    receive_return,
    reconcile,
    release,
    release_hold,
    request_return,
    ship,
    track,
)
from dom.orders.models import LedgerOpRow
from tests.orders.conftest import MakeOms

ORDER = {
    "order_id": "A1",
    "lines": [{"sku": "TEE", "qty": 2}, {"sku": "MUG", "qty": 1}],
    "destination": {"zip": "10001"},
    "promised_days": 5,
    "channel": "web",
}


def _types(oms, order_id: str) -> list[str]:
    return [e["type"] for e in list_events(oms.store, order_id=order_id, limit=1000)]


def _ship_all(oms, order_id: str) -> list[dict]:
    """Release, pick in full and ship every allocated fulfillment of the order."""
    out = []
    for f in get_order(oms, order_id)["fulfillments"]:
        if f["status"] != "allocated":
            continue
        release(oms, f["fc_id"])
        lines = [{"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]]
        pick(oms, f["fulfillment_id"], lines)
        out.append(ship(oms, f["fulfillment_id"]))
    return out


def test_create_routes_commits_and_is_idempotent(make_oms: MakeOms) -> None:
    """An order is routed by the kernel, its stock committed; the same body again answers the
    stored order, another body under the same id is a conflict."""
    oms = make_oms()
    order, created = create_order(oms, ORDER)
    assert created and order["status"] == "allocated"
    assert sum(f["lines"][0]["qty"] for f in order["fulfillments"] if f["lines"]) >= 1
    assert all(line["allocated"] == line["qty"] for line in order["lines"])
    again, created_again = create_order(oms, dict(ORDER))
    assert not created_again and again == order
    with pytest.raises(OrderConflict):
        create_order(oms, {**ORDER, "promised_days": 2})
    assert check_invariant(oms) == []
    assert _types(oms, "A1") == ["order.created", "order.allocated"]
    levels = {(lv.fc_id, lv.sku): lv for lv in oms.ledger.levels()}
    assert sum(lv.reserved for lv in levels.values()) == 0  # every hold committed


def test_lines_no_node_can_fill_are_backordered_and_woken_by_a_return(make_oms: MakeOms) -> None:
    """RUG is stocked only at the disabled DAL and at RNO (3 units): a second order to Reno is
    backordered, then a sellable return of the first order's units wakes it."""
    oms = make_oms()
    reno = {**ORDER, "destination": {"zip": "89501"}}
    for k in range(3):  # one rug a parcel: three rugs weigh more than the rate card carries
        first, _ = create_order(
            oms, {**reno, "order_id": f"R1{k}", "lines": [{"sku": "RUG", "qty": 1}]}
        )
        assert first["status"] == "allocated"
    second, _ = create_order(oms, {**reno, "order_id": "R2", "lines": [{"sku": "RUG", "qty": 1}]})
    assert second["status"] == "backordered" and second["lines"][0]["backordered"] == 1
    _ship_all(oms, "R10")
    number = get_order(oms, "R10")["fulfillments"][0]["tracking_number"]
    track(oms, {"tracking_number": number, "status": "delivered", "at": "2026-03-05T10:00:00Z"})
    ret = request_return(oms, "R10", [{"line_no": 0, "qty": 1, "reason": "colour"}])
    assert ret["status"] == "requested" and ret["to_fc_id"] == "RNO"
    receive_return(oms, ret["return_id"], [{"line_no": 0, "qty": 1, "condition": "sellable"}])
    woken = get_order(oms, "R2")
    assert woken["status"] == "allocated", woken
    assert check_invariant(oms) == []


def test_cancel_gives_stock_back_and_refuses_picked_units(make_oms: MakeOms) -> None:
    """Units not yet picked cancel (their stock available again); asking for picked units is a
    409 naming the line and its quantities."""
    oms = make_oms()
    create_order(oms, ORDER)
    before = oms.ledger.availability(["TEE"])
    order = cancel_order(oms, "A1", [{"line_no": 0, "qty": 1}])
    assert order["lines"][0]["cancelled"] == 1 and order["lines"][0]["allocated"] == 1
    after = oms.ledger.availability(["TEE"])
    assert sum(after["TEE"].values()) == sum(before["TEE"].values()) + 1
    f = order["fulfillments"][0]
    release(oms, f["fc_id"])
    pick(
        oms,
        f["fulfillment_id"],
        [{"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]],
    )
    with pytest.raises(IllegalTransition, match=r"line 0 .*picked 1"):
        cancel_order(oms, "A1", [{"line_no": 0, "qty": 1}])
    with pytest.raises(IllegalTransition, match="no unit is left"):
        cancel_order(oms, "A1")
    with pytest.raises(InvalidInput, match=r"lines\[0\]\.line_no"):
        cancel_order(oms, "A1", [{"line_no": 7, "qty": 1}])
    assert check_invariant(oms) == []


def test_cancel_everything_cancels_the_order(make_oms: MakeOms) -> None:
    oms = make_oms()
    create_order(oms, ORDER)
    order = cancel_order(oms, "A1")
    assert order["status"] == "cancelled"
    assert all(f["status"] == "cancelled" for f in order["fulfillments"])
    assert "fulfillment.cancelled" in _types(oms, "A1")
    assert check_invariant(oms) == []
    assert all(lv.allocated == 0 for lv in oms.ledger.levels())


def test_a_hold_keeps_fulfillments_from_release(make_oms: MakeOms) -> None:
    oms = make_oms()
    order, _ = create_order(oms, ORDER)
    node = order["fulfillments"][0]["fc_id"]
    assert hold_order(oms, "A1", "fraud review")["on_hold"]
    with pytest.raises(IllegalTransition, match="already on hold"):
        hold_order(oms, "A1", "again")
    assert release(oms, node)["released"] == []
    release_hold(oms, "A1")
    assert [f["order_id"] for f in release(oms, node)["released"]] == ["A1"]
    with pytest.raises(IllegalTransition, match="not on hold"):
        release_hold(oms, "A1")


def test_release_at_a_node_with_a_layout_makes_waves(make_oms: MakeOms) -> None:
    """The sample network's FC-ATL has a layout and a slotting: released fulfillments come in
    waves, each with its pick route (contracts §5)."""
    from dom.io import load_network
    from tests.orders.conftest import WAREHOUSES

    oms = make_oms(load_network(WAREHOUSES.parents[0] / "sample" / "network"))
    for k in range(6):
        body = {
            "order_id": f"W{k}",
            "lines": [{"sku": f"SKU-0000{k + 2}", "qty": 1}],
            "destination": {"zip": "30303"},  # Atlanta
            "promised_days": 3,
        }
        create_order(oms, body)
    answer = release(oms, "FC-ATL")
    assert answer["released"], "orders near Atlanta ship from FC-ATL"
    waves = answer["waves"]
    assert waves is not None and waves["num_orders"] == len(answer["released"])
    wave = waves["waves"][0]
    assert wave["route"]["length_m"] > 0 and wave["route"]["stops"]
    ids = {f["fulfillment_id"] for f in answer["released"]}
    assert {s for w in waves["waves"] for s in w["shipments"]} == ids
    assert all(f["wave_id"] for f in answer["released"])


def test_a_short_pick_lowers_on_hand_and_reroutes(make_oms: MakeOms) -> None:
    """One TEE missing at the node: on_hand falls by it, the unit goes to another node."""
    oms = make_oms()
    order, _ = create_order(oms, ORDER)
    f = order["fulfillments"][0]
    node = f["fc_id"]
    before = {lv.sku: lv.on_hand for lv in oms.ledger.levels() if lv.fc_id == node}
    release(oms, node)
    picked = pick(
        oms, f["fulfillment_id"], [{"line_no": 0, "picked_qty": 1}, {"line_no": 1, "picked_qty": 1}]
    )
    assert picked["status"] == "picked" and picked["lines"][0] == {
        "line_no": 0,
        "sku": "TEE",
        "qty": 1,
        "missing": 1,
    }
    after = {lv.sku: lv.on_hand for lv in oms.ledger.levels() if lv.fc_id == node}
    assert after["TEE"] == before["TEE"] - 1
    order = get_order(oms, "A1")
    new = [x for x in order["fulfillments"] if x["fulfillment_id"] != f["fulfillment_id"]]
    assert len(new) == 1 and new[0]["fc_id"] != node and new[0]["lines"][0]["qty"] == 1
    assert "line.rerouted" in _types(oms, "A1")
    assert order["lines"][0]["allocated"] == 2
    assert check_invariant(oms) == []


def test_pick_and_ship_check_their_states(make_oms: MakeOms) -> None:
    oms = make_oms()
    order, _ = create_order(oms, ORDER)
    fid = order["fulfillments"][0]["fulfillment_id"]
    with pytest.raises(IllegalTransition, match=f"fulfillment '{fid}' is allocated"):
        pick(oms, fid, [{"line_no": 0, "picked_qty": 2}, {"line_no": 1, "picked_qty": 1}])
    with pytest.raises(IllegalTransition, match="only a picked fulfillment can ship"):
        ship(oms, fid)
    release(oms, order["fulfillments"][0]["fc_id"])
    with pytest.raises(InvalidInput, match="no picked_qty for line"):
        pick(oms, fid, [{"line_no": 0, "picked_qty": 2}])
    with pytest.raises(InvalidInput, match="picked_qty is 3"):
        pick(oms, fid, [{"line_no": 0, "picked_qty": 3}, {"line_no": 1, "picked_qty": 1}])
    with pytest.raises(OrderNotFound):
        ship(oms, "nope")


def test_ship_track_deliver_never_moves_back(make_oms: MakeOms) -> None:
    """Shipping lowers on_hand and allocated together; tracking is idempotent, an older event
    never moves the status back, an exception is recorded, delivered delivers."""
    oms = make_oms()
    create_order(oms, ORDER)
    shipped = _ship_all(oms, "A1")
    numbers = [f["tracking_number"] for f in shipped]
    assert len(set(numbers)) == len(numbers)
    assert get_order(oms, "A1")["status"] == "shipped"
    n = numbers[0]
    track(oms, {"tracking_number": n, "status": "out_for_delivery", "at": "2026-03-04T08:00:00Z"})
    f = track(oms, {"tracking_number": n, "status": "in_transit", "at": "2026-03-03T08:00:00Z"})
    assert f["tracking_status"] == "out_for_delivery"
    events = len(_types(oms, "A1"))
    track(oms, {"tracking_number": n, "status": "in_transit", "at": "2026-03-03T08:00:00Z"})
    assert len(_types(oms, "A1")) == events  # a repeat changes nothing
    f = track(
        oms,
        {
            "tracking_number": n,
            "status": "exception",
            "at": "2026-03-04T09:00:00Z",
            "detail": "address",
        },
    )
    assert f["status"] == "shipped" and f["exception"] == "address"
    for number in numbers:
        track(oms, {"tracking_number": number, "status": "delivered", "at": "2026-03-05T10:00:00Z"})
    order = get_order(oms, "A1")
    assert order["status"] == "delivered"
    assert [e["status"] for e in order_tracking(oms, "A1")["fulfillments"][0]["events"]] == [
        "in_transit",
        "out_for_delivery",
        "exception",
        "delivered",
    ]
    with pytest.raises(OrderNotFound):
        track(oms, {"tracking_number": "NOPE", "status": "delivered", "at": "2026-03-05T10:00:00Z"})
    assert check_invariant(oms) == []


def test_returns_go_to_the_cheapest_node_accepting_them(make_oms: MakeOms) -> None:
    oms = make_oms()
    create_order(oms, ORDER)
    with pytest.raises(IllegalTransition, match="0 delivered"):
        request_return(oms, "A1", [{"line_no": 0, "qty": 1}])
    for f in _ship_all(oms, "A1"):
        track(
            oms,
            {
                "tracking_number": f["tracking_number"],
                "status": "delivered",
                "at": "2026-03-05T10:00:00Z",
            },
        )
    ret = request_return(oms, "A1", [{"line_no": 0, "qty": 2, "reason": "size"}])
    # New York: EWR is the nearest node, zone 2 GROUND
    assert ret["to_fc_id"] in ("EWR", "BOS") and ret["label_cost"] > 0
    with pytest.raises(IllegalTransition, match="2 already returned"):
        request_return(oms, "A1", [{"line_no": 0, "qty": 1}])
    before = {(lv.fc_id, lv.sku): lv.on_hand for lv in oms.ledger.levels()}
    got = receive_return(
        oms,
        ret["return_id"],
        [
            {"line_no": 0, "qty": 1, "condition": "sellable"},
            {"line_no": 0, "qty": 1, "condition": "damaged"},
        ],
    )
    assert got["status"] == "received" and got["lines"][0]["sellable"] == 1
    assert (
        oms.ledger.levels(["TEE"])
        and {(lv.fc_id, lv.sku): lv.on_hand for lv in oms.ledger.levels()}[(ret["to_fc_id"], "TEE")]
        == before[(ret["to_fc_id"], "TEE")] + 1
    )
    with pytest.raises(IllegalTransition, match="is received"):
        receive_return(oms, ret["return_id"], [{"line_no": 0, "qty": 1, "condition": "sellable"}])
    assert check_invariant(oms) == []


def test_batch_orders_stay_pending_and_list_newest_first(make_oms: MakeOms) -> None:
    oms = make_oms()
    for k in range(5):
        create_order(
            oms,
            {
                **ORDER,
                "order_id": f"B{k}",
                "allocation": "batch",
                "channel": "phone" if k % 2 else "web",
            },
        )
    page = list_orders(oms, limit=2)
    assert [o["order_id"] for o in page["orders"]] == ["B4", "B3"] and page["next_cursor"]
    rest = list_orders(oms, limit=10, cursor=page["next_cursor"])
    assert [o["order_id"] for o in rest["orders"]] == ["B2", "B1", "B0"] and rest[
        "next_cursor"
    ] is None
    assert {o["order_id"] for o in list_orders(oms, channel="phone")["orders"]} == {"B1", "B3"}
    assert all(o["status"] == "pending" for o in list_orders(oms, status="pending")["orders"])
    assert all(lv.allocated == 0 and lv.reserved == 0 for lv in oms.ledger.levels())


def test_promise_options_are_fastest_first_and_undominated(make_oms: MakeOms) -> None:
    oms = make_oms()
    options = promise(oms, {"lines": [{"sku": "TEE", "qty": 2}], "destination": {"zip": "10001"}})[
        "options"
    ]
    assert options
    etas = [o["eta_days"] for o in options]
    costs = [o["cost"] for o in options]
    assert etas == sorted(set(etas)) and costs == sorted(costs, reverse=True)
    assert len(set(costs)) == len(costs)


def test_the_reconciler_applies_what_a_crash_left_in_the_outbox(make_oms: MakeOms) -> None:
    """A change committed whose ledger operations never ran (the process died right after the
    commit): the ledger disagrees until the reconciler applies them, once."""
    oms = make_oms()
    create_order(oms, ORDER)
    import dom.orders.oms as oms_module

    real = oms_module.Oms.change

    def crashing_change(self):  # the commit happens; the ops are never applied
        from contextlib import contextmanager

        @contextmanager
        def body():
            with self.store.write() as session:
                unit = oms_module.Unit(self, session)
                yield unit
                unit.flush()

        return body()

    oms_module.Oms.change = crashing_change  # type: ignore[method-assign]
    try:
        cancel_order(oms, "A1")
    finally:
        oms_module.Oms.change = real  # type: ignore[method-assign]
    assert check_invariant(oms) != []
    assert reconcile(oms) == 1
    assert check_invariant(oms) == []
    assert reconcile(oms) == 0
    with oms.store.read() as session:
        assert all(session.execute(select(LedgerOpRow.done)).scalars())


def test_an_expired_hold_is_taken_again_or_backordered(
    make_oms: MakeOms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hold of a committed order expired before its commit ran: the reconciler backorders
    the units when the stock was sold meanwhile (nothing is oversold)."""
    import time

    import dom.orders.capture as capture

    oms = make_oms(hold_ttl=0.05)
    reno = {**ORDER, "destination": {"zip": "89501"}, "lines": [{"sku": "RUG", "qty": 1}]}
    with monkeypatch.context() as patch:
        patch.setattr(capture, "apply_ops", lambda oms, ops: 0)  # the process dies after commit
        create_order(oms, {**reno, "order_id": "E1"})
    time.sleep(0.1)
    oms.ledger.sweep()
    for k in range(3):  # others buy the 3 RUGs at RNO while E1's hold is gone
        other, _ = create_order(oms, {**reno, "order_id": f"E2{k}"})
        assert other["status"] == "allocated"
    reconcile(oms)
    assert get_order(oms, "E1")["status"] == "backordered"
    assert "order.backordered" in _types(oms, "E1")
    assert check_invariant(oms) == []

"""Walk sample orders from capture to delivery and one return, printing each event as it happens.

    python -m scripts.lifecycle [--orders 3] [--data-dir DIR]

Embedded (SQLite in a temporary folder unless --data-dir, the memory ledger), on the sample
bundle and its warehouses' layouts: create, release (with waves), pick (the first pick one unit
short, re-routed), ship, tracking to delivery, one return received sellable.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.api.order_bodies import order_bodies
from dom.inventory import MemoryStore
from dom.io import load_network
from dom.orders import (
    Oms,
    OrderStore,
    check_invariant,
    create_order,
    get_order,
    pick,
    receive_return,
    release,
    request_return,
    ship,
    track,
)

ROOT = Path(__file__).resolve().parents[1]


def show(events: list[dict[str, Any]]) -> None:
    for e in events:
        data = e["data"]
        brief = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
        print(f"  #{e['id']:<4} {e['type']:<24} {e['order_id'] or '':<12} {json.dumps(brief)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="dom-lifecycle-"))
    network = load_network(ROOT / "data" / "sample" / "network")
    store = OrderStore.open(None, folder)
    store.upgrade()
    ledger = MemoryStore()
    ledger.load(network)
    oms = Oms.build(store, ledger, network, warehouse_dir=ROOT / "data" / "warehouses")
    oms.listeners.append(show)
    bodies = order_bodies(ROOT / "data" / "sample" / "orders.csv", limit=args.orders)
    print(f"order store: {folder}")
    for body in bodies:
        print(f"create {body['order_id']} ({body.get('channel')}, lines {body['lines']})")
        create_order(oms, body)
    short = True
    for body in bodies + bodies:  # a second pass ships what the short pick re-routed
        for f in get_order(oms, body["order_id"])["fulfillments"]:
            if f["status"] != "allocated":
                continue
            answer = release(oms, f["fc_id"])
            if answer["waves"]:
                w = answer["waves"]
                print(
                    f"release {f['fc_id']}: {w['num_waves']} wave(s), "
                    f"walk {w['total_walk_m']:.0f} m"
                )
            lines = [{"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]]
            if short:
                lines[0]["picked_qty"] -= 1
                short = False
                print(f"pick {f['fulfillment_id']} one unit short")
            if pick(oms, f["fulfillment_id"], lines)["status"] == "picked":
                number = ship(oms, f["fulfillment_id"])["tracking_number"]
                for status, at in (
                    ("in_transit", "2025-03-05T09:00:00Z"),
                    ("delivered", "2025-03-06T15:00:00Z"),
                ):
                    track(oms, {"tracking_number": number, "status": status, "at": at})
    for body in bodies:
        order = get_order(oms, body["order_id"])
        line = next((x for x in order["lines"] if x["delivered"]), None)
        if line is not None:
            print(f"return one unit of {order['order_id']} line {line['line_no']}")
            ret = request_return(
                oms,
                order["order_id"],
                [{"line_no": line["line_no"], "qty": 1, "reason": "too big"}],
            )
            receive_return(
                oms,
                ret["return_id"],
                [{"line_no": line["line_no"], "qty": 1, "condition": "sellable"}],
            )
            break
    for body in bodies:
        print(f"{body['order_id']}: {get_order(oms, body['order_id'])['status']}")
    problems = check_invariant(oms)
    print("store and ledger agree" if not problems else "\n".join(problems))


if __name__ == "__main__":
    main()

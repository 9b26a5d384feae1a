"""What every lifecycle action works with (``Oms``: the order store, the ledger, the network and
its router), and the unit of work that makes one change: rows, the ledger operations it causes
(the outbox, ``dom.orders.outbox``) and its events (``dom.events.outbox``), in one transaction.

The consistency design (docs/orders.md, The two stores): the order store is the source of truth;
a change writes the ledger operations it implies as rows of ``ledger_ops`` in the same
transaction, and they are applied to the ledger after the commit, each idempotently (a
reservation commit is idempotent by its state, an adjustment by its op id). A crash anywhere
leaves either no change at all or a committed change whose operations the reconciler applies.
Stock is held in the ledger *before* the transaction (a reservation with a TTL), so routing
never oversells; a hold whose order never committed expires.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from dom.events.outbox import PendingEvent, append_events
from dom.inventory import InventoryStore
from dom.model import Network
from dom.orders.models import LedgerOpRow
from dom.orders.store import OrderStore
from dom.sourcing import Router

Listener = Callable[[list[dict[str, Any]]], None]


def utc_now() -> datetime:
    """Now, as the store keeps times: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Oms:
    """The order management system's parts; built once by the service, the CLI or a test."""

    store: OrderStore
    ledger: InventoryStore
    network: Network
    router: Router
    hold_ttl: float = 900.0  # seconds a hold lives before its order commits
    max_resolves: int = 3  # re-solves after a lost race for stock
    warehouse_dir: Path | None = None  # {fc_id}/layout.json + slotting.csv for waves
    carrier: str = "DOMX"  # carrier named on a shipment when the warehouse names none
    clock: Callable[[], datetime] = utc_now
    listeners: list[Listener] = field(default_factory=list)  # told of each change's events
    _done: list[str] = field(default_factory=list)
    _done_lock: threading.Lock = field(default_factory=threading.Lock)
    _components: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # e.g. layouts and slottings per node
    writer: Any = None  # a BatchWriter (dom.orders.writer) when the service batches creates

    @classmethod
    def build(cls, store: OrderStore, ledger: InventoryStore, network: Network, **kw: Any) -> Oms:
        return cls(store, ledger, network, Router(network), **kw)

    def components(self, item: str) -> list[tuple[str, int]]:
        """``(sku, units per item)`` a SKU or kit draws from the shelf."""
        found = self._components.get(item)
        if found is None:
            net = self.network
            code = net.item_code(item)
            if code < net.num_skus:
                found = [(item, 1)]
            else:
                k = code - net.num_skus
                lo, hi = int(net.kit_ptr[k]), int(net.kit_ptr[k + 1])
                found = [
                    (str(net.sku_ids[net.kit_comp_sku[c]]), int(net.kit_comp_qty[c]))
                    for c in range(lo, hi)
                ]
            self._components[item] = found
        return found

    def stock_items(self, fc_id: str, item: str, qty: int) -> list[tuple[str, str, int]]:
        """``(fc_id, sku, units)`` of ``qty`` of a SKU or kit at a node."""
        return [(fc_id, sku, units * qty) for sku, units in self.components(item)]

    @contextlib.contextmanager
    def change(self) -> Iterator[Unit]:
        """One change: the block's rows, then its ledger operations and events, committed
        together; the operations are applied to the ledger after the commit."""
        from dom.orders.outbox import apply_ops  # the outbox needs the actions' repairs

        with self.store.write() as session:
            unit = Unit(self, session)
            yield unit
            unit.flush()
        if unit.ops:
            apply_ops(self, unit.ops)
        self.publish(unit.published)

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Tell the listeners of committed events."""
        if events:
            for listener in list(self.listeners):
                listener(events)

    def finished(self, op_ids: list[str]) -> None:
        """Note applied operations; ``flush_done`` marks them in the store in one statement."""
        with self._done_lock:
            self._done.extend(op_ids)

    def flush_done(self) -> int:
        """Mark the noted operations done (batched: a create need not pay a second write)."""
        with self._done_lock:
            ids, self._done = self._done, []
        if ids:
            with self.store.write() as session:
                for k in range(0, len(ids), 500):
                    session.execute(
                        update(LedgerOpRow)
                        .where(LedgerOpRow.op_id.in_(ids[k : k + 500]))
                        .values(done=True)
                    )
        return len(ids)


def ledger_op(
    kind: str, items: list[list[Any]], reservation_id: str | None, now: datetime
) -> LedgerOpRow:
    """A row of the outbox: ``commit`` a hold, or ``adjust`` on_hand/allocated."""
    return LedgerOpRow(
        op_id=uuid.uuid4().hex,
        kind=kind,
        reservation_id=reservation_id,
        items=items,
        done=False,
        created_at=now,
    )


class Unit:
    """The change being made: its session, and the events and ledger operations it appends."""

    def __init__(self, oms: Oms, session: Session) -> None:
        self.oms = oms
        self.session = session
        self.now = oms.clock()
        self.events: list[PendingEvent] = []
        self.ops: list[LedgerOpRow] = []
        self._adjust: list[tuple[str, str, int, int]] = []
        self.published: list[dict[str, Any]] = []

    def event(self, type: str, order_id: str | None, data: dict[str, Any]) -> None:
        self.events.append((type, order_id, data))

    def commit_op(self, reservation_id: str, items: list[tuple[str, str, int]]) -> None:
        """After the commit: turn the hold into an allocation."""
        self._op("commit", [list(i) for i in items], reservation_id)

    def adjust_op(self, items: list[tuple[str, str, int, int]]) -> None:
        """After the commit: ``(fc_id, sku, on_hand_delta, allocated_delta)`` in the ledger (one
        operation per change, applied before the change's commits)."""
        self._adjust.extend(items)

    def _op(self, kind: str, items: list[list[Any]], reservation_id: str | None) -> None:
        op = ledger_op(kind, items, reservation_id, self.now)
        self.ops.insert(len(self.ops) if kind == "commit" else 0, op)

    def flush(self) -> None:
        """Write the operations, then the events (their counter lock is held shortest last)."""
        if self._adjust:
            self._op("adjust", [list(i) for i in self._adjust], None)
            self._adjust = []
        self.session.add_all(self.ops)
        self.session.flush()
        self.published = append_events(self.oms.store, self.session, self.events, self.now)

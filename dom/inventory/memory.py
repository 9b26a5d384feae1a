"""The embedded ledger: one process, thread-safe, nothing to run.

Every operation takes one lock for its whole read-check-write, so each is atomic with respect to
every other; that is the same guarantee the Redis store gets from running each operation as one
Lua script. Expired holds sit in a heap by expiry time and are swept under the lock at the start
of every operation that reads or changes stock, so an expired hold never blocks a reservation.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from dom.errors import UnknownNode, UnknownSku
from dom.inventory.base import (
    COMMITTED,
    COUNTERS,
    EXPIRED,
    HELD,
    OP_MEMORY_SECONDS,
    RELEASED,
    TOMBSTONE_SECONDS,
    HoldItem,
    IdempotencyBase,
    InventoryStore,
    LedgerSnapshot,
    Reservation,
    ReserveOutcome,
    RestockAlert,
    Shortage,
    StockLevel,
    canonical_adjustments,
    canonical_items,
    canonical_levels,
    check_fulfilment,
    check_reservation_args,
    closed_conflict,
    finished_commit,
    finished_release,
    needs_restock,
    not_found,
)
from dom.inventory.errors import OverFulfilment
from dom.model import Network


@dataclass
class _Row:
    on_hand: int = 0
    safety_stock: int = 0
    reserved: int = 0
    allocated: int = 0
    reorder_point: int | None = None


@dataclass
class _Hold:
    reservation: Reservation
    finished_at: float = field(default=0.0)


class MemoryStore(IdempotencyBase, InventoryStore):
    """The ledger in this process's memory (the default without ``DOM_REDIS_URL``)."""

    def __init__(self, *, tombstone_seconds: float = TOMBSTONE_SECONDS) -> None:
        self._lock = threading.RLock()
        self._tombstone_seconds = tombstone_seconds
        self._enabled: dict[str, bool] = {}
        self._loaded = False
        self._skus: dict[str, dict[str, _Row]] = {}  # sku -> fc_id -> row (the SKU catalogue)
        self._restock: set[tuple[str, str]] = set()  # (sku, fc_id) at or below reorder point
        self._holds: dict[str, _Hold] = {}
        self._expiry: list[tuple[float, str]] = []  # heap of (expires_at, reservation id)
        self._counters: Counter[str] = Counter(dict.fromkeys(COUNTERS, 0))
        self._idem: dict[str, tuple[str, float]] = {}  # key -> (record, monotonic deadline)
        self._ops: dict[str, float] = {}  # adjustment id -> when applied (insertion order)

    def load(self, network: Network, *, replace: bool = False) -> bool:
        snap = LedgerSnapshot.from_network(network)
        with self._lock:
            if self._loaded and not replace:
                return False
            self._loaded = True
            self._enabled = dict(zip(snap.node_ids, snap.enabled, strict=True))
            self._skus = {sku: {} for sku in snap.sku_ids}
            self._restock.clear()
            for f, s, oh, ss, rp in snap.rows:
                self._skus[s][f] = _Row(on_hand=oh, safety_stock=ss, reorder_point=rp)
                self._mark_restock(f, s)
            self._holds.clear()
            self._expiry.clear()
            return True

    def availability(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        with self._lock:
            self._sweep(time.time())
            for sku in skus:
                self._check_sku(sku, "sku")
            return {
                sku: {
                    f: max(0, _raw(row)) for f, row in self._skus[sku].items() if self._enabled[f]
                }
                for sku in skus
            }

    def reserve(
        self, reservation_id: str, items: Iterable[tuple[str, str, int]], *, ttl_seconds: float
    ) -> ReserveOutcome:
        check_reservation_args(reservation_id, ttl_seconds)
        wanted = canonical_items(items)
        with self._lock:
            now = time.time()
            self._sweep(now)
            for i, (fc_id, sku, _) in enumerate(wanted):
                self._check_node(fc_id, f"items[{i}].fc_id")
                self._check_sku(sku, f"items[{i}].sku")
            old = self._holds.get(reservation_id)
            if old is not None:
                res = old.reservation
                if res.state == HELD and _plain(res.items) == wanted:
                    return ReserveOutcome(res)
                raise closed_conflict(reservation_id, res.state)
            short = []
            for fc_id, sku, qty in wanted:
                row = self._skus[sku].get(fc_id)
                free = max(0, _raw(row)) if row and self._enabled[fc_id] else 0
                if free < qty:
                    short.append(Shortage(fc_id, sku, qty, free))
            if short:
                self._counters["reserve_short"] += 1
                return ReserveOutcome(None, tuple(short))
            for fc_id, sku, qty in wanted:
                self._skus[sku][fc_id].reserved += qty
            res = Reservation(
                reservation_id, HELD, now + ttl_seconds, tuple(HoldItem(*i) for i in wanted)
            )
            self._holds[reservation_id] = _Hold(res)
            heapq.heappush(self._expiry, (res.expires_at, reservation_id))
            self._counters["reservations_created"] += 1
            return ReserveOutcome(res)

    def commit(self, reservation_id: str) -> Reservation:
        with self._lock:
            now = time.time()
            self._sweep(now)
            hold = self._find(reservation_id)
            if hold.reservation.state != HELD:
                return finished_commit(hold.reservation)
            for item in hold.reservation.items:
                row = self._skus[item.sku][item.fc_id]
                row.reserved -= item.qty
                row.allocated += item.qty
                self._mark_restock(item.fc_id, item.sku)
            self._finish(hold, COMMITTED, now)
            return hold.reservation

    def release(self, reservation_id: str) -> Reservation:
        with self._lock:
            now = time.time()
            self._sweep(now)
            hold = self._find(reservation_id)
            if hold.reservation.state != HELD:
                return finished_release(hold.reservation)
            self._return_stock(hold.reservation)
            self._finish(hold, RELEASED, now)
            return hold.reservation

    def reservation(self, reservation_id: str) -> Reservation:
        with self._lock:
            now = time.time()
            self._sweep(now)
            return self._find(reservation_id).reservation

    def fulfil(self, fc_id: str, sku: str, qty: int) -> StockLevel:
        check_fulfilment(fc_id, sku, qty)
        with self._lock:
            self._check_node(fc_id, "fc_id")
            self._check_sku(sku, "sku")
            row = self._skus[sku].get(fc_id, _Row())
            if qty > row.allocated:
                raise OverFulfilment(
                    f"cannot fulfil {qty} of '{sku}' at '{fc_id}': only {row.allocated} allocated"
                )
            row.on_hand -= qty
            row.allocated -= qty
            return _level(fc_id, sku, row)

    def adjust(self, op_id: str, items: Iterable[tuple[str, str, int, int]]) -> bool:
        check_reservation_args(op_id, 1.0)
        wanted = canonical_adjustments(items)
        with self._lock:
            now = time.time()
            while self._ops and next(iter(self._ops.values())) + OP_MEMORY_SECONDS <= now:
                del self._ops[next(iter(self._ops))]
            if op_id in self._ops:
                return False
            for i, (fc_id, sku, _, d_allocated) in enumerate(wanted):
                self._check_node(fc_id, f"items[{i}].fc_id")
                self._check_sku(sku, f"items[{i}].sku")
                row = self._skus[sku].get(fc_id, _Row())
                if row.allocated + d_allocated < 0:
                    raise OverFulfilment(
                        f"cannot take {-d_allocated} allocated units of '{sku}' at '{fc_id}': "
                        f"only {row.allocated} allocated"
                    )
            for fc_id, sku, d_on_hand, d_allocated in wanted:
                row = self._skus[sku].setdefault(fc_id, _Row())
                row.on_hand += d_on_hand
                row.allocated += d_allocated
                self._mark_restock(fc_id, sku)
            self._ops[op_id] = now
            return True

    def set_levels(self, rows: Iterable[tuple[str, str, int, int | None]]) -> list[StockLevel]:
        wanted = canonical_levels(rows)
        with self._lock:
            for i, (fc_id, sku, _, _) in enumerate(wanted):
                self._check_node(fc_id, f"[{i}].fc_id")
                self._check_sku(sku, f"[{i}].sku")
            out = []
            for fc_id, sku, on_hand, safety_stock in wanted:
                row = self._skus[sku].setdefault(fc_id, _Row())
                row.on_hand = on_hand
                if safety_stock is not None:
                    row.safety_stock = safety_stock
                self._mark_restock(fc_id, sku)
                out.append(_level(fc_id, sku, row))
            return out

    def levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        with self._lock:
            self._sweep(time.time())
            names = sorted(self._skus.keys() if skus is None else self._skus.keys() & set(skus))
            return [_level(f, s, row) for s in names for f, row in sorted(self._skus[s].items())]

    def restock_alerts(self) -> list[RestockAlert]:
        with self._lock:
            out = []
            for sku, fc_id in sorted(self._restock):
                row = self._skus[sku][fc_id]
                net, rp = row.on_hand - row.allocated, row.reorder_point
                out.append(RestockAlert(fc_id, sku, row.on_hand, row.allocated, net, rp or 0))
            return out

    def num_restock_alerts(self) -> int:
        return len(self._restock)

    def sweep(self) -> int:
        with self._lock:
            return self._sweep(time.time())

    def incr(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            self._counters[counter] += amount

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counters)

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None

    # idempotency primitives: records with a monotonic deadline, purged lazily
    def _idem_claim(self, key: str, token: str, lease_seconds: float) -> bool:
        with self._lock:
            if self._idem_get(key) is not None:
                return False
            self._idem[key] = ("P:" + token, time.monotonic() + lease_seconds)
            return True

    def _idem_get(self, key: str) -> str | None:
        with self._lock:
            entry = self._idem.get(key)
            if entry is None:
                return None
            if entry[1] <= time.monotonic():
                del self._idem[key]
                return None
            return entry[0]

    def _idem_finish(self, key: str, token: str, record: str, ttl_seconds: float) -> None:
        with self._lock:
            if self._idem_get(key) == "P:" + token:
                self._idem[key] = (record, time.monotonic() + ttl_seconds)

    def _idem_abandon(self, key: str, token: str) -> None:
        with self._lock:
            if self._idem_get(key) == "P:" + token:
                del self._idem[key]

    # helpers, called with the lock held
    def _sweep(self, now: float) -> int:
        """Expire due holds (returning their stock) and forget old tombstones."""
        # Each hold has one heap entry: its expiry while held, then the end of its tombstone.
        expired = 0
        while self._expiry and self._expiry[0][0] <= now:
            _, rid = heapq.heappop(self._expiry)
            hold = self._holds.get(rid)
            if hold is None:
                continue
            if hold.reservation.state == HELD:
                self._return_stock(hold.reservation)
                self._finish(hold, EXPIRED, now)
                expired += 1
            if hold.finished_at + self._tombstone_seconds <= now:
                del self._holds[rid]
            else:
                heapq.heappush(self._expiry, (hold.finished_at + self._tombstone_seconds, rid))
        return expired

    def _mark_restock(self, fc_id: str, sku: str) -> None:
        """Keep ``_restock`` current after on_hand or allocated changed (a fulfilment lowers
        both alike, so it needs no mark)."""
        row = self._skus[sku][fc_id]
        if needs_restock(row.on_hand, row.allocated, row.reorder_point):
            self._restock.add((sku, fc_id))
        else:
            self._restock.discard((sku, fc_id))

    def _find(self, reservation_id: str) -> _Hold:
        hold = self._holds.get(reservation_id)
        if hold is None:
            raise not_found(reservation_id)
        return hold

    def _finish(self, hold: _Hold, state: str, now: float) -> None:
        hold.reservation = replace(hold.reservation, state=state)
        hold.finished_at = now
        self._counters[f"reservations_{state}"] += 1

    def _return_stock(self, reservation: Reservation) -> None:
        for item in reservation.items:
            self._skus[item.sku][item.fc_id].reserved -= item.qty

    def _check_node(self, fc_id: str, field: str) -> None:
        if fc_id not in self._enabled:
            raise UnknownNode(f"unknown fulfillment node '{fc_id}'", column=field)

    def _check_sku(self, sku: str, field: str) -> None:
        if sku not in self._skus:
            raise UnknownSku(f"unknown SKU '{sku}'", column=field)


def _raw(row: _Row) -> int:
    return row.on_hand - row.safety_stock - row.reserved - row.allocated


def _level(fc_id: str, sku: str, row: _Row) -> StockLevel:
    return StockLevel(
        fc_id, sku, row.on_hand, row.safety_stock, row.reserved, row.allocated, row.reorder_point
    )


def _plain(items: tuple[HoldItem, ...]) -> list[tuple[str, str, int]]:
    return [(i.fc_id, i.sku, i.qty) for i in items]

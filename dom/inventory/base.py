"""The inventory ledger's interface, its value types and the logic both stores share.

Kept in one module: the interface, its value types and the checks both stores share are one
contract, read together by whoever writes a store; split, each store would import them back.

A ledger row per (node, SKU) holds ``on_hand, safety_stock, reserved, allocated, reorder_point``;
``available = on_hand - safety_stock - reserved - allocated`` (contracts §6). Routing sees
``max(0, available)``; a stock count may lower ``on_hand`` below what is already promised, and that
shortfall is reported (``StockLevel.shortfall``), never hidden.

Restock alerts are for cells the node stocks (a reorder point above 0) and compare
``net_stock = on_hand - allocated`` with that point: the units on the shelf that no committed order
has claimed (the inventory position without on-order stock, which the
ledger does not track). Safety stock is not subtracted because a reorder point already includes it;
reserved units are not subtracted because holds are short-lived and would make alerts flap.

Idempotency follows the "store the first answer" scheme (as in Stripe's Idempotency-Key): the first
caller claims the key with a pending marker (set-if-absent, with a lease), computes, and stores the
answer; concurrent callers poll until the answer is there and return it. A compute that raises
gives the key up, so a retry computes again.
"""

from __future__ import annotations

import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dom.errors import InvalidInput
from dom.inventory.errors import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    ReservationClosed,
    ReservationExpired,
    ReservationNotFound,
)
from dom.model import Network

HELD, COMMITTED, RELEASED, EXPIRED = "held", "committed", "released", "expired"

# Counters every store keeps (``counters()``); callers may add their own with ``incr``.
COUNTERS = (
    "reservations_created",
    "reservations_committed",
    "reservations_released",
    "reservations_expired",
    "reserve_short",
)

# How long the record of a finished reservation (committed, released, expired) is kept, so a
# retried commit gets its answer and a late one gets "expired" rather than "not found".
TOMBSTONE_SECONDS = 24 * 3600

# How long the ledger remembers an applied adjustment's id, so a repeat changes nothing (the order
# store's reconciler replays unfinished ones at every start and every few seconds).
OP_MEMORY_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class StockLevel:
    """One ledger row (node, SKU). ``reorder_point`` is None when the bundle gave none."""

    fc_id: str
    sku: str
    on_hand: int
    safety_stock: int
    reserved: int
    allocated: int
    reorder_point: int | None

    @property
    def raw_available(self) -> int:
        """``on_hand - safety_stock - reserved - allocated``, possibly negative after a count."""
        return self.on_hand - self.safety_stock - self.reserved - self.allocated

    @property
    def available(self) -> int:
        """Units routing may promise: never negative."""
        return max(0, self.raw_available)

    @property
    def shortfall(self) -> int:
        """Units promised (held or allocated) beyond what the shelf holds above safety stock."""
        return max(0, -self.raw_available)

    @property
    def net_stock(self) -> int:
        """``on_hand - allocated``: the quantity restock alerts compare with the reorder point."""
        return self.on_hand - self.allocated


@dataclass(frozen=True)
class HoldItem:
    """Units of one SKU held (or allocated) at one node by a reservation."""

    fc_id: str
    sku: str
    qty: int


@dataclass(frozen=True)
class Reservation:
    """A hold and its state: ``held``, ``committed``, ``released`` or ``expired``.

    ``expires_at`` is Unix time in seconds (the store's clock: Redis server time for Redis).
    """

    id: str
    state: str
    expires_at: float
    items: tuple[HoldItem, ...]


@dataclass(frozen=True)
class Shortage:
    """A (node, SKU) that could not cover its part of a reservation at the time it was tried."""

    fc_id: str
    sku: str
    requested: int
    available: int


@dataclass(frozen=True)
class ReserveOutcome:
    """Either the reservation made (``short`` empty) or the items that were short (nothing held).

    A race lost is a status, not an exception: the caller re-solves against fresh availability.
    """

    reservation: Reservation | None
    short: tuple[Shortage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.reservation is not None


def needs_restock(on_hand: int, allocated: int, reorder_point: int | None) -> bool:
    """A stocked cell (reorder point above 0) whose ``on_hand - allocated`` is at or below its
    reorder point; ``lua/common.lua``'s ``mark_restock`` applies the same rule in Redis."""
    return reorder_point is not None and reorder_point > 0 and on_hand - allocated <= reorder_point


@dataclass(frozen=True)
class RestockAlert:
    """A stocked (node, SKU) whose ``net_stock = on_hand - allocated`` is at or below its
    reorder point."""

    fc_id: str
    sku: str
    on_hand: int
    allocated: int
    net_stock: int
    reorder_point: int


@dataclass(frozen=True)
class LedgerSnapshot:
    """What ``load`` writes: the node and SKU catalogue and the non-empty ledger rows.

    ``rows`` are ``(fc_id, sku, on_hand, safety_stock, reorder_point | None)``.
    """

    node_ids: tuple[str, ...]
    enabled: tuple[bool, ...]
    sku_ids: tuple[str, ...]
    rows: tuple[tuple[str, str, int, int, int | None], ...]

    @classmethod
    def from_network(cls, network: Network) -> LedgerSnapshot:
        """Rows where the bundle gives stock, safety stock or a reorder point; the rest are 0."""
        rp = network.reorder_point
        node, sku = np.nonzero((network.on_hand != 0) | (network.safety_stock != 0) | (rp >= 0))
        nodes = [str(x) for x in network.node_ids]
        skus = [str(x) for x in network.sku_ids]
        rows = zip(
            [nodes[i] for i in node],
            [skus[j] for j in sku],
            network.on_hand[node, sku].tolist(),
            network.safety_stock[node, sku].tolist(),
            rp[node, sku].tolist(),
            strict=True,
        )
        return cls(
            node_ids=tuple(nodes),
            enabled=tuple(bool(e) for e in network.enabled),
            sku_ids=tuple(skus),
            rows=tuple((f, s, oh, ss, None if r < 0 else r) for f, s, oh, ss, r in rows),
        )


@runtime_checkable
class InventoryStore(Protocol):
    """The inventory ledger: the API and the router code against this, never a backend.

    Every method is safe to call from many threads (and, for Redis, many processes) at once.
    Unknown node or SKU ids raise ``UnknownNode`` / ``UnknownSku``; malformed values raise
    ``InvalidInput``; a shared store that cannot be reached raises ``StoreUnavailable``.
    """

    def load(self, network: Network, *, replace: bool = False) -> bool:
        """Write the network's catalogue and ledger rows unless a ledger is already there.

        Returns True when this call wrote it. With ``replace`` the old ledger (holds included)
        is dropped first. Replicas starting together all call ``load``; one writes, the others
        wait for it and keep the shared ledger.
        """
        ...

    def availability(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        """``{sku: {fc_id: units}}``: ``max(0, available)`` at each enabled node with a row."""
        ...

    def reserve(
        self, reservation_id: str, items: Iterable[tuple[str, str, int]], *, ttl_seconds: float
    ) -> ReserveOutcome:
        """Hold ``(fc_id, sku, qty)`` items all-or-nothing for ``ttl_seconds``.

        Repeating a call with the same id and items returns the existing hold (safe retries);
        the same id with other items, or a finished reservation, raises ``ReservationClosed``.
        """
        ...

    async def availability_async(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        """:meth:`availability` for a caller on an event loop. This default runs it inline; a
        store whose backend is remote (Redis) overrides it to wait without blocking the loop."""
        return self.availability(skus)

    async def reserve_async(
        self, reservation_id: str, items: Iterable[tuple[str, str, int]], *, ttl_seconds: float
    ) -> ReserveOutcome:
        """:meth:`reserve` for a caller on an event loop (see :meth:`availability_async`)."""
        return self.reserve(reservation_id, items, ttl_seconds=ttl_seconds)

    async def commit_async(self, reservation_id: str) -> Reservation:
        """:meth:`commit` for a caller on an event loop (see :meth:`availability_async`)."""
        return self.commit(reservation_id)

    def commit(self, reservation_id: str) -> Reservation:
        """Turn a hold into an allocation (idempotent once committed).

        Raises ``ReservationNotFound``, ``ReservationExpired`` or ``ReservationClosed``.
        """
        ...

    def release(self, reservation_id: str) -> Reservation:
        """Give a hold's stock back (a no-op on a released or expired one).

        Raises ``ReservationNotFound``, or ``ReservationClosed`` if it was committed.
        """
        ...

    def reservation(self, reservation_id: str) -> Reservation:
        """The reservation's current record; raises ``ReservationNotFound``."""
        ...

    def fulfil(self, fc_id: str, sku: str, qty: int) -> StockLevel:
        """Units shipped: lower ``on_hand`` and ``allocated`` together (``OverFulfilment`` if
        ``qty`` exceeds what is allocated)."""
        ...

    def adjust(self, op_id: str, items: Iterable[tuple[str, str, int, int]]) -> bool:
        """Apply ``(fc_id, sku, on_hand_delta, allocated_delta)`` changes all or none, once per
        ``op_id``: the order store's outbox (``dom.orders``) gives allocated units back after a
        cancel, lowers both at a ship or a short pick, raises ``on_hand`` for a return.

        Returns False (changing nothing) when ``op_id`` was applied before, for
        ``OP_MEMORY_SECONDS``. Raises ``OverFulfilment`` if ``allocated`` would fall below 0.
        """
        ...

    def set_levels(self, rows: Iterable[tuple[str, str, int, int | None]]) -> list[StockLevel]:
        """Absolute ``(fc_id, sku, on_hand, safety_stock | None)`` from a count or WMS sync.

        All rows or none (validation first). Reserved and allocated are kept; None keeps the
        safety stock. Returns the updated rows, whose ``shortfall`` reports any overpromise.
        """
        ...

    def levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """Every stored ledger row (of these SKUs), sorted by (sku, fc_id)."""
        ...

    def restock_alerts(self) -> list[RestockAlert]:
        """Stocked rows (reorder point above 0) whose ``on_hand - allocated`` is at or below it."""
        ...

    def num_restock_alerts(self) -> int:
        """How many rows ``restock_alerts`` would list, in O(1) (for a metrics gauge)."""
        ...

    def sweep(self) -> int:
        """Expire every hold past its time, returning its stock; the number expired."""
        ...

    def idempotent(
        self,
        key: str,
        compute: Callable[[], dict[str, Any]],
        *,
        fingerprint: str | None = None,
        ttl_seconds: float = 86400.0,
        wait_seconds: float = 30.0,
    ) -> dict[str, Any]:
        """The first answer stored under ``key``, computing it once however many ask at once.

        ``fingerprint`` (e.g. a hash of the request body) guards against reusing a key for a
        different request (``IdempotencyKeyReused``). Waiting longer than ``wait_seconds`` for
        another caller's answer raises ``IdempotencyInProgress``.
        """
        ...

    def incr(self, counter: str, amount: int = 1) -> None:
        """Add to a named counter (e.g. ``resolves`` after a lost race)."""
        ...

    def counters(self) -> dict[str, int]:
        """Every counter, the ``COUNTERS`` always present."""
        ...

    def ping(self) -> None:
        """Return if the store is reachable, else raise ``StoreUnavailable`` (for /readyz)."""
        ...

    def close(self) -> None:
        """Free connections; the store is not used afterwards."""
        ...


def canonical_items(items: Iterable[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Validate hold items and merge repeats of a (node, SKU), sorted, so equal holds compare
    equal. Fields are named as JSON paths (``items[2].qty``)."""
    merged: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        try:
            fc_id, sku, qty = item
        except (TypeError, ValueError):
            raise InvalidInput(
                f"hold item {item!r} is not (fc_id, sku, qty)", column=f"items[{i}]"
            ) from None
        _check_id(fc_id, f"items[{i}].fc_id")
        _check_id(sku, f"items[{i}].sku")
        _check_count(qty, f"items[{i}].qty", minimum=1)
        merged[fc_id, sku] = merged.get((fc_id, sku), 0) + int(qty)
    if not merged:
        raise InvalidInput("a reservation needs at least one item", column="items")
    return [(f, s, q) for (f, s), q in sorted(merged.items())]


def canonical_adjustments(
    items: Iterable[tuple[str, str, int, int]],
) -> list[tuple[str, str, int, int]]:
    """Validate ledger adjustments (JSON paths ``items[i].on_hand`` in messages) and merge
    repeats of a (node, SKU), sorted; rows that change nothing are dropped."""
    merged: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(items):
        try:
            fc_id, sku, d_on_hand, d_allocated = item
        except (TypeError, ValueError):
            raise InvalidInput(
                f"adjustment {item!r} is not (fc_id, sku, on_hand_delta, allocated_delta)",
                column=f"items[{i}]",
            ) from None
        _check_id(fc_id, f"items[{i}].fc_id")
        _check_id(sku, f"items[{i}].sku")
        for value, name in ((d_on_hand, "on_hand"), (d_allocated, "allocated")):
            if not isinstance(value, int | np.integer) or isinstance(value, bool):
                raise InvalidInput(
                    f"items[{i}].{name} must be an integer, got {value!r}",
                    column=f"items[{i}].{name}",
                )
        row = merged.setdefault((fc_id, sku), [0, 0])
        row[0] += int(d_on_hand)
        row[1] += int(d_allocated)
    return [(f, s, oh, al) for (f, s), (oh, al) in sorted(merged.items()) if oh or al]


def canonical_levels(
    rows: Iterable[tuple[str, str, int, int | None]],
) -> list[tuple[str, str, int, int | None]]:
    """Validate absolute stock levels (JSON paths ``[i].on_hand`` in messages); a later row for
    the same (node, SKU) wins, as a sync applied in order would do."""
    out: dict[tuple[str, str], tuple[int, int | None]] = {}
    for i, row in enumerate(rows):
        try:
            fc_id, sku, on_hand, safety_stock = row
        except (TypeError, ValueError):
            raise InvalidInput(
                f"stock level {row!r} is not (fc_id, sku, on_hand, safety_stock)", column=f"[{i}]"
            ) from None
        _check_id(fc_id, f"[{i}].fc_id")
        _check_id(sku, f"[{i}].sku")
        _check_count(on_hand, f"[{i}].on_hand", minimum=0)
        if safety_stock is not None:
            _check_count(safety_stock, f"[{i}].safety_stock", minimum=0)
        out[fc_id, sku] = (int(on_hand), None if safety_stock is None else int(safety_stock))
    return [(f, s, oh, ss) for (f, s), (oh, ss) in out.items()]


def check_reservation_args(reservation_id: str, ttl_seconds: float) -> None:
    """Reject an empty reservation id or a TTL that is not a positive number of seconds."""
    _check_id(reservation_id, "reservation_id")
    if not isinstance(ttl_seconds, int | float) or not ttl_seconds > 0 or ttl_seconds == np.inf:
        raise InvalidInput(
            f"ttl_seconds must be a positive finite number, got {ttl_seconds!r}",
            column="ttl_seconds",
        )


def check_fulfilment(fc_id: str, sku: str, qty: int) -> None:
    """Reject a malformed fulfilment before touching the ledger."""
    _check_id(fc_id, "fc_id")
    _check_id(sku, "sku")
    _check_count(qty, "qty", minimum=1)


def finished_commit(reservation: Reservation) -> Reservation:
    """The answer of ``commit`` for a reservation the store found already past ``held``."""
    if reservation.state == COMMITTED:
        return reservation
    if reservation.state == EXPIRED:
        raise ReservationExpired(
            f"reservation '{reservation.id}' expired before it was committed; its stock was "
            "returned (route the order again)"
        )
    raise ReservationClosed(f"reservation '{reservation.id}' was already {reservation.state}")


def finished_release(reservation: Reservation) -> Reservation:
    """The answer of ``release`` for a reservation the store found already past ``held``."""
    if reservation.state == COMMITTED:
        raise ReservationClosed(
            f"reservation '{reservation.id}' is committed: its units are allocated (record a "
            "fulfilment or correct the stock level instead)"
        )
    return reservation


def not_found(reservation_id: str) -> ReservationNotFound:
    """The error for an id the store has no record of."""
    return ReservationNotFound(
        f"no reservation '{reservation_id}' (unknown, or finished more than "
        f"{TOMBSTONE_SECONDS // 3600} h ago)"
    )


def closed_conflict(reservation_id: str, state: str) -> ReservationClosed:
    """The error for reusing a reservation id with other items or after it finished."""
    return ReservationClosed(
        f"reservation id '{reservation_id}' is already used ({state}) with other items: "
        "use a new id"
    )


class IdempotencyBase(ABC):
    """``idempotent`` written once over four primitives each store implements atomically.

    A record is ``"P:<token>"`` while its first caller computes, then ``"D:<json>"`` holding the
    request fingerprint and the answer.
    """

    #: how long a pending marker may live before another caller may take the key over
    idempotency_lease_seconds: float = 60.0

    @abstractmethod
    def _idem_claim(self, key: str, token: str, lease_seconds: float) -> bool:
        """Set ``P:token`` under ``key`` if nothing is there; True if this call did."""

    @abstractmethod
    def _idem_get(self, key: str) -> str | None:
        """The raw record under ``key``, or None."""

    @abstractmethod
    def _idem_finish(self, key: str, token: str, record: str, ttl_seconds: float) -> None:
        """Replace ``P:token`` by ``record`` (only if this token still holds the key)."""

    @abstractmethod
    def _idem_abandon(self, key: str, token: str) -> None:
        """Delete ``P:token`` (only if this token still holds the key)."""

    def idempotent(
        self,
        key: str,
        compute: Callable[[], dict[str, Any]],
        *,
        fingerprint: str | None = None,
        ttl_seconds: float = 86400.0,
        wait_seconds: float = 30.0,
    ) -> dict[str, Any]:
        """See ``InventoryStore.idempotent``."""
        _check_id(key, "Idempotency-Key")
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        pause = 0.002
        while True:
            if self._idem_claim(key, token, self.idempotency_lease_seconds):
                try:
                    answer = compute()
                    done = "D:" + json.dumps({"fingerprint": fingerprint, "answer": answer})
                except BaseException:
                    self._idem_abandon(key, token)
                    raise
                self._idem_finish(key, token, done, ttl_seconds)
                return answer
            record = self._idem_get(key)
            if record is not None and record.startswith("D:"):
                stored = json.loads(record[2:])
                if stored["fingerprint"] != fingerprint:
                    raise IdempotencyKeyReused(
                        f"Idempotency-Key '{key}' was first used for a different request",
                        column="Idempotency-Key",
                        fix="send a new key for a new request",
                    )
                first: dict[str, Any] = stored["answer"]
                return first
            if time.monotonic() >= deadline:
                raise IdempotencyInProgress(
                    f"a request with Idempotency-Key '{key}' is still being processed; retry"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _check_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{field} must be a non-empty string, got {value!r}", column=field)


def _check_count(value: object, field: str, *, minimum: int) -> None:
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok or int(value) < minimum:  # type: ignore[call-overload]
        raise InvalidInput(f"{field} must be an integer >= {minimum}, got {value!r}", column=field)

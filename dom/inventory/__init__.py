"""The inventory ledger: reservations that never oversell, in memory or shared through Redis.

``InventoryStore`` is the interface the API and the router code against; ``MemoryStore`` is the
embedded default (one process) and ``RedisStore`` the shared one (any number of replicas). Both
pass one contract test suite (``tests/inventory``). See ``base`` for the ledger's arithmetic and
``redis_store`` for the key layout and the atomicity argument.
"""

from dom.inventory.base import (
    COMMITTED,
    COUNTERS,
    EXPIRED,
    HELD,
    RELEASED,
    HoldItem,
    InventoryStore,
    LedgerSnapshot,
    Reservation,
    ReserveOutcome,
    RestockAlert,
    Shortage,
    StockLevel,
)
from dom.inventory.errors import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    LedgerConflict,
    OverFulfilment,
    ReservationClosed,
    ReservationExpired,
    ReservationNotFound,
    StoreUnavailable,
)
from dom.inventory.memory import MemoryStore

__all__ = [
    "COMMITTED",
    "COUNTERS",
    "EXPIRED",
    "HELD",
    "RELEASED",
    "HoldItem",
    "IdempotencyInProgress",
    "IdempotencyKeyReused",
    "InventoryStore",
    "LedgerConflict",
    "LedgerSnapshot",
    "MemoryStore",
    "OverFulfilment",
    "Reservation",
    "ReservationClosed",
    "ReservationExpired",
    "ReservationNotFound",
    "ReserveOutcome",
    "RestockAlert",
    "Shortage",
    "StockLevel",
    "StoreUnavailable",
]

"""Errors of the inventory ledger, each meant for one HTTP status (the API maps them in one place).

``ReservationNotFound`` -> 404; ``LedgerConflict`` and its subclasses -> 409; ``StoreUnavailable``
-> 503 with ``Retry-After``. Unknown nodes/SKUs and malformed values raise ``dom.errors``'
``UnknownNode`` / ``UnknownSku`` / ``InvalidInput`` (-> 422) with ``column`` set to the JSON field.
"""

from __future__ import annotations

from dom.errors import DomError, InvalidInput


class StoreUnavailable(DomError):
    """The shared ledger (Redis) cannot be reached; nothing was changed that the caller can see.

    ``retry_after`` is the number of seconds a client should wait before trying again.
    """

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ReservationNotFound(DomError):
    """No reservation has this id (never made, or its record outlived the tombstone time)."""


class LedgerConflict(DomError):
    """The request is well formed but conflicts with the ledger's current state."""


class ReservationExpired(LedgerConflict):
    """The hold expired before it was committed; its stock has gone back to available."""


class ReservationClosed(LedgerConflict):
    """The reservation was already released or committed, so this transition is not allowed."""


class OverFulfilment(LedgerConflict):
    """A fulfilment ships more units than are allocated at that node for that SKU."""


class IdempotencyInProgress(LedgerConflict):
    """Another request with the same Idempotency-Key is still being computed; retry shortly."""


class IdempotencyKeyReused(InvalidInput):
    """An Idempotency-Key was sent again with a different request body (-> 422)."""

"""Errors of the order lifecycle, each meant for one HTTP status (``api/errors.py`` maps them).

``OrderNotFound`` -> 404; ``IllegalTransition`` (a transition the state does not allow, naming
the line or fulfillment and its state) and ``OrderConflict`` (an order id reused with another
body) -> 409. Bad fields raise ``dom.errors.InvalidInput`` (-> 422) naming the JSON field.
"""

from __future__ import annotations

from dom.errors import DomError
from dom.inventory.errors import LedgerConflict


class OrderNotFound(DomError):
    """No order, fulfillment, return or tracking number has this id."""


class IllegalTransition(DomError):
    """The state of an order, line or fulfillment does not allow this change."""


class OrderConflict(DomError):
    """An order id was sent again with a different body (the id is the idempotency key)."""


class Contention(LedgerConflict):
    """Stock moved under the order on every re-solve; retry shortly."""

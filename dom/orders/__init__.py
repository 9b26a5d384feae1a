"""Orders: the whole lifecycle on a durable store (SQLite embedded, PostgreSQL shared), from
capture to delivery and return, kept in agreement with the stock ledger (contracts §7).

``Oms`` holds the parts (order store, ledger, network, router); each transition is a function
of it, one transaction that also appends its events (``dom.events``) and the ledger operations
it causes. How the two stores stay in agreement: docs/orders.md.
"""

from dom.orders.actions import cancel_order, hold_order, release_hold, wake_backorders
from dom.orders.batch import allocate_pending
from dom.orders.capture import (
    ALLOCATIONS,
    create_order,
    prepare_order,
    route_and_hold,
    settle_duplicate,
    write_captures,
)
from dom.orders.carrier import TRACKING_STATUSES, order_tracking, track
from dom.orders.errors import Contention, IllegalTransition, OrderConflict, OrderNotFound
from dom.orders.importer import import_orders
from dom.orders.oms import Oms, utc_now
from dom.orders.promise import promise
from dom.orders.queries import STATUSES, get_order, list_orders
from dom.orders.reconcile import check_invariant, expected_levels, rebuild_ledger, reconcile
from dom.orders.returns import receive_return, request_return
from dom.orders.state import OrderState, derive_status
from dom.orders.store import OrderStore
from dom.orders.warehouse import pick, release, ship
from dom.orders.writer import BatchWriter

__all__ = [
    "ALLOCATIONS",
    "STATUSES",
    "TRACKING_STATUSES",
    "BatchWriter",
    "Contention",
    "IllegalTransition",
    "Oms",
    "OrderConflict",
    "OrderNotFound",
    "OrderState",
    "OrderStore",
    "allocate_pending",
    "cancel_order",
    "check_invariant",
    "create_order",
    "derive_status",
    "expected_levels",
    "get_order",
    "hold_order",
    "import_orders",
    "list_orders",
    "order_tracking",
    "pick",
    "prepare_order",
    "promise",
    "rebuild_ledger",
    "receive_return",
    "reconcile",
    "release",
    "release_hold",
    "request_return",
    "route_and_hold",
    "settle_duplicate",
    "ship",
    "track",
    "utc_now",
    "wake_backorders",
    "write_captures",
]

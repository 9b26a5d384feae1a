"""Route one order over live availability, and hold its stock without ever overselling.

Optimistic concurrency: read availability for the SKUs the order needs, run the
single-order kernel (``dom.sourcing.Router``: exact up to 12 live lines, greedy beyond), then ask
the ledger to hold the chosen units
all-or-nothing. The ledger checks and writes atomically (one Lua script on Redis, one lock in
memory), so two replicas racing for the last unit cannot both win; the loser finds a node short,
counts a re-solve and routes again against fresh availability, at most ``max_resolves`` times.
The service adds no cost logic: every cost comes from the kernel.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from api.errors import ApiError
from api.metrics import Metrics
from dom.inventory import InventoryStore, Reservation
from dom.io import order_from_json
from dom.sourcing import Router


def iso_time(unix_seconds: float) -> str:
    """ISO 8601 UTC with milliseconds, e.g. ``2025-01-01T12:15:00.000Z``."""
    stamp = datetime.fromtimestamp(unix_seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def reservation_json(reservation: Reservation) -> dict[str, Any]:
    """A hold as the API shows it."""
    return {
        "id": reservation.id,
        "state": reservation.state,
        "expires_at": iso_time(reservation.expires_at),
        "items": [{"fc_id": i.fc_id, "sku": i.sku, "qty": i.qty} for i in reservation.items],
    }


async def route(
    router: Router,
    store: InventoryStore,
    metrics: Metrics,
    order: dict[str, Any],
    *,
    reserve: bool,
    ttl_seconds: float,
    max_resolves: int,
) -> dict[str, Any]:
    """The single-order plan (contracts §4) and, with ``reserve``, its hold (contracts §6).

    Async so that the event loop serves other requests while the ledger (Redis) answers.
    """
    parsed = order_from_json(order, router.network)
    skus = router.skus_needed(parsed)
    reservation_id = uuid.uuid4().hex if reserve else ""  # os.urandom: only when it is used
    for attempt in range(max_resolves + 1):
        if attempt:
            store.incr("resolves")
            metrics.resolves.inc()
        free = await store.availability_async(skus)
        plan = router.route(parsed, free)
        answer = plan.to_json()
        outcome = "unfilled" if not answer["shipments"] else "partial"
        if not answer["unfilled"]:
            outcome = "filled"
        if not reserve:
            metrics.decisions.labels(outcome, "false").inc()
            return answer
        if not plan.allocations:
            answer["reservation"] = None
            metrics.decisions.labels(outcome, "false").inc()
            return answer
        held = await store.reserve_async(reservation_id, plan.allocations, ttl_seconds=ttl_seconds)
        if held.reservation is not None:
            ref = reservation_json(held.reservation)
            del ref["state"]
            answer["reservation"] = ref
            metrics.decisions.labels(outcome, "true").inc()
            return answer
    metrics.contention.inc()
    raise ApiError(
        409,
        "contention",
        f"stock moved under this order {max_resolves + 1} times in a row; retry",
        headers={"Retry-After": "1"},
    )

"""One router per resource; ``ROUTERS`` is what the app factory mounts (``route.ROUTE``, the hot
path, is a plain Starlette route mounted first)."""

from api.routes import (
    alerts,
    allocations,
    events,
    fulfillments,
    health,
    inventory,
    orders,
    pick_routes,
    promise,
    reservations,
    returns,
    studies,
    tracking,
    webhooks,
)

ROUTERS = (
    orders.router,
    fulfillments.router,
    tracking.router,
    returns.router,
    promise.router,
    events.router,
    webhooks.router,
    reservations.router,
    inventory.router,
    alerts.router,
    allocations.router,
    studies.router,
    pick_routes.router,
    health.router,
)

__all__ = ["ROUTERS"]

"""One router per resource; ``ROUTERS`` is what the app factory mounts (``route.ROUTE``, the hot
path, is a plain Starlette route mounted first)."""

from api.routes import (
    alerts,
    allocations,
    health,
    inventory,
    pick_routes,
    reservations,
)

ROUTERS = (
    reservations.router,
    inventory.router,
    alerts.router,
    allocations.router,
    pick_routes.router,
    health.router,
)

__all__ = ["ROUTERS"]

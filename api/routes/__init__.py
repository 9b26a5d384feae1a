"""One router per resource; ``ROUTERS`` is what the app factory mounts."""

from api.routes import (
    alerts,
    allocations,
    health,
    inventory,
    pick_routes,
    reservations,
    route,
)

ROUTERS = (
    route.router,
    reservations.router,
    inventory.router,
    alerts.router,
    allocations.router,
    pick_routes.router,
    health.router,
)

__all__ = ["ROUTERS"]

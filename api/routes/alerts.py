"""``GET /v1/alerts/restock``: nodes and SKUs at or below their reorder point."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PlanCaller, ServicesDep
from api.schemas import RestockAlerts, error_responses

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


@router.get("/restock", response_model=RestockAlerts, responses=error_responses(401, 403, 503))
def restock_alerts(services: ServicesDep, _: PlanCaller) -> dict[str, object]:
    """Rows whose ``on_hand - allocated`` is at or below their reorder point."""
    alerts = services.store.restock_alerts()
    return {
        "count": len(alerts),
        "alerts": [
            {
                "fc_id": a.fc_id,
                "sku": a.sku,
                "on_hand": a.on_hand,
                "allocated": a.allocated,
                "net_stock": a.net_stock,
                "reorder_point": a.reorder_point,
            }
            for a in alerts
        ],
    }

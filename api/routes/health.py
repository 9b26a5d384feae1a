"""Liveness, readiness (the ledger is reachable) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import ServicesDep, local_or_keyed
from api.metrics import CONTENT_TYPE
from api.schemas import error_responses

router = APIRouter(tags=["health"], dependencies=[Depends(local_or_keyed)])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@router.get("/readyz", responses=error_responses(503))
def readyz(services: ServicesDep) -> dict[str, str]:
    """Ready when the ledger answers (Redis reachable); 503 with Retry-After otherwise."""
    services.store.ping()
    return {"status": "ready", "store": "redis" if services.settings.redis_url else "memory"}


@router.get("/metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    """Prometheus exposition: latency per endpoint, decisions, re-solves, ledger counters."""
    return Response(services.metrics.exposition(), media_type=CONTENT_TYPE)

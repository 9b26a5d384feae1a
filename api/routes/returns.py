"""``POST /v1/returns/{id}/receive``: a return arrives at its node (contracts §7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from api.deps import ServicesDep, WarehouseCaller, oms_of
from api.schemas import error_responses
from api.schemas.lifecycle import ReceiveIn, ReturnOut
from dom import orders

router = APIRouter(prefix="/v1/returns", tags=["returns"])


@router.post(
    "/{return_id}/receive",
    response_model=ReturnOut,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
def receive(
    return_id: Annotated[str, PathParam(min_length=1, max_length=160)],
    body: ReceiveIn,
    services: ServicesDep,
    _: WarehouseCaller,
) -> dict[str, Any]:
    """Sellable units raise on_hand at the return's node (and wake backorders); ``received``."""
    return orders.receive_return(
        oms_of(services), return_id, [line.model_dump() for line in body.lines]
    )

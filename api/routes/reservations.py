"""``/v1/reservations/{id}``: look at, commit or release a hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import RouteCaller, ServicesDep
from api.routing import reservation_json
from api.schemas import ReservationOut, error_responses

router = APIRouter(prefix="/v1/reservations", tags=["reservations"])

ReservationId = Annotated[str, Path(min_length=1, max_length=200)]
_ERRORS = error_responses(401, 403, 404, 409, 503)


@router.get("/{reservation_id}", response_model=ReservationOut, responses=_ERRORS)
def get_reservation(
    reservation_id: ReservationId, services: ServicesDep, _: RouteCaller
) -> dict[str, object]:
    """The hold's state (held, committed, released or expired) and items."""
    return reservation_json(services.store.reservation(reservation_id))


@router.post("/{reservation_id}/commit", response_model=ReservationOut, responses=_ERRORS)
def commit_reservation(
    reservation_id: ReservationId, services: ServicesDep, _: RouteCaller
) -> dict[str, object]:
    """Turn a hold into an allocation (repeating it is harmless; 409 once expired)."""
    return reservation_json(services.store.commit(reservation_id))


@router.delete("/{reservation_id}", response_model=ReservationOut, responses=_ERRORS)
def release_reservation(
    reservation_id: ReservationId, services: ServicesDep, _: RouteCaller
) -> dict[str, object]:
    """Give a hold's stock back (409 if it was committed)."""
    return reservation_json(services.store.release(reservation_id))

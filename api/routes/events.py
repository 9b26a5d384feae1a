"""``/v1/events``: the feed of every change after a cursor, and as Server-Sent Events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from api.deps import EventsCaller, ServicesDep, oms_of
from api.errors import ApiError
from api.schemas import error_responses
from api.schemas.events import EventPage
from dom.events.feed import list_events, stream

router = APIRouter(prefix="/v1/events", tags=["events"])

_After = Annotated[int, Query(ge=0, le=2**62, description="the last event id seen")]
_Type = Annotated[str | None, Query(max_length=64, description="event type, or kind.* / *")]


@router.get("", response_model=EventPage, responses=error_responses(401, 403, 422, 503))
def get_events(
    services: ServicesDep,
    _: EventsCaller,
    after: _After = 0,
    type: _Type = None,
    order_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Events after ``after``, oldest first."""
    events = list_events(
        oms_of(services).store, after=after, type=type, order_id=order_id, limit=limit
    )
    return {"events": events, "next_after": events[-1]["id"] if events else after}


# Not in /openapi.json: a stream never ends, which no request-answer client (or fuzzer) can
# call; docs/orders.md describes it.
@router.get("/stream", response_class=StreamingResponse, include_in_schema=False)
def stream_events(
    services: ServicesDep,
    _: EventsCaller,
    after: _After = 0,
    type: _Type = None,
    last_event_id: Annotated[str | None, Header(max_length=24)] = None,
) -> StreamingResponse:
    """Every event from the cursor on, as it happens; each ``id:`` is the event id, and
    ``Last-Event-ID`` (sent by browsers on reconnect) resumes without a gap."""
    start = after
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise ApiError(
                422, "invalid_input", "Last-Event-ID must be an event id", field="Last-Event-ID"
            )
        start = int(last_event_id)
    if type is not None:
        list_events(oms_of(services).store, after=0, type=type, limit=1)  # 422 for a bad type
    frames = stream(oms_of(services).store, start, type=type)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)

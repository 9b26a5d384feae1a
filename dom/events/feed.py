"""The event feed: events after a cursor, oldest first, and the same as Server-Sent Events.

Ids commit in increasing order (``dom.events.outbox``), so ``after=N`` never misses an event:
a client that kept the last id it saw (SSE's ``Last-Event-ID``) resumes without a gap.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from dom.errors import InvalidInput
from dom.events.outbox import EVENT_TYPES, row_json
from dom.orders.models import EventRow
from dom.orders.store import OrderStore

MAX_PAGE = 1000
HEARTBEAT_SECONDS = 15.0


def check_pattern(pattern: str, field: str) -> str:
    """An event type, ``kind.*`` or ``*``."""
    kinds = {t.split(".")[0] for t in EVENT_TYPES}
    ok = pattern == "*" or pattern in EVENT_TYPES
    ok = ok or (pattern.endswith(".*") and pattern[:-2] in kinds)
    if not ok:
        raise InvalidInput(
            f"{field} is {pattern!r}",
            column=field,
            fix="give an event type of contracts §8 (order.created), kind.* (order.*) or *",
        )
    return pattern


def matches(patterns: list[str], event_type: str) -> bool:
    """Whether an event type is one ``patterns`` ask for."""
    kind = event_type.split(".")[0] + ".*"
    return any(p in ("*", event_type, kind) for p in patterns)


def list_events(
    store: OrderStore,
    *,
    after: int = 0,
    type: str | None = None,
    order_id: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Events with id above ``after``, oldest first (``type`` may be ``kind.*``)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is {limit}", column="limit", fix=f"give 1 to {MAX_PAGE}")
    if after < 0:
        raise InvalidInput(f"after is {after}", column="after", fix="give an event id >= 0")
    stmt = select(EventRow).where(EventRow.id > after)
    if type is not None:
        check_pattern(type, "type")
        if type.endswith("*"):
            if type != "*":
                stmt = stmt.where(EventRow.type.startswith(type[:-1]))
        else:
            stmt = stmt.where(EventRow.type == type)
    if order_id is not None:
        stmt = stmt.where(EventRow.order_id == order_id)
    with store.read() as session:
        rows = session.execute(stmt.order_by(EventRow.id).limit(limit)).scalars()
        return [row_json(row) for row in rows]


def sse_frame(event: dict[str, Any]) -> bytes:
    """One Server-Sent Event: its ``id`` is the event id, so a reconnect resumes after it."""
    data = json.dumps(event, separators=(",", ":"))
    return f"id: {event['id']}\nevent: {event['type']}\ndata: {data}\n\n".encode()


async def stream(
    store: OrderStore,
    after: int,
    *,
    type: str | None = None,
    poll_seconds: float = 0.25,
) -> AsyncIterator[bytes]:
    """Server-Sent Events from ``after`` on, forever: the store is read every ``poll_seconds``,
    with a comment line as a heartbeat when nothing happens."""
    yield b"retry: 1000\n\n"
    quiet_since = time.monotonic()
    while True:
        events = await asyncio.to_thread(list_events, store, after=after, type=type, limit=500)
        for event in events:
            yield sse_frame(event)
            after = event["id"]
        if events:
            quiet_since = time.monotonic()
            continue
        if time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
            quiet_since = time.monotonic()
            yield b": keep-alive\n\n"
        await asyncio.sleep(poll_seconds)

"""The delivery runner: every subscription's new events become deliveries, posted signed, with
retries and a log; at least once, and for one order in event order.

One runner at a time owns a subscription (a lease on its row, renewed each pass), so any number
of processes may run it (the service embedded, ``dom worker`` with Redis). A pass (1) turns the
events after the subscription's cursor that it asks for into pending deliveries, (2) posts, per
order, only the oldest pending delivery, and only when it is due: a later event of an order
waits until the earlier one is delivered or has failed for good. Any 2xx is delivered; 410
disables the subscription; anything else, or no answer in the timeout, is tried again after
``retry_base * 2^(attempt-1)`` seconds with +-20% jitter, up to ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from dom.events.feed import matches
from dom.events.outbox import row_json
from dom.events.webhooks import body_of, sign
from dom.orders.models import DeliveryRow, EventRow, WebhookRow
from dom.orders.oms import utc_now
from dom.orders.store import OrderStore

log = logging.getLogger("dom.events")

LEASE_SECONDS = 30.0
MAX_LOG = 20


@dataclass
class DeliveryRunner:
    """Deliveries of one order store's subscriptions."""

    store: OrderStore
    retry_base: float = 30.0
    max_attempts: int = 8
    timeout: float = 10.0
    concurrency: int = 16
    owner: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def _claim(self) -> list[WebhookRow]:
        """The active subscriptions this runner owns for the next lease period."""
        now = utc_now()
        until = now + timedelta(seconds=LEASE_SECONDS)
        owned = []
        with self.store.read() as session:
            ids = list(
                session.execute(
                    select(WebhookRow.webhook_id).where(WebhookRow.active.is_(True))
                ).scalars()
            )
        for webhook_id in ids:
            with self.store.write() as session:
                claimed = session.execute(
                    update(WebhookRow)
                    .where(
                        WebhookRow.webhook_id == webhook_id,
                        WebhookRow.active.is_(True),
                        or_(
                            WebhookRow.lease_until.is_(None),
                            WebhookRow.lease_until < now,
                            WebhookRow.lease_owner == self.owner,
                        ),
                    )
                    .values(lease_owner=self.owner, lease_until=until)
                )
                if claimed.rowcount:  # type: ignore[attr-defined]
                    row = session.get(WebhookRow, webhook_id)
                    if row is not None:
                        owned.append(row)
        return owned

    def _enqueue(self, webhook: WebhookRow, limit: int = 1000) -> None:
        """New matching events after the cursor become pending deliveries."""
        with self.store.write() as session:
            row = session.get(WebhookRow, webhook.webhook_id)
            if row is None or row.lease_owner != self.owner:
                return
            events = list(
                session.execute(
                    select(EventRow.id, EventRow.type, EventRow.order_id)
                    .where(EventRow.id > row.cursor)
                    .order_by(EventRow.id)
                    .limit(limit)
                ).all()
            )
            if not events:
                return
            now = utc_now()
            session.add_all(
                DeliveryRow(
                    webhook_id=row.webhook_id,
                    event_id=event_id,
                    order_id=order_id,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    log=[],
                    created_at=now,
                )
                for event_id, kind, order_id in events
                if matches(row.events, kind)
            )
            row.cursor = events[-1][0]

    def _due(self, webhook: WebhookRow) -> list[tuple[DeliveryRow, dict[str, Any]]]:
        """Per order, its oldest pending delivery if it is due, with its event."""
        now = utc_now()
        with self.store.read() as session:
            pending = session.execute(
                select(DeliveryRow)
                .where(
                    DeliveryRow.webhook_id == webhook.webhook_id, DeliveryRow.status == "pending"
                )
                .order_by(DeliveryRow.event_id)
                .limit(5000)
            ).scalars()
            first: dict[str, DeliveryRow] = {}
            for d in pending:
                first.setdefault(d.order_id or f"#{d.event_id}", d)
            due = [d for d in first.values() if d.next_attempt_at <= now][:500]
            if not due:
                return []
            events = {
                e.id: row_json(e)
                for e in session.execute(
                    select(EventRow).where(EventRow.id.in_([d.event_id for d in due]))
                ).scalars()
            }
        return [(d, events[d.event_id]) for d in due]

    async def _post(
        self, client: httpx.AsyncClient, webhook: WebhookRow, event: dict[str, Any]
    ) -> tuple[int | None, str | None, float]:
        body = body_of(event)
        moment = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": str(event["id"]),
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": sign(webhook.secret, str(event["id"]), moment, body),
            "user-agent": "dom-webhooks/1",
        }
        started = time.perf_counter()
        try:
            answer = await client.post(webhook.url, content=body.encode(), headers=headers)
            return answer.status_code, None, time.perf_counter() - started
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500], time.perf_counter() - started

    def _record(
        self,
        webhook: WebhookRow,
        delivery: DeliveryRow,
        status: int | None,
        error: str | None,
        seconds: float,
    ) -> None:
        now = utc_now()
        with self.store.write() as session:
            d = session.get(DeliveryRow, delivery.id)
            if d is None or d.status != "pending":
                return
            d.attempts += 1
            d.last_status, d.last_error = status, error
            entry = {
                "at": now.isoformat() + "Z",
                "status": status,
                "error": error,
                "ms": round(seconds * 1000, 1),
            }
            d.log = [*d.log, entry][-MAX_LOG:]
            if status is not None and 200 <= status < 300:
                d.status, d.delivered_at = "delivered", now
            elif status == 410:
                d.status = "failed"
                session.execute(
                    update(WebhookRow)
                    .where(WebhookRow.webhook_id == webhook.webhook_id)
                    .values(active=False, disabled_reason="the receiver answered 410 Gone")
                )
            elif d.attempts >= self.max_attempts:
                d.status = "failed"
            else:
                pause = self.retry_base * 2 ** (d.attempts - 1) * random.uniform(0.8, 1.2)
                d.next_attempt_at = now + timedelta(seconds=pause)

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """One pass over every subscription this runner can own; returns attempts made."""
        owned = await asyncio.to_thread(self._claim)
        limit = asyncio.Semaphore(self.concurrency)
        attempts = 0

        async def one(webhook: WebhookRow, delivery: DeliveryRow, event: dict[str, Any]) -> None:
            async with limit:
                status, error, seconds = await self._post(client, webhook, event)
            await asyncio.to_thread(self._record, webhook, delivery, status, error, seconds)

        for webhook in owned:
            await asyncio.to_thread(self._enqueue, webhook)
            due = await asyncio.to_thread(self._due, webhook)
            attempts += len(due)
            await asyncio.gather(*(one(webhook, d, e) for d, e in due))
        return attempts

    async def run_forever(self, interval: float = 0.5) -> None:
        """Pass after pass until cancelled; a failing pass is logged and the next one tries."""
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            while True:
                try:
                    busy = await self.run_once(client)
                except Exception:
                    log.exception("webhook delivery pass failed")
                    busy = 0
                if not busy:
                    await asyncio.sleep(interval)

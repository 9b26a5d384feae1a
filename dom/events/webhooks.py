"""Webhook subscriptions and their delivery log (contracts §8).

A subscription is a URL (its host in the allow-list, ``DOM_WEBHOOK_HOSTS``), the event patterns
it wants and a secret ``whsec_<base64 key>`` (made here when none is given, shown once).
Deliveries follow the Standard Webhooks specification (version 1): ``webhook-id`` (the event
id), ``webhook-timestamp`` (unix seconds, fresh at each attempt) and ``webhook-signature:
v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, signed by the ``standardwebhooks``
package itself, so its verifiers (in any language) accept them.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from standardwebhooks import Webhook

from dom.errors import InvalidInput
from dom.events.feed import check_pattern
from dom.orders.errors import OrderNotFound
from dom.orders.models import DeliveryRow, WebhookRow
from dom.orders.store import OrderStore

MAX_PATTERNS = 50


def make_secret() -> str:
    """A new ``whsec_`` secret: 24 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_url(url: Any, allowed_hosts: frozenset[str]) -> str:
    """An http(s) URL whose host is in the allow-list (422 naming ``url`` otherwise)."""
    if not isinstance(url, str) or len(url) > 2048:
        raise InvalidInput("url must be text of at most 2,048 characters", column="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"url {url[:80]!r} is not an http(s) URL", column="url")
    if parts.hostname.lower() not in allowed_hosts:
        raise InvalidInput(
            f"url host '{parts.hostname}' is not in DOM_WEBHOOK_HOSTS",
            column="url",
            fix=f"send deliveries to one of {', '.join(sorted(allowed_hosts))}, or add the host",
        )
    return url


def check_secret(secret: Any) -> str:
    """``whsec_`` and the base64 of a non-empty key."""
    ok = isinstance(secret, str) and secret.startswith("whsec_") and len(secret) <= 200
    if ok:
        try:
            ok = bool(base64.b64decode(secret[6:], validate=True))
        except (binascii.Error, ValueError):
            ok = False
    if not ok:
        raise InvalidInput(
            "secret is not whsec_<base64 key>",
            column="secret",
            fix="leave it out and the service makes one",
        )
    return str(secret)


def sign(secret: str, event_id: str, moment: datetime, body: str) -> str:
    """The ``webhook-signature`` header of one attempt (standardwebhooks' own signer)."""
    return Webhook(secret).sign(event_id, moment, body)


def webhook_json(row: WebhookRow, *, secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "webhook_id": row.webhook_id,
        "url": row.url,
        "events": row.events,
        "active": row.active,
        "disabled_reason": row.disabled_reason,
        "created_at": row.created_at.isoformat(timespec="milliseconds") + "Z",
    }
    if secret:
        out["secret"] = row.secret
    return out


def subscribe(
    store: OrderStore,
    body: Any,
    *,
    allowed_hosts: frozenset[str],
    now: datetime,
) -> dict[str, Any]:
    """A new subscription ``{"url", "events", "secret"?}``; answers it with its secret (the one
    time it is shown). It receives the events appended from now on."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    for key in body:
        if key not in ("url", "events", "secret"):
            raise InvalidInput(f"unknown field {key}", column=str(key))
    url = check_url(body.get("url"), allowed_hosts)
    patterns = body.get("events", ["*"])
    if not isinstance(patterns, list) or not 1 <= len(patterns) <= MAX_PATTERNS:
        raise InvalidInput(
            "events must be a list of 1 to 50 patterns", column="events", fix='e.g. ["order.*"]'
        )
    for i, p in enumerate(patterns):
        if not isinstance(p, str):
            raise InvalidInput(f"events[{i}] must be text", column=f"events[{i}]")
        check_pattern(p, f"events[{i}]")
    secret = make_secret() if body.get("secret") is None else check_secret(body["secret"])
    with store.write() as session:
        cursor = store.next_ids(session, "events", 0) - 1  # the newest id so far
        row = WebhookRow(
            webhook_id="wh_" + uuid.uuid4().hex[:20],
            url=url,
            events=list(dict.fromkeys(patterns)),
            secret=secret,
            active=True,
            cursor=cursor,
            created_at=now,
        )
        session.add(row)
    return webhook_json(row, secret=True)


def list_webhooks(store: OrderStore) -> list[dict[str, Any]]:
    with store.read() as session:
        rows = session.execute(select(WebhookRow).order_by(WebhookRow.created_at)).scalars()
        return [webhook_json(row) for row in rows]


def delete_webhook(store: OrderStore, webhook_id: str) -> None:
    """Remove a subscription and its delivery log."""
    with store.write() as session:
        row = session.get(WebhookRow, webhook_id)
        if row is None:
            raise OrderNotFound(f"no webhook '{webhook_id}'")
        for d in session.execute(
            select(DeliveryRow).where(DeliveryRow.webhook_id == webhook_id)
        ).scalars():
            session.delete(d)
        session.flush()
        session.delete(row)


def deliveries(store: OrderStore, webhook_id: str, *, limit: int = 100) -> dict[str, Any]:
    """The subscription's newest deliveries: attempts, last status and next try."""
    if not 1 <= limit <= 1000:
        raise InvalidInput(f"limit is {limit}", column="limit", fix="give 1 to 1000")
    with store.read() as session:
        if session.get(WebhookRow, webhook_id) is None:
            raise OrderNotFound(f"no webhook '{webhook_id}'")
        rows = session.execute(
            select(DeliveryRow)
            .where(DeliveryRow.webhook_id == webhook_id)
            .order_by(DeliveryRow.event_id.desc())
            .limit(limit)
        ).scalars()
        return {
            "webhook_id": webhook_id,
            "deliveries": [
                {
                    "event_id": d.event_id,
                    "order_id": d.order_id,
                    "status": d.status,
                    "attempts": d.attempts,
                    "last_status": d.last_status,
                    "last_error": d.last_error,
                    "next_attempt_at": None
                    if d.status != "pending"
                    else d.next_attempt_at.isoformat(timespec="milliseconds") + "Z",
                    "delivered_at": None
                    if d.delivered_at is None
                    else d.delivered_at.isoformat(timespec="milliseconds") + "Z",
                    "log": d.log,
                }
                for d in rows
            ],
        }


def body_of(event: dict[str, Any]) -> str:
    """The exact text a delivery posts (and signs)."""
    return json.dumps(event, separators=(",", ":"))

"""The order store's tables (SQLAlchemy 2 typed models): orders, lines, fulfillments, tracking,
returns, events, webhooks, deliveries and the ledger outbox.

Ids the service makes are readable strings (``SO-1-F1``, ``SO-1-R1``) built from the order id,
so a create writes every row without a round trip for generated keys. Times are naive UTC
``datetime``s (SQLite keeps no time zone; PostgreSQL ``timestamp`` alike). A line holds
quantities, not a status (contracts §7): ``qty = pending + backordered + allocated + shipped +
cancelled``, ``delivered <= shipped``, ``returned <= delivered``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = 160  # an order id (128) plus a suffix such as "-F12"


class Base(DeclarativeBase):
    """Every table of the order store."""


class OrderRow(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    channel: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[str] = mapped_column(String(32), index=True)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    promised_days: Mapped[int] = mapped_column(Integer)
    dest_zip: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dest_lat: Mapped[float] = mapped_column(Float)
    dest_lon: Mapped[float] = mapped_column(Float)
    ship_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    allocation: Mapped[str] = mapped_column(String(8))  # now | batch
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the body: idempotency
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    num_fulfillments: Mapped[int] = mapped_column(Integer, default=0)  # ids F1, F2, ...
    num_returns: Mapped[int] = mapped_column(Integer, default=0)  # ids R1, R2, ...

    __table_args__ = (Index("ix_orders_created", "created_at", "order_id"),)


class LineRow(Base):
    __tablename__ = "order_lines"

    order_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("orders.order_id"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)


class FulfillmentRow(Base):
    __tablename__ = "fulfillments"

    fulfillment_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(ID), ForeignKey("orders.order_id"), index=True)
    fc_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    ship_cost: Mapped[float] = mapped_column(Float)
    eta_days: Mapped[int] = mapped_column(Integer)
    promised_date: Mapped[str] = mapped_column(String(10))  # ISO date
    estimated_date: Mapped[str] = mapped_column(String(10))  # ISO date
    reservation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    wave_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tracking_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    exception: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    released_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_fulfillments_node", "fc_id", "status", "created_at"),)


class FulfillmentLineRow(Base):
    __tablename__ = "fulfillment_lines"

    fulfillment_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("fulfillments.fulfillment_id"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))
    qty: Mapped[int] = mapped_column(Integer)  # units in the fulfillment now
    missing: Mapped[int] = mapped_column(Integer, default=0)  # found short at the pick
    cancelled: Mapped[int] = mapped_column(Integer, default=0)  # taken out by a cancel


class TrackingRow(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fulfillment_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("fulfillments.fulfillment_id"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("fulfillment_id", "status", "at"),)


class ReturnRow(Base):
    __tablename__ = "returns"

    return_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(ID), ForeignKey("orders.order_id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    to_fc_id: Mapped[str] = mapped_column(String(128))
    label_cost: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ReturnLineRow(Base):
    __tablename__ = "return_lines"

    return_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("returns.return_id"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))
    qty: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sellable: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)


class EventRow(Base):
    """One change (contracts §8); ids come from the ``events`` counter, so they commit in order."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    order_id: Mapped[str | None] = mapped_column(String(ID), nullable=True, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class CounterRow(Base):
    """Named counters; taking the ``events`` row's lock orders the writers of events."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class WebhookRow(Base):
    __tablename__ = "webhooks"

    webhook_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)  # patterns: "order.*", "fulfillment.shipped"
    secret: Mapped[str] = mapped_column(String(200))  # whsec_<base64 key>
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # last event id looked at
    created_at: Mapped[datetime] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DeliveryRow(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(40), ForeignKey("webhooks.webhook_id"))
    event_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(ID), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_deliveries_due", "webhook_id", "status", "event_id"),
    )


class LedgerOpRow(Base):
    """The outbox the ledger consumes: a change of stock written with the change of orders that
    causes it, applied to the ledger afterwards (idempotently, by ``op_id``)."""

    __tablename__ = "ledger_ops"

    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # commit | adjust
    reservation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fulfillment_id: Mapped[str | None] = mapped_column(String(ID), nullable=True)
    items: Mapped[list[list[Any]]] = mapped_column(JSON)
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

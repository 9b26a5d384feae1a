"""orders, lines, fulfillments, tracking, returns, events, webhooks, ledger outbox

Revision ID: 0001
Revises: (none)

The first tables of the order store (dom/orders/models.py), and the counters seeded at 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("order_id", sa.String(length=160), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_events_order_id"), "events", ["order_id"], unique=False)
    op.create_index(op.f("ix_events_type"), "events", ["type"], unique=False)
    op.create_table(
        "ledger_ops",
        sa.Column("op_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reservation_id", sa.String(length=200), nullable=True),
        sa.Column("fulfillment_id", sa.String(length=160), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("op_id"),
    )
    op.create_index(op.f("ix_ledger_ops_done"), "ledger_ops", ["done"], unique=False)
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(length=160), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("on_hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("dest_zip", sa.String(length=16), nullable=True),
        sa.Column("dest_lat", sa.Float(), nullable=False),
        sa.Column("dest_lon", sa.Float(), nullable=False),
        sa.Column("ship_complete", sa.Boolean(), nullable=False),
        sa.Column("allocation", sa.String(length=8), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("num_fulfillments", sa.Integer(), nullable=False),
        sa.Column("num_returns", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_orders_created", "orders", ["created_at", "order_id"], unique=False)
    op.create_index(op.f("ix_orders_status"), "orders", ["status"], unique=False)
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("webhook_id"),
    )
    op.create_table(
        "fulfillments",
        sa.Column("fulfillment_id", sa.String(length=160), nullable=False),
        sa.Column("order_id", sa.String(length=160), nullable=False),
        sa.Column("fc_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("ship_cost", sa.Float(), nullable=False),
        sa.Column("eta_days", sa.Integer(), nullable=False),
        sa.Column("promised_date", sa.String(length=10), nullable=False),
        sa.Column("estimated_date", sa.String(length=10), nullable=False),
        sa.Column("reservation_id", sa.String(length=200), nullable=True),
        sa.Column("wave_id", sa.String(length=64), nullable=True),
        sa.Column("tracking_status", sa.String(length=32), nullable=True),
        sa.Column("tracking_at", sa.DateTime(), nullable=True),
        sa.Column("exception", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("shipped_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
        ),
        sa.PrimaryKeyConstraint("fulfillment_id"),
        sa.UniqueConstraint("tracking_number"),
    )
    op.create_index(
        "ix_fulfillments_node", "fulfillments", ["fc_id", "status", "created_at"], unique=False
    )
    op.create_index(op.f("ix_fulfillments_order_id"), "fulfillments", ["order_id"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=160), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("backordered", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no"),
    )
    op.create_index(op.f("ix_order_lines_sku"), "order_lines", ["sku"], unique=False)
    op.create_table(
        "returns",
        sa.Column("return_id", sa.String(length=160), nullable=False),
        sa.Column("order_id", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("to_fc_id", sa.String(length=128), nullable=False),
        sa.Column("label_cost", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
        ),
        sa.PrimaryKeyConstraint("return_id"),
    )
    op.create_index(op.f("ix_returns_order_id"), "returns", ["order_id"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webhook_id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.String(length=160), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.webhook_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("webhook_id", "event_id"),
    )
    op.create_index(
        "ix_deliveries_due",
        "webhook_deliveries",
        ["webhook_id", "status", "event_id"],
        unique=False,
    )
    op.create_table(
        "fulfillment_lines",
        sa.Column("fulfillment_id", sa.String(length=160), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillments.fulfillment_id"],
        ),
        sa.PrimaryKeyConstraint("fulfillment_id", "line_no"),
    )
    op.create_table(
        "return_lines",
        sa.Column("return_id", sa.String(length=160), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("sellable", sa.Integer(), nullable=False),
        sa.Column("damaged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.return_id"],
        ),
        sa.PrimaryKeyConstraint("return_id", "line_no"),
    )
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fulfillment_id", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillments.fulfillment_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fulfillment_id", "status", "at"),
    )
    op.create_index(
        op.f("ix_tracking_events_fulfillment_id"),
        "tracking_events",
        ["fulfillment_id"],
        unique=False,
    )

    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "events", "value": 0}])


def downgrade() -> None:
    op.drop_index(op.f("ix_tracking_events_fulfillment_id"), table_name="tracking_events")
    op.drop_table("tracking_events")
    op.drop_table("return_lines")
    op.drop_table("fulfillment_lines")
    op.drop_index("ix_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_returns_order_id"), table_name="returns")
    op.drop_table("returns")
    op.drop_index(op.f("ix_order_lines_sku"), table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index(op.f("ix_fulfillments_order_id"), table_name="fulfillments")
    op.drop_index("ix_fulfillments_node", table_name="fulfillments")
    op.drop_table("fulfillments")
    op.drop_table("webhooks")
    op.drop_index(op.f("ix_orders_status"), table_name="orders")
    op.drop_index("ix_orders_created", table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_ledger_ops_done"), table_name="ledger_ops")
    op.drop_table("ledger_ops")
    op.drop_index(op.f("ix_events_type"), table_name="events")
    op.drop_index(op.f("ix_events_order_id"), table_name="events")
    op.drop_table("events")
    op.drop_table("counters")

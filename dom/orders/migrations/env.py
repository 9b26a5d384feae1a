"""Alembic's environment: migrate the connection ``OrderStore.upgrade`` hands over."""

from __future__ import annotations

from alembic import context

from dom.orders.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()

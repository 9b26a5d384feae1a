"""The order store: one SQLAlchemy engine on SQLite (embedded) or PostgreSQL, and its units of
work.

``OrderStore.open(url | data_dir)`` picks the database: ``DOM_DATABASE_URL`` when set (any
SQLAlchemy URL; ``postgresql+psycopg://`` in production), else ``{DOM_DATA_DIR}/orders.sqlite3``.
``upgrade()`` runs the Alembic migrations shipped in this package (under an advisory lock on
PostgreSQL, so replicas starting together migrate once).

A change is one ``write()`` transaction. Its reads must see what it then changes, alone: on
PostgreSQL the rows are locked (``SELECT ... FOR UPDATE``, see ``lock``); on SQLite the
transaction starts with ``BEGIN IMMEDIATE``, taking the database's one write lock before its
first read (SQLite runs one writer at a time anyway). ``read()`` is a plain transaction that
never blocks writers (WAL on SQLite). SQLite is opened with ``synchronous=FULL``: an order
answered 201 has been fsync'd.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dom.errors import InvalidInput
from dom.orders.models import CounterRow

SQLITE_NAME = "orders.sqlite3"
_MIGRATION_LOCK = 727_017  # pg_advisory_lock key of "dom orders migrations"


class OrderStore:
    """Engines and sessions of one order database."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self._writer = _sqlite_engine(url, immediate=True)
            self._reader = _sqlite_engine(url, immediate=False)
        else:
            # executemany through psycopg's pipeline (one prepared statement, one round trip)
            # rather than multi-row VALUES texts, each new one parsed anew by psycopg
            self._writer = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                use_insertmanyvalues=False,
            )
            self._reader = self._writer
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)

    @classmethod
    def open(cls, database_url: str | None, data_dir: Path | str) -> OrderStore:
        """The store of ``database_url``, else SQLite under ``data_dir`` (made if missing)."""
        if database_url:
            try:
                make_url(database_url)
            except Exception:  # sqlalchemy raises ArgumentError or ValueError
                raise InvalidInput(
                    "DOM_DATABASE_URL is not a database URL",
                    column="DOM_DATABASE_URL",
                    fix="write e.g. postgresql+psycopg://user@host/dom",
                ) from None
            return cls(database_url)
        folder = Path(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{folder.resolve() / SQLITE_NAME}")

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def upgrade(self) -> None:
        """Run the migrations up to the newest (harmless when already there)."""
        config = Config()
        config.set_main_option("script_location", str(files("dom.orders") / "migrations"))
        with self._writer.begin() as conn:
            if self.is_postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One change: committed when the block ends, rolled back if it raises."""
        with self._write_sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent read that changes nothing."""
        with self._read_sessions() as session, session.begin():
            yield session

    def lock(self, stmt: Any) -> Any:
        """``stmt`` locking its rows until the transaction ends (PostgreSQL; SQLite's
        ``BEGIN IMMEDIATE`` has locked the whole database already)."""
        return stmt.with_for_update() if self.is_postgres else stmt

    def next_ids(self, session: Session, name: str, count: int) -> int:
        """Reserve ``count`` ids of counter ``name``; returns the first. The counter row stays
        locked until the transaction ends, so the ids commit in increasing order."""
        first: int | None = session.execute(
            update(CounterRow)
            .where(CounterRow.name == name)
            .values(value=CounterRow.value + count)
            .returning(CounterRow.value)
        ).scalar()
        if first is None:  # the migration seeds the counters; a store made otherwise may lack it
            session.add(CounterRow(name=name, value=count))
            session.flush()
            return 1
        return first - count + 1

    def counter(self, name: str) -> int:
        with self.read() as session:
            value = session.execute(select(CounterRow.value).where(CounterRow.name == name))
            return int(value.scalar() or 0)

    def dispose(self) -> None:
        self._writer.dispose()
        self._reader.dispose()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    """A SQLite engine in WAL mode whose transactions start with BEGIN IMMEDIATE (writers) or
    BEGIN (readers), fsync'd at each commit."""
    engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine

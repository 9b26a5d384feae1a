"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis


class RedisServer:
    """A real ``redis-server`` on a free loopback port, or the one named by
    ``DOM_TEST_REDIS_URL`` (a throwaway database: tests flush it). Fault tests may ``stop`` and
    ``start`` an own server; the port stays the same. ``durable``: always an own server, with an
    fsync'd append-only file, so a stop and start keeps its data."""

    def __init__(self, workdir: Path, *, durable: bool = False) -> None:
        self.durable = durable
        self.external = None if durable else os.environ.get("DOM_TEST_REDIS_URL")
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self._port = 0
        if self.external is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self._port = sock.getsockname()[1]

    @property
    def url(self) -> str:
        return self.external or f"redis://127.0.0.1:{self._port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        if self.external is not None:
            return
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail("redis-server not found: run scripts/setup.sh or set DOM_TEST_REDIS_URL")
        persist = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else [
            "--appendonly", "no"]  # fmt: skip
        self._proc = subprocess.Popen(
            [exe, "--port", str(self._port), "--bind", "127.0.0.1", "--save", "", *persist,
             "--dir", str(self._workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.RedisError:  # not up yet, or still loading its file
                if time.monotonic() > deadline or self._proc.poll() is not None:
                    pytest.fail(f"redis-server did not start on port {self._port}")
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        """Stop the server (a fault test skips when the server is external)."""
        if self.external is not None:
            pytest.skip("cannot stop an external DOM_TEST_REDIS_URL server")
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=15)
            self._proc = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the session, stopped at the end."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    if server.external is None:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, its database flushed for this test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url


class PostgresServer:
    """A real PostgreSQL: the machine's server when one answers at 127.0.0.1:5432 (trust auth),
    else one started here with ``initdb`` in a temporary folder (as the ``postgres`` user when
    the tests run as root, which PostgreSQL refuses). Each test gets a database of its own,
    copied from a template the migrations ran on once."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self.host, self.port, self.user = "127.0.0.1", 5432, "postgres"
        self.template = f"dom_tpl_{os.getpid()}"
        self._made: list[str] = []

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def _answers(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.url().replace("+psycopg", ""), connect_timeout=2).close()
            return True
        except psycopg.Error:
            return False

    def start(self) -> None:
        if not self._answers():
            self._start_own()
        self._sql(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._sql(f'CREATE DATABASE "{self.template}"')
        from dom.orders import OrderStore

        store = OrderStore(self.url(self.template))
        store.upgrade()
        store.dispose()

    def _start_own(self) -> None:
        initdb = shutil.which("initdb") or "/usr/lib/postgresql/15/bin/initdb"
        postgres = shutil.which("postgres") or "/usr/lib/postgresql/15/bin/postgres"
        if not Path(initdb).exists():
            pytest.fail("PostgreSQL not found: run scripts/setup.sh (installs it through apt)")
        data = self._workdir / "pgdata"
        prefix: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            shutil.chown(self._workdir, "postgres")
            prefix = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self._proc = subprocess.Popen(
            [*prefix, postgres, "-D", str(data), "-p", str(self.port), "-k", str(self._workdir),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self._answers():
            if time.monotonic() > deadline or self._proc.poll() is not None:
                pytest.fail("postgres did not start")
            time.sleep(0.1)

    def _sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(statement)

    def fresh_database(self) -> str:
        """A new database with the migrations applied; its SQLAlchemy URL."""
        import uuid

        name = f"dom_t_{uuid.uuid4().hex[:12]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self._made.append(name)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        for name in [*self._made, self.template]:
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=30)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One PostgreSQL for the session (the machine's, or one of its own)."""
    server = PostgresServer(tmp_path_factory.mktemp("pg"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh migrated database of the session's server, dropped afterwards."""
    url = postgres_server.fresh_database()
    yield url
    postgres_server.drop(url)


@pytest.fixture(autouse=True, scope="session")
def _order_store_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Services the tests start keep their embedded order store out of the work tree."""
    old = os.environ.get("DOM_DATA_DIR")
    os.environ["DOM_DATA_DIR"] = str(tmp_path_factory.mktemp("var"))
    yield
    if old is None:
        os.environ.pop("DOM_DATA_DIR", None)
    else:
        os.environ["DOM_DATA_DIR"] = old

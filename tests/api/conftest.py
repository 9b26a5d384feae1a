"""Fixtures of the service tests: apps on both stores, live servers on loopback, workers.

Every app runs against the tiny bundle (``tests/data/tiny``) or a copy of it with other stock;
the Redis cases use the session's real redis-server (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import RedisServer

TINY = Path(__file__).parents[1] / "data" / "tiny"
WAREHOUSES = Path(__file__).parents[2] / "data" / "warehouses"
LOOPBACK = ("127.0.0.1", 50000)

ORDER = {
    "order_id": "A1",
    "lines": [{"sku": "TEE", "qty": 2}, {"sku": "MUG", "qty": 1}],
    "destination": {"zip": "10001"},
    "promised_days": 5,
}

MakeClient = Callable[..., TestClient]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bundle_with_stock(folder: Path, inventory_csv: str) -> Path:
    """A copy of the tiny bundle whose ``inventory.csv`` is ``inventory_csv``."""
    shutil.copytree(TINY, folder, ignore=shutil.ignore_patterns("orders*", "plan"))
    (folder / "inventory.csv").write_text(inventory_csv)
    return folder


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None for the in-memory ledger, else a flushed database of the session's redis-server."""
    if request.param == "memory":
        return None
    url: str = request.getfixturevalue("redis_url")
    return url


def _clients(store_url: str | None) -> Iterator[MakeClient]:
    opened: list[TestClient] = []

    def make(*, client: tuple[str, int] = LOOPBACK, **overrides: object) -> TestClient:
        values: dict[str, object] = {
            "network_dir": TINY,
            "redis_url": store_url,
            "warehouse_dir": WAREHOUSES,
            "ledger_prefix": f"test:{{{uuid.uuid4().hex[:8]}}}:",
        }
        values.update(overrides)
        app = create_app(Settings(**values))  # type: ignore[arg-type]
        test_client = TestClient(app, client=client, raise_server_exceptions=False)
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def make_client(store_url: str | None) -> Iterator[MakeClient]:
    """``make_client(**settings)``: a TestClient from loopback on a fresh app and ledger."""
    yield from _clients(store_url)


@pytest.fixture
def make_memory_client() -> Iterator[MakeClient]:
    """``make_client`` on the in-memory ledger with in-process jobs only."""
    yield from _clients(None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A loopback client of an app without API keys (every scope granted)."""
    return make_client()


class LiveServer:
    """``dom serve`` in a subprocess on a free loopback port."""

    def __init__(self, env: dict[str, str], network_dir: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "serve",
            str(network_dir),
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self.proc = subprocess.Popen(
            cmd,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                self.stop()
                pytest.fail(f"dom serve did not start:\n{err[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def live_server() -> Iterator[Callable[..., LiveServer]]:
    """``live_server(env, network_dir=TINY, workers=1)``; every server is stopped afterwards."""
    servers: list[LiveServer] = []

    def start(env: dict[str, str], network_dir: Path = TINY, workers: int = 1) -> LiveServer:
        server = LiveServer(env, network_dir, workers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class Workers:
    """``dom worker`` processes (each in its own process group, so a kill takes its job too)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {**os.environ, **env}
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        cmd = [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "worker",
            "--maintenance-interval",
            "1",
        ]
        proc = subprocess.Popen(
            cmd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its work horse: a death with no chance to clean up."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def rq_workers() -> Iterator[Callable[[dict[str, str]], Workers]]:
    """``rq_workers(env)``: a pool of ``dom worker`` processes, all killed afterwards."""
    pools: list[Workers] = []

    def make(env: dict[str, str]) -> Workers:
        pools.append(Workers(env))
        return pools[-1]

    yield make
    for pool in pools:
        pool.stop_all()


def DurableRedis(workdir: Path) -> RedisServer:
    """A redis-server of its own with an fsync'd append-only file (the outage test stops it
    mid-load and starts it again on the same port)."""
    return RedisServer(workdir, durable=True)


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A started ``DurableRedis``, stopped afterwards."""
    server = DurableRedis(tmp_path)
    server.start()
    yield server
    server.stop()

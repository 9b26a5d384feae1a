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

"""Routing service speed on loopback, with Redis: /v1/route against a no-op endpoint.

    python -m benchmarks.api.route_bench [--seconds 10] [--rounds 3] [--connections 16]
                                         [--rate 200] [--workers 1] [--network DIR --orders CSV]

Starts a redis-server and one ``dom serve NETWORK`` (``--workers`` processes; the sample bundle by
default) on free loopback ports, then drives the same server with a small asyncio HTTP/1.1
keep-alive client (cheap per request, so the client is not what is measured):

- throughput (closed loop, ``--connections`` requests in flight) of ``GET /healthz`` (the no-op:
  the same middleware, no work), ``POST /v1/route`` (availability read from Redis + the exact
  kernel) and ``POST /v1/route?reserve=true`` (plus the all-or-nothing hold, a Lua script). The
  three calls take turns for ``--rounds`` rounds of ``--seconds / --rounds`` each, so noise from
  other work on a shared machine falls on all of them alike; each row is the median round;
- latency (open loop at ``--rate`` requests/s, measured from each request's scheduled time, so a
  slow answer cannot hide the queue behind it) of ``POST /v1/route?reserve=true``.

Orders are the day's first 2,000 (``benchmarks.api.order_bodies``: ZIP destinations as written,
ship-complete and channel kept), cycled; holds expire after 2 s so stock keeps coming back. Writes
``benchmarks/api/results/route_bench.{csv,md}`` and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from benchmarks.api.order_bodies import order_bodies

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
RESULTS = Path(__file__).resolve().parent / "results"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(method: str, path: str, body: bytes | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body is None:
        return (head + "\r\n").encode()
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends a request and reads one answer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def call(self, raw: bytes) -> int:
        self.writer.write(raw)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


async def _closed_loop(
    port: int, requests: list[bytes], connections: int, seconds: float
) -> tuple[float, int]:
    """Requests/s with ``connections`` always in flight; and how many answers were not 200."""
    done, bad = 0, 0
    deadline = time.perf_counter() + seconds

    async def loop(k: int) -> None:
        nonlocal done, bad
        conn = await _Connection.open(port)
        i = k
        while time.perf_counter() < deadline:
            status = await conn.call(requests[i % len(requests)])
            done += 1
            bad += status != 200
            i += connections
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop(k) for k in range(connections)))
    return done / (time.perf_counter() - started), bad


async def _open_loop(
    port: int, requests: list[bytes], rate: float, seconds: float
) -> tuple[np.ndarray, int]:
    """Latencies (s) of requests sent at ``rate``/s on schedule, from their scheduled time."""
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(64):
        pool.put_nowait(await _Connection.open(port))
    latencies: list[float] = []
    bad = 0

    async def one(i: int, scheduled: float) -> None:
        nonlocal bad
        conn = await pool.get()
        status = await conn.call(requests[i % len(requests)])
        latencies.append(time.perf_counter() - scheduled)
        bad += status != 200
        pool.put_nowait(conn)

    tasks = []
    start = time.perf_counter() + 0.1
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    return np.array(latencies), bad


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--network", type=Path, default=SAMPLE / "network")
    parser.add_argument("--orders", type=Path, default=SAMPLE / "orders.csv")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="dom-bench-")
    redis_port, port = _free_port(), _free_port()
    redis = _start(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        {},
    )
    env = {
        "DOM_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DOM_RESERVATION_TTL_SECONDS": "2",
    }
    server = _start(
        [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "serve",
            str(args.network),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/readyz")
        orders = [json.dumps(o).encode() for o in order_bodies(args.orders, limit=2000)]
        noop = [_request("GET", "/healthz", None)]
        route = [_request("POST", "/v1/route", o) for o in orders]
        reserve = [_request("POST", "/v1/route?reserve=true", o) for o in orders]
        # warm up every worker process (numba kernels, connection pools)
        asyncio.run(_closed_loop(port, route, args.connections, 3.0))
        calls = {
            "GET /healthz (no-op)": noop,
            "POST /v1/route": route,
            "POST /v1/route?reserve=true": reserve,
        }
        rates: dict[str, list[float]] = {name: [] for name in calls}
        bad: dict[str, int] = dict.fromkeys(calls, 0)
        for _ in range(args.rounds):
            for name, requests in calls.items():
                rps, errors = asyncio.run(
                    _closed_loop(port, requests, args.connections, args.seconds / args.rounds)
                )
                rates[name].append(rps)
                bad[name] += errors
        rows: list[dict[str, object]] = [
            {
                "measure": "throughput",
                "call": name,
                "req_per_s": round(statistics.median(rates[name]), 1),
                "non_200": bad[name],
            }
            for name in calls
        ]
        base = statistics.median(rates["GET /healthz (no-op)"])
        for row, name in zip(rows, calls, strict=True):
            row["pct_of_noop"] = round(100 * statistics.median(rates[name]) / base, 1)
        latencies, late_bad = asyncio.run(_open_loop(port, reserve, args.rate, args.seconds))
        ms = np.percentile(latencies * 1000, [50, 95, 99])
        rows.append(
            {
                "measure": f"latency at {args.rate:g} req/s",
                "call": "POST /v1/route?reserve=true",
                "req_per_s": args.rate,
                "non_200": late_bad,
                "p50_ms": round(ms[0], 2),
                "p95_ms": round(ms[1], 2),
                "p99_ms": round(ms[2], 2),
                "max_ms": round(float(latencies.max() * 1000), 2),
            }
        )
    finally:
        for proc in (server, redis):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    table = pd.DataFrame(rows).astype(object).fillna("")
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "route_bench.csv", index=False)
    header = (
        f"/v1/route vs a no-op on one `dom serve .../{args.network.parent.name}/"
        f"{args.network.name}` (workers={args.workers}) with Redis, loopback, "
        f"{args.connections} connections, {args.seconds:g} s per throughput row in "
        f"{args.rounds} interleaved rounds (median shown), {os.cpu_count()} cores.\n\n"
    )
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in table.itertuples(index=False)]
    (RESULTS / "route_bench.md").write_text(header + "\n".join(lines) + "\n")
    print(header + "\n".join(lines))


if __name__ == "__main__":
    main()

"""Order creation speed on loopback: ``POST /v1/orders`` (route + hold + the order's transaction
+ commit) beside ``POST /v1/route?reserve=true`` on the same server, with PostgreSQL and Redis;
and the embedded default (SQLite + the memory ledger) beside it.

    python -m benchmarks.orders.order_bench [--seconds 10] [--rounds 3] [--connections 16]
                                            [--rate 100] [--stock-factor 100]

Starts a redis-server, a PostgreSQL database (the machine's server at 127.0.0.1:5432 when one
answers, a throwaway database dropped afterwards; else the embedded rows only) and ``dom serve``
on a copy of the sample bundle whose on_hand is multiplied by ``--stock-factor`` (so that orders
keep being routed and held rather than backordered once the day's stock is sold; holds of
``/v1/route`` expire after 2 s). Throughput is closed loop with ``--connections`` in flight,
the two calls taking turns over ``--rounds`` rounds (the median shown); latency is open loop at
``--rate`` orders/s, from each request's scheduled time. Every order id is new. Writes
``benchmarks/orders/results/order_bench.{csv,md}``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.api.order_bodies import order_bodies
from benchmarks.api.route_bench import _Connection, _free_port, _request, _start, _wait_http

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
RESULTS = Path(__file__).resolve().parent / "results"

Make = Callable[[], bytes]


async def _closed_loop(
    port: int, make: Make, connections: int, seconds: float
) -> tuple[float, int]:
    done = bad = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done, bad
        conn = await _Connection.open(port)
        while time.perf_counter() < deadline:
            status = await conn.call(make())
            done += 1
            bad += status not in (200, 201)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(connections)))
    return done / (time.perf_counter() - started), bad


async def _open_loop(port: int, make: Make, rate: float, seconds: float) -> tuple[np.ndarray, int]:
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(64):
        pool.put_nowait(await _Connection.open(port))
    latencies: list[float] = []
    bad = 0

    async def one(raw: bytes, scheduled: float) -> None:
        nonlocal bad
        conn = await pool.get()
        status = await conn.call(raw)
        latencies.append(time.perf_counter() - scheduled)
        bad += status not in (200, 201)
        pool.put_nowait(conn)

    tasks = []
    start = time.perf_counter() + 0.1
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(make(), scheduled)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    return np.array(latencies), bad


def _bundle(folder: Path, factor: int) -> Path:
    shutil.copytree(SAMPLE / "network", folder)
    inv = pd.read_csv(folder / "inventory.csv")
    inv["on_hand"] = inv["on_hand"] * factor
    inv.to_csv(folder / "inventory.csv", index=False)
    return folder


def _postgres() -> tuple[str, Callable[[], None]] | None:
    """A throwaway database on the machine's PostgreSQL, and how to drop it; None without one."""
    try:
        import psycopg

        admin = "postgresql://postgres@127.0.0.1:5432/postgres"
        name = f"dom_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def _serve(network: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    cmd = [
        sys.executable,
        "-c",
        "from cli import main; main()",
        "serve",
        str(network),
        "--port",
        str(port),
    ]
    proc = _start(cmd, env)
    _wait_http(f"http://127.0.0.1:{port}/readyz")
    return proc, port


def _measure(name: str, port: int, bodies: list[dict], args: argparse.Namespace) -> list[dict]:
    counter = itertools.count()
    run = uuid.uuid4().hex[:6]

    def order() -> bytes:
        k = next(counter)
        body = {**bodies[k % len(bodies)], "order_id": f"B{run}-{k}"}
        return _request("POST", "/v1/orders", json.dumps(body).encode())

    def route() -> bytes:
        k = next(counter)
        body = {**bodies[k % len(bodies)], "order_id": f"R{run}-{k}"}
        return _request("POST", "/v1/route?reserve=true", json.dumps(body).encode())

    asyncio.run(_closed_loop(port, order, args.connections, 2.0))  # warm up
    asyncio.run(_closed_loop(port, route, args.connections, 2.0))
    calls = {"POST /v1/route?reserve=true": route, "POST /v1/orders": order}
    rates: dict[str, list[float]] = {c: [] for c in calls}
    bad = dict.fromkeys(calls, 0)
    for _ in range(args.rounds):
        for call, make in calls.items():
            rps, errors = asyncio.run(
                _closed_loop(port, make, args.connections, args.seconds / args.rounds)
            )
            rates[call].append(rps)
            bad[call] += errors
    base = statistics.median(rates["POST /v1/route?reserve=true"])
    rows = [
        {
            "store": name,
            "measure": "throughput",
            "call": call,
            "req_per_s": round(statistics.median(rates[call]), 1),
            "pct_of_route_reserve": round(100 * statistics.median(rates[call]) / base, 1),
            "non_2xx": bad[call],
        }
        for call in calls
    ]
    latencies, late_bad = asyncio.run(_open_loop(port, order, args.rate, args.seconds))
    ms = np.percentile(latencies * 1000, [50, 95, 99])
    rows.append(
        {
            "store": name,
            "measure": f"latency at {args.rate:g} orders/s",
            "call": "POST /v1/orders",
            "req_per_s": args.rate,
            "non_2xx": late_bad,
            "p50_ms": round(ms[0], 2),
            "p95_ms": round(ms[1], 2),
            "p99_ms": round(ms[2], 2),
            "max_ms": round(float(latencies.max() * 1000), 2),
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--stock-factor", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dom-order-bench-"))
    network = _bundle(workdir / "network", args.stock_factor)
    bodies = order_bodies(SAMPLE / "orders.csv", limit=2000)
    redis_port = _free_port()
    redis = _start(
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind",
         "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        {},
    )  # fmt: skip
    rows: list[dict] = []
    pg = _postgres()
    try:
        if pg is not None:
            env = {
                "DOM_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "DOM_DATABASE_URL": pg[0],
                "DOM_RESERVATION_TTL_SECONDS": "2",
            }
            proc, port = _serve(network, env)
            try:
                rows += _measure("PostgreSQL + Redis", port, bodies, args)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        env = {"DOM_DATA_DIR": str(workdir / "var"), "DOM_RESERVATION_TTL_SECONDS": "2"}
        proc, port = _serve(network, env)
        try:
            rows += _measure("embedded (SQLite + memory)", port, bodies, args)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    finally:
        os.killpg(redis.pid, signal.SIGTERM)
        redis.wait(timeout=30)
        if pg is not None:
            pg[1]()
        shutil.rmtree(workdir, ignore_errors=True)

    table = pd.DataFrame(rows).astype(object).fillna("")
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "order_bench.csv", index=False)
    header = (
        f"POST /v1/orders beside POST /v1/route?reserve=true on one `dom serve` (sample bundle, "
        f"on_hand x{args.stock_factor}), loopback, {args.connections} connections, "
        f"{args.seconds:g} s per throughput row in {args.rounds} interleaved rounds (median), "
        f"{os.cpu_count()} cores.\n\n"
    )
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in table.itertuples(index=False)]
    (RESULTS / "order_bench.md").write_text(header + "\n".join(lines) + "\n")
    print(header + "\n".join(lines))


if __name__ == "__main__":
    main()

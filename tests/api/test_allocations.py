"""Batch allocation jobs: JSON and CSV/Parquet uploads, in-process and on RQ workers."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pandas as pd
import pytest
import redis
from rq import Worker

from api.jobs import AllocationSpec, compute_plan
from dom.io import load_network, load_orders
from tests.api.conftest import TINY, LiveServer, MakeClient, Workers

ORDERS_CSV = (TINY / "orders.csv").read_bytes()
SAMPLE = Path(__file__).parents[2] / "data" / "sample" / "network"


def _sample_orders(path: Path, num_orders: int) -> Path:
    """The first ``num_orders`` orders of the sample day (500 take HiGHS a few seconds)."""
    frame = pd.read_csv(SAMPLE.parent / "orders.csv", dtype=str, keep_default_na=False)
    keep = frame["order_id"].isin(frame["order_id"].unique()[:num_orders])
    frame[keep].to_csv(path, index=False)
    return path


def _json_orders() -> list[dict]:
    """The tiny orders.csv as contracts §2 JSON orders."""
    frame = pd.read_csv(TINY / "orders.csv", dtype=str)
    out = []
    for order_id, rows in frame.groupby("order_id", sort=False):
        first = rows.iloc[0]
        out.append(
            {
                "order_id": order_id,
                "lines": [{"sku": r.sku, "qty": int(r.qty)} for r in rows.itertuples()],
                "destination": {"zip": first.dest_zip},
                "promised_days": int(first.promised_days),
                "ship_complete": first.ship_complete == "true",
                "channel": first.channel,
            }
        )
    return out


def _wait(get: Callable[[str], httpx.Response], url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = get(url).json()
        if status["status"] in ("finished", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _reference_plan(orders_path: str, method: str = "default") -> dict[str, bytes]:
    network = load_network(TINY)
    spec = AllocationSpec(str(TINY), load_orders(orders_path, network), method, 30.0)
    return compute_plan(spec, lambda fraction, message: None)


def test_json_batch_runs_in_process(make_memory_client: MakeClient) -> None:
    """A JSON batch is accepted (202), finishes, and serves the plan files of contracts §4."""
    client = make_memory_client()
    accepted = client.post("/v1/allocations", json={"orders": _json_orders()})
    assert accepted.status_code == 202
    url = accepted.headers["Location"]
    status = _wait(client.get, url)
    assert status["status"] == "finished" and status["progress"] == 1.0
    assert status["summary"]["orders"] == 5 and status["summary"]["lines"] == 7
    lines = pd.read_csv(io.BytesIO(client.get(url + "/lines.csv").content))
    assert len(lines) == 7
    summary = json.loads(client.get(status["files"]["summary.json"]).content)
    assert summary == status["summary"]
    reference = _reference_plan(str(TINY / "orders.csv"))
    assert client.get(url + "/lines.csv").content == reference["lines.csv"]
    assert client.get(url + "/shipments.csv").content == reference["shipments.csv"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_upload_gives_the_same_plan(make_memory_client: MakeClient, fmt: str) -> None:
    """A CSV or Parquet upload of the same orders gives the same plan as the JSON batch."""
    client = make_memory_client()
    data = ORDERS_CSV
    if fmt == "parquet":
        buffer = io.BytesIO()
        pd.read_csv(io.BytesIO(ORDERS_CSV), dtype=str).to_parquet(buffer)
        data = buffer.getvalue()
    accepted = client.post(
        "/v1/allocations",
        files={"file": (f"orders.{fmt}", data)},
        data={"method": "default", "time_limit": "20"},
    )
    assert accepted.status_code == 202
    status = _wait(client.get, accepted.json()["url"])
    assert status["status"] == "finished"
    plan = client.get(status["files"]["lines.csv"]).content
    assert plan == _reference_plan(str(TINY / "orders.csv"))["lines.csv"]


def test_bad_batches_are_rejected_before_queueing(make_memory_client: MakeClient) -> None:
    """Bad uploads name file, row and column; bad JSON names orders[i]'s field; 415 otherwise."""
    client = make_memory_client()
    broken = ORDERS_CSV.replace(b"A1,MUG,1,", b"A1,MUG,0,")
    answer = client.post("/v1/allocations", files={"file": ("day1.csv", broken)})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (
        error["field"] == "qty" and "day1.csv" in error["message"] and "row 2" in error["message"]
    )
    orders = _json_orders()
    orders[1]["lines"][0]["sku"] = "NOPE"
    answer = client.post("/v1/allocations", json={"orders": orders})
    assert answer.json()["error"]["field"] == "orders[1].lines[0].sku"
    twice = client.post("/v1/allocations", json={"orders": _json_orders()[:1] * 2})
    assert twice.json()["error"]["field"] == "orders[1].order_id"
    method = client.post("/v1/allocations", json={"orders": _json_orders(), "method": "magic"})
    assert method.json()["error"]["field"] == "method"
    limit = client.post("/v1/allocations", json={"orders": _json_orders(), "time_limit": 1e9})
    assert limit.json()["error"]["field"] == "time_limit"
    text = client.post("/v1/allocations", content=b"x", headers={"content-type": "text/plain"})
    assert text.status_code == 415
    not_csv = client.post("/v1/allocations", files={"file": ("orders.xlsx", b"PK")})
    assert not_csv.json()["error"]["field"] == "file"
    assert client.get("/v1/allocations/nope").status_code == 404


@pytest.mark.redis
def test_rq_worker_runs_the_job_for_any_replica(
    redis_url: str,
    live_server: Callable[..., LiveServer],
    rq_workers: Callable[[dict[str, str]], Workers],
) -> None:
    """With Redis, a job posted to one replica runs on a `dom worker` and is read from another."""
    env = {"DOM_REDIS_URL": redis_url, "DOM_NETWORK_DIR": str(TINY)}
    first, second = live_server(env), live_server(env)
    rq_workers(env).start()
    accepted = httpx.post(
        first.url + "/v1/allocations", files={"file": ("orders.csv", ORDERS_CSV)}, timeout=30
    )
    assert accepted.status_code == 202
    status = _wait(lambda u: httpx.get(second.url + u, timeout=30), accepted.json()["url"])
    assert status["status"] == "finished", status
    lines = httpx.get(second.url + status["files"]["lines.csv"], timeout=30).content
    assert lines == _reference_plan(str(TINY / "orders.csv"))["lines.csv"]


# single-order solves: about 3 s on 2,000 orders, long enough to kill (500 orders now close their
# gap in half a second, before the worker can be caught running)
WORK_LIMIT = 2_000_000


@pytest.mark.redis
@pytest.mark.slow
def test_worker_killed_mid_job_is_retried_to_the_same_plan(
    redis_url: str,
    tmp_path: Path,
    live_server: Callable[..., LiveServer],
    rq_workers: Callable[[dict[str, str]], Workers],
) -> None:
    """SIGKILL of the worker running a job: another worker reruns it to the same plan (the
    default method with a work limit, which makes a solve reproducible)."""
    sample = _sample_orders(tmp_path / "orders.csv", 2000)
    env = {"DOM_REDIS_URL": redis_url, "DOM_NETWORK_DIR": str(SAMPLE)}
    server = live_server(env, network_dir=SAMPLE)
    pool = rq_workers(env)
    workers = [pool.start(), pool.start()]
    accepted = httpx.post(
        server.url + "/v1/allocations",
        files={"file": ("orders.csv", sample.read_bytes())},
        data={"method": "default", "time_limit": "120", "work_limit": str(WORK_LIMIT)},
        timeout=30,
    )
    url = server.url + accepted.json()["url"]
    connection = redis.Redis.from_url(redis_url)
    busy = None
    deadline = time.monotonic() + 60
    while busy is None and time.monotonic() < deadline:
        for worker in Worker.all(connection=connection):
            if worker.get_current_job_id():
                busy = next((p for p in workers if p.pid == worker.pid), None)
        time.sleep(0.05)
    assert busy is not None, "no worker picked the job up"
    time.sleep(0.5)
    assert httpx.get(url, timeout=30).json()["status"] == "running"
    pool.kill(busy)
    status = _wait(lambda u: httpx.get(u, timeout=30), url, timeout=240)
    assert status["status"] == "finished", status
    reference = compute_plan(
        AllocationSpec(
            str(SAMPLE),
            load_orders(sample, load_network(SAMPLE)),
            "default",
            120.0,
            WORK_LIMIT,
        ),
        lambda fraction, message: None,
    )
    for name in ("lines.csv", "shipments.csv"):
        assert httpx.get(f"{url}/{name}", timeout=30).content == reference[name]

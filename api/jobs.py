"""Batch allocation jobs: on RQ workers over Redis, or in-process in the embedded default.

A job is a pure function of its spec (network folder, validated orders, method, time limit), so a
rerun produces the same plan. Plan files are written to a temporary folder, read back and
published in one step: an in-memory assignment under a lock, or one Redis ``MULTI`` that sets the
files hash and its TTL together. A reader therefore sees every file of a plan or none of them,
and a worker that dies mid-job leaves nothing half-written.

Recovery of a dead worker is RQ's: the job sits in the started registry with a heartbeat that
its worker keeps extending; once that lapses, any live worker's maintenance pass re-queues the
job while it has retries left (``Retry``). ``DomWorker`` shortens RQ's fixed 60 s heartbeat
grace so a death is noticed within seconds rather than minutes.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import redis
from rq import Queue, Retry, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from api.errors import ApiError
from api.settings import Settings
from dom.allocation import allocate
from dom.errors import DomError
from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.model import Network, Orders
from dom.orders import Oms, OrderStore, allocate_pending
from dom.studies import InProcess, RunResult, Study, simulate
from solvers import MaxRuntime, MaxWork, StoppingCriterion

log = logging.getLogger("dom.api")

PLAN_FILES = ("shipments.csv", "lines.csv", "summary.json")

Progress = Callable[[float, str], None]

STUDY_TIMEOUT = 24 * 3600  # seconds a study job may run
_networks: dict[str, Network] = {}
_orders: list[Oms] = []  # at most one: a worker's order system
_networks_lock = threading.Lock()


@dataclass(frozen=True)
class AllocationSpec:
    """Everything a job needs; picklable, so it travels to RQ workers as the job's argument."""

    network_dir: str
    orders: Orders
    method: str
    time_limit: float
    work_limit: int | None = None  # stop on work, not on the clock: the plan is reproducible


@dataclass(frozen=True)
class StudySpec:
    """A what-if study (contracts §9) as a job: the checked study and the folder the job writes
    it into (on the machine that runs it); its top files come back with the job."""

    study: Study
    out_dir: str


@dataclass(frozen=True)
class PendingSpec:
    """The order store's pending and backordered lines, allocated and applied (contracts §7)."""

    time_limit: float
    work_limit: int | None = None


JobSpec = AllocationSpec | StudySpec | PendingSpec
STUDY_FILES = ("kpis.csv", "summary.csv", "frontier.csv", "failures.csv", "report.html")


@dataclass(frozen=True)
class JobRecord:
    """A job's state as the API reports it."""

    id: str
    status: str  # queued | running | finished | failed
    progress: float = 0.0
    message: str = ""
    summary: dict[str, Any] | None = None
    error: str | None = None
    created_at: float | None = None
    finished_at: float | None = None


class JobQueue(Protocol):
    """Where batch jobs run: ``InProcessJobs`` or ``RQJobs``."""

    def submit(self, spec: JobSpec) -> str: ...

    def status(self, job_id: str) -> JobRecord: ...

    def plan_file(self, job_id: str, name: str) -> bytes: ...

    def close(self) -> None: ...


def network_for(network_dir: str) -> Network:
    """The network of a folder, loaded once per process (workers preload it before forking)."""
    with _networks_lock:
        network = _networks.get(network_dir)
        if network is None:
            network = _networks[network_dir] = load_network(network_dir)
        return network


def compute_plan(spec: AllocationSpec, progress: Progress) -> dict[str, bytes]:
    """Allocate the batch and return the plan files (contracts §4) as bytes."""
    network = network_for(spec.network_dir)
    stop: StoppingCriterion = MaxRuntime(spec.time_limit)
    if spec.work_limit is not None:
        stop = stop | MaxWork(spec.work_limit)
    result = allocate(network, spec.orders, method=spec.method, stop=stop, progress=progress)
    with tempfile.TemporaryDirectory(prefix="dom-plan-") as tmp:
        result.plan.write(tmp)
        return {name: (Path(tmp) / name).read_bytes() for name in PLAN_FILES}


def compute_study(spec: StudySpec, progress: Progress) -> dict[str, bytes]:
    """Run the study in this process and return its top files (tables and report.html)."""
    total = len(spec.study.runs())
    finished = 0

    def done(run: RunResult) -> None:
        nonlocal finished
        finished += 1
        progress(finished / total, f"{finished} of {total} runs")

    simulate(spec.study, spec.out_dir, InProcess(), done)
    out = Path(spec.out_dir)
    return {name: (out / name).read_bytes() for name in STUDY_FILES if (out / name).is_file()}


def _worker_orders() -> Oms:
    """A ``dom worker``'s order system, opened once from its settings: the shared Redis ledger
    and the order store."""
    with _networks_lock:
        if not _orders:
            settings = Settings()  # type: ignore[call-arg]
            assert settings.redis_url, "a worker's pending batch needs DOM_REDIS_URL"
            ledger = RedisStore.from_url(settings.redis_url, prefix=settings.ledger_prefix)
            store = OrderStore.open(settings.database_url, settings.data_dir)
            network = load_network(settings.network_dir)
            _orders.append(
                Oms.build(store, ledger, network, hold_ttl=settings.reservation_ttl_seconds)
            )
        return _orders[-1]


def compute_pending(spec: PendingSpec, progress: Progress, orders: Oms | None) -> dict[str, bytes]:
    """Allocate the store's pending and backordered lines; the job's summary is the batch's."""
    stop: StoppingCriterion = MaxRuntime(spec.time_limit)
    if spec.work_limit is not None:
        stop = stop | MaxWork(spec.work_limit)
    progress(0.0, "allocating pending and backordered lines")
    summary = allocate_pending(orders or _worker_orders(), stop=stop)
    return {"summary.json": json.dumps(summary).encode()}


def compute_files(spec: JobSpec, progress: Progress, orders: Oms | None = None) -> dict[str, bytes]:
    """The files of a job: a plan (contracts §4), a study's tables and report, or the summary of
    a pending batch (run against ``orders``, the service's own order system when in-process)."""
    if isinstance(spec, StudySpec):
        return compute_study(spec, progress)
    if isinstance(spec, PendingSpec):
        return compute_pending(spec, progress, orders)
    return compute_plan(spec, progress)


def _summary_of(files: dict[str, bytes]) -> dict[str, Any] | None:
    return json.loads(files["summary.json"]) if "summary.json" in files else None


def _not_found(job_id: str) -> ApiError:
    return ApiError(
        404, "not_found", f"no allocation job '{job_id}' (unknown, or its results expired)"
    )


def _check_file(name: str) -> None:
    if name not in PLAN_FILES and name not in STUDY_FILES:
        raise ApiError(
            404, "not_found", f"no plan file '{name}'; files are {', '.join(PLAN_FILES)}"
        )


# ---------------------------------------------------------------------------------------------
# in-process (embedded default)


@dataclass
class _Entry:
    record: JobRecord
    files: dict[str, bytes] | None = None


class InProcessJobs:
    """Jobs on one background thread of this process; results kept ``result_ttl`` seconds."""

    def __init__(self, *, result_ttl: float, orders: Oms | None = None) -> None:
        self._ttl = result_ttl
        self.orders = orders  # the service's order system, for pending batches
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dom-job")

    def submit(self, spec: JobSpec) -> str:
        job_id = uuid.uuid4().hex
        with self._lock:
            self._purge()
            self._entries[job_id] = _Entry(JobRecord(job_id, "queued", created_at=time.time()))
        self._pool.submit(self._run, job_id, spec)
        return job_id

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            entry = self._entries[job_id]
            entry.record = replace(entry.record, **changes)

    def _run(self, job_id: str, spec: JobSpec) -> None:
        self._update(job_id, status="running")
        try:
            files = compute_files(
                spec, lambda f, m: self._update(job_id, progress=float(f), message=m), self.orders
            )
        except DomError as exc:
            self._update(job_id, status="failed", error=str(exc), finished_at=time.time())
            return
        except Exception as exc:  # a thread has no caller to raise to: record it
            log.exception("allocation job %s failed", job_id)
            error = f"internal error ({type(exc).__name__}); see the server log"
            self._update(job_id, status="failed", error=error, finished_at=time.time())
            return
        summary = _summary_of(files)
        with self._lock:  # publish: the files and the finished state together
            entry = self._entries[job_id]
            entry.files = files
            entry.record = replace(
                entry.record,
                status="finished",
                progress=1.0,
                summary=summary,
                finished_at=time.time(),
            )

    def _purge(self) -> None:
        now = time.time()
        for job_id in [
            k
            for k, e in self._entries.items()
            if e.record.finished_at is not None and e.record.finished_at + self._ttl < now
        ]:
            del self._entries[job_id]

    def status(self, job_id: str) -> JobRecord:
        with self._lock:
            self._purge()
            entry = self._entries.get(job_id)
            if entry is None:
                raise _not_found(job_id)
            return entry.record

    def plan_file(self, job_id: str, name: str) -> bytes:
        _check_file(name)
        with self._lock:
            self._purge()
            entry = self._entries.get(job_id)
            if entry is None:
                raise _not_found(job_id)
            if entry.files is None:
                raise ApiError(409, "not_ready", f"job '{job_id}' is {entry.record.status}")
            if name not in entry.files:
                raise ApiError(404, "not_found", f"job '{job_id}' has no file '{name}'")
            return entry.files[name]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# RQ on Redis (shared by every replica; `dom worker` runs the jobs)


def files_key(prefix: str, job_id: str) -> str:
    return f"{prefix}job:{job_id}:files"


def run_allocation(spec: JobSpec, prefix: str, result_ttl: int) -> None:
    """The RQ job: compute the plan, then publish its files in one transaction.

    Bad input is a finished job carrying an error (RQ would otherwise retry it to no end);
    anything else raises, so RQ records the failure or retries it.
    """
    job = get_current_job()
    assert job is not None, "run_allocation runs inside an RQ worker"
    last = 0.0

    def progress(fraction: float, message: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.5 or fraction >= 1.0:
            last = now
            job.meta.update(progress=float(fraction), message=message)
            job.save_meta()

    try:
        files = compute_files(spec, progress)
    except DomError as exc:
        job.meta.update(error=str(exc))
        job.save_meta()
        return
    pipe = job.connection.pipeline(transaction=True)
    key = files_key(prefix, job.id)
    pipe.delete(key)
    pipe.hset(key, mapping=files)  # type: ignore[arg-type]
    pipe.expire(key, result_ttl)
    pipe.execute()


def _iso_ts(value: datetime | None) -> float | None:
    return None if value is None else value.replace(tzinfo=UTC).timestamp()


class RQJobs:
    """Jobs queued on Redis for ``dom worker`` processes."""

    def __init__(self, url: str, *, queue: str, prefix: str, result_ttl: int, retries: int) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=2.0)
        self._queue = Queue(queue, connection=self._redis)
        self._prefix = prefix
        self._ttl = result_ttl
        self._retries = retries

    def submit(self, spec: JobSpec) -> str:
        job_id = uuid.uuid4().hex
        study = isinstance(spec, StudySpec)
        timeout = STUDY_TIMEOUT if isinstance(spec, StudySpec) else int(spec.time_limit * 4 + 300)
        self._queue.enqueue(
            run_allocation,
            spec,
            self._prefix,
            self._ttl,
            job_id=job_id,
            job_timeout=timeout,
            meta={"kind": "study"} if study else None,
            result_ttl=self._ttl,
            failure_ttl=self._ttl,
            retry=Retry(max=self._retries) if self._retries else None,
        )
        return job_id

    def _job(self, job_id: str) -> Job:
        try:
            return Job.fetch(job_id, connection=self._redis)
        except NoSuchJobError:
            raise _not_found(job_id) from None

    def status(self, job_id: str) -> JobRecord:
        job = self._job(job_id)
        state = job.get_status(refresh=False)
        meta = job.meta or {}
        record = JobRecord(
            job_id,
            "queued",
            progress=float(meta.get("progress", 0.0)),
            message=str(meta.get("message", "")),
            created_at=_iso_ts(job.enqueued_at or job.created_at),
            finished_at=_iso_ts(job.ended_at),
        )
        if state == JobStatus.STARTED:
            return replace(record, status="running")
        if state == JobStatus.FINISHED:
            if meta.get("error"):
                return replace(record, status="failed", error=str(meta["error"]))
            if meta.get("kind") == "study":
                return replace(record, status="finished", progress=1.0)
            summary = self._redis.hget(files_key(self._prefix, job_id), "summary.json")
            if summary is None:
                raise _not_found(job_id)
            return replace(record, status="finished", progress=1.0, summary=json.loads(summary))
        if state in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            result = job.latest_result()
            reason = (result.exc_string or "").strip().splitlines() if result else []
            return replace(record, status="failed", error=reason[-1] if reason else str(state))
        return record

    def plan_file(self, job_id: str, name: str) -> bytes:
        _check_file(name)
        data = self._redis.hget(files_key(self._prefix, job_id), name)
        if data is None:
            record = self.status(job_id)
            raise ApiError(409, "not_ready", f"job '{job_id}' is {record.status}")
        return bytes(data)  # type: ignore[arg-type]

    def close(self) -> None:
        self._redis.close()


class DomWorker(Worker):
    """An RQ worker whose job heartbeat lapses ``grace`` seconds after its last beat (RQ's own
    grace is a fixed 60 s), so a dead worker's job is retried promptly by another."""

    heartbeat_grace = 10

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = int(min(job.timeout - working_time, interval))
        return interval + self.heartbeat_grace

"""Where a study's runs go: this process, or RQ workers sharing one Redis (``DOM_REDIS_URL``).

One job per (scenario, mode, seed), queued longest first. Workers are RQ ``SimpleWorker``s: they
run jobs in their own process rather than forking a child per job, so the libraries they
imported, the kernels they compiled and the study inputs they loaded stay loaded between jobs (a
forking worker whose parent never imported them pays for the imports in every job: docs/studies.md,
Parallel runs). Each worker runs on one solver thread (``numba.set_num_threads(1)``), so K workers
use K cores. A job's answer is its :class:`~dom.studies.runs.RunResult`, compressed, through
Redis; the process that queued the study writes every file. Random streams depend on seeds
only, so the tables are identical whichever worker ran what, or none.

``python -m dom.studies.parallel --url URL [--study FILE] [--burst]`` is a worker (``dom
simulate --workers K`` starts K of them; ``dom study-worker`` runs one on any machine).
"""

from __future__ import annotations

import argparse
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Sequence

from dom.errors import InvalidInput
from dom.studies.runs import RunResult, inputs_for
from dom.studies.spec import Study
from dom.studies.study import Done, Executor, InProcess, RunKey, safe_run

QUEUE = "dom-studies"
RESULT_TTL = 3600  # seconds a finished job's answer waits for the process that queued it
_POLL = 0.2


def run_job(study: Study, scenario: str, mode: str, seed: int) -> bytes:
    """The RQ job: one run, its result pickled and compressed."""
    return zlib.compress(pickle.dumps(safe_run(study, scenario, mode, seed)), 1)


def _job_timeout(study: Study) -> int:
    """A generous bound: a run that takes longer is reported failed, the others go on."""
    return int(3600 + 600 * study.days)


class RQExecutor:
    """Runs queued on Redis for study workers; ``workers`` > 0 starts that many locally (ended
    when the study is done), 0 waits for workers already running."""

    def __init__(self, url: str, workers: int = 0, queue: str = QUEUE) -> None:
        self.url = url
        self.workers = workers
        self.queue = queue

    def map(self, study: Study, runs: Sequence[RunKey], done: Done) -> list[RunResult]:
        import redis
        from rq import Queue
        from rq.job import Job, JobStatus

        connection = redis.Redis.from_url(self.url)
        queue = Queue(self.queue, connection=connection)
        tag = uuid.uuid4().hex[:12]
        jobs = [
            queue.enqueue_call(
                run_job,
                args=(study, *key),
                job_id=f"study-{tag}-{i}",
                timeout=_job_timeout(study),
                result_ttl=RESULT_TTL,
                failure_ttl=RESULT_TTL,
            )
            for i, key in enumerate(runs)
        ]
        started = [self._start(study) for _ in range(self.workers)]
        results: dict[int, RunResult] = {}
        previous = signal.getsignal(signal.SIGTERM)
        # a terminated study still stops the workers it started (the finally below)
        trap = bool(started) and threading.current_thread() is threading.main_thread()
        if trap:
            signal.signal(signal.SIGTERM, _raise_exit)
        try:
            while len(results) < len(jobs):
                for i, job in enumerate(jobs):
                    if i in results:
                        continue
                    status = Job.fetch(job.id, connection=connection).get_status()
                    if status == JobStatus.FINISHED:
                        fetched = Job.fetch(job.id, connection=connection)
                        answer: bytes = fetched.return_value()  # type: ignore[assignment]
                        results[i] = pickle.loads(zlib.decompress(answer))
                    elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                        fetched = Job.fetch(job.id, connection=connection)
                        latest = fetched.latest_result()
                        reason = (latest.exc_string or "").strip().splitlines() if latest else []
                        error = reason[-1] if reason else f"job {status}"
                        results[i] = RunResult(*runs[i], error=error)
                    else:
                        continue
                    done(results[i])
                    fetched.delete()
                if len(results) < len(jobs):
                    if started and all(p.poll() is not None for p in started):
                        raise RuntimeError("every study worker this command started has exited")
                    time.sleep(_POLL)
        finally:
            if trap:
                signal.signal(signal.SIGTERM, previous)
            for process in started:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in started:
                process.wait(timeout=30)
            connection.close()
        return [results[i] for i in range(len(jobs))]

    def _start(self, study: Study) -> subprocess.Popen[bytes]:
        """A local worker that loads the study's inputs before taking jobs, then leaves when
        the queue is empty."""
        args = [sys.executable, "-m", "dom.studies.parallel", "--url", self.url, "--burst",
                "--queue", self.queue]  # fmt: skip
        if study.source is not None:
            args += ["--study", str(study.source)]
        env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        return subprocess.Popen(args, env=env)


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def executor_for(study: Study, workers: int) -> Executor:
    """RQ workers when ``DOM_REDIS_URL`` is set, else this process."""
    url = os.environ.get("DOM_REDIS_URL")
    if url:
        return RQExecutor(url, workers)
    if workers > 1:
        raise InvalidInput(
            f"--workers {workers} needs DOM_REDIS_URL",
            column="--workers",
            fix="set DOM_REDIS_URL to a Redis the workers share, or leave --workers out",
        )
    return InProcess()


def work(url: str, queue: str = QUEUE, study: Study | None = None, burst: bool = False) -> None:
    """Be a study worker: one solver thread, kernels compiled and (with ``study``) its inputs
    loaded before the first job; jobs run in this process."""
    import numba
    import redis
    from rq import SimpleWorker

    from solvers import warm_up

    numba.set_num_threads(1)
    warm_up()
    if study is not None:
        inputs_for(study)
    connection = redis.Redis.from_url(url)
    SimpleWorker([queue], connection=connection).work(burst=burst, logging_level="WARNING")


def _main() -> None:
    parser = argparse.ArgumentParser(description="A study worker (RQ, one solver thread).")
    parser.add_argument("--url", required=True)
    parser.add_argument("--queue", default=QUEUE)
    parser.add_argument("--study", default=None)
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args()
    study = None
    if args.study:
        from dom.studies.studyfile import load_study

        study, _ = load_study(args.study)
    work(args.url, args.queue, study, args.burst)


if __name__ == "__main__":
    _main()

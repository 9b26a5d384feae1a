"""``dom serve NETWORK_DIR`` (the routing service, on uvicorn) and ``dom worker`` (RQ jobs).

Settings come from ``DOM_*`` environment variables (``api.settings``); the command line only adds
where to listen. Several worker processes (``--workers``) need ``DOM_REDIS_URL``: the in-memory
ledger belongs to one process, and two of them would each sell the same stock.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.settings import Settings
from dom.errors import InvalidInput


def service_settings(network_dir: Path | None = None) -> Settings:
    """The settings from the environment, with NETWORK_DIR (when given) as DOM_NETWORK_DIR."""
    if network_dir is not None:
        os.environ["DOM_NETWORK_DIR"] = str(network_dir)
    if not os.environ.get("DOM_NETWORK_DIR"):
        raise InvalidInput(
            "no network bundle given", column="DOM_NETWORK_DIR", fix="set DOM_NETWORK_DIR"
        )
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "DOM_" + "_".join(str(p) for p in first["loc"]).upper()
        raise InvalidInput(f"{name}: {first['msg']}", column=name) from None


def serve(
    network_dir: Annotated[Path, typer.Argument(help="network bundle folder (contracts §1)")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (>1 needs Redis)")] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request line")] = False,
) -> None:
    """Serve the routing API (contracts §6) on HOST:PORT."""
    import uvicorn

    settings = service_settings(network_dir)
    if workers > 1 and not settings.redis_url:
        raise InvalidInput(
            f"--workers {workers} without DOM_REDIS_URL would give each process its own ledger",
            column="--workers",
            fix="set DOM_REDIS_URL to share one ledger, or use --workers 1",
        )
    if settings.key_scopes() is None and host not in ("127.0.0.1", "::1", "localhost"):
        logging.getLogger("dom.api").warning(
            "listening on %s without DOM_API_KEYS: non-loopback clients get 403", host
        )
    metrics_dir = None
    if workers > 1:
        # one Prometheus scrape sums every process (prometheus_client multiprocess mode)
        metrics_dir = tempfile.mkdtemp(prefix="dom-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            log_level="info",
        )
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def worker(
    burst: Annotated[bool, typer.Option(help="exit when the queue is empty")] = False,
    name: Annotated[str | None, typer.Option(help="worker name (default: RQ's)")] = None,
    maintenance_interval: Annotated[
        int, typer.Option(min=1, help="seconds between checks for jobs of dead workers")
    ] = 10,
    deliveries: Annotated[
        bool, typer.Option(help="also post webhook deliveries (needs DOM_DATABASE_URL)")
    ] = True,
) -> None:
    """Run batch allocation jobs from Redis (DOM_REDIS_URL, DOM_NETWORK_DIR), and the webhook
    deliveries of the order store (DOM_DATABASE_URL)."""
    import redis

    from api.jobs import DomWorker, network_for

    settings = service_settings()
    if not settings.redis_url:
        raise InvalidInput(
            "dom worker needs DOM_REDIS_URL", column="DOM_REDIS_URL", fix="set DOM_REDIS_URL"
        )
    network_for(str(settings.network_dir))  # loaded once, before jobs fork off
    if deliveries and settings.database_url:
        _start_deliveries(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    connection = redis.Redis.from_url(settings.redis_url)
    queue_worker = DomWorker(
        [settings.job_queue],
        connection=connection,
        name=name,
        job_monitoring_interval=2,
        maintenance_interval=maintenance_interval,
        # the dequeue wait is worker_ttl - 15: wake up in time for each maintenance pass
        worker_ttl=maintenance_interval + 15,
    )
    queue_worker.work(burst=burst, with_scheduler=False)


def _start_deliveries(settings: Settings) -> None:
    """Webhook deliveries on a thread of the worker (one runner per subscription at a time, by
    lease, however many workers run)."""
    import asyncio
    import threading

    from dom.events.delivery import DeliveryRunner
    from dom.orders import OrderStore

    store = OrderStore.open(settings.database_url, settings.data_dir)
    store.upgrade()
    runner = DeliveryRunner(
        store,
        retry_base=settings.webhook_retry_base_seconds,
        max_attempts=settings.webhook_max_attempts,
        timeout=settings.webhook_timeout_seconds,
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(runner.run_forever()), name="dom-webhooks", daemon=True
    )
    thread.start()


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to the root app."""
    app.command("serve")(serve)
    app.command("worker")(worker)

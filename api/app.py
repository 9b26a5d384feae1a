"""The app factory: settings -> network, ledger, job queue, metrics -> a FastAPI app.

Without ``DOM_REDIS_URL`` the ledger is in memory and jobs run in-process (one process only);
with it, every replica shares the Redis ledger and jobs go to RQ workers (``dom worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool

from api import errors
from api.deps import Services
from api.jobs import InProcessJobs, JobQueue, RQJobs
from api.metrics import Metrics
from api.middleware import BodyLimit, Timing
from api.routes import ROUTERS, orders, route
from api.schemas import AllocationRequest
from api.settings import Settings
from dom.events.delivery import DeliveryRunner
from dom.inventory import InventoryStore, MemoryStore, StoreUnavailable
from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.model import Network
from dom.orders import (
    BatchWriter,
    Oms,
    OrderStore,
    rebuild_ledger,
    reconcile,
    wake_backorders,
)

log = logging.getLogger("dom.api")

DESCRIPTION = """Order routing over a shared inventory ledger that never oversells (contracts §6),
and the orders' whole lifecycle on a durable store with events and signed webhooks (§7, §8).

Send `X-API-Key` with a key of `DOM_API_KEYS` holding the call's scope (`route`, `plan`,
`orders`, `warehouse`, `carrier`, `events`, `admin`). Errors are
`{"error": {"code", "message", "field"}}`.
"""


def _open_store(settings: Settings) -> InventoryStore:
    if settings.redis_url:
        return RedisStore.from_url(settings.redis_url, prefix=settings.ledger_prefix)
    return MemoryStore()


def _open_jobs(settings: Settings) -> JobQueue:
    if settings.redis_url:
        return RQJobs(
            settings.redis_url,
            queue=settings.job_queue,
            prefix=settings.ledger_prefix,
            result_ttl=settings.job_result_ttl_seconds,
            retries=settings.job_retries,
        )
    return InProcessJobs(result_ttl=settings.job_result_ttl_seconds)


async def _sweep_forever(store: InventoryStore, every: float) -> None:
    """Return expired holds' stock even when no request touches their SKUs."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(StoreUnavailable):
            await run_in_threadpool(store.sweep)


def open_orders(settings: Settings, store: InventoryStore, network: Network) -> Oms:
    """The order system: the store migrated to the newest schema, and the ledger brought in
    agreement with it (the memory ledger rebuilt; a shared one's unfinished operations applied)."""
    orders = OrderStore.open(settings.database_url, settings.data_dir)
    orders.upgrade()
    oms = Oms.build(
        orders,
        store,
        network,
        hold_ttl=settings.reservation_ttl_seconds,
        max_resolves=settings.max_resolves,
        warehouse_dir=settings.warehouse_dir,
        carrier=settings.carrier,
    )
    if isinstance(store, MemoryStore):
        rebuild_ledger(oms)
    else:
        reconcile(oms)
    oms.writer = BatchWriter(oms)
    return oms


async def _maintain_forever(oms: Oms, every: float) -> None:
    """Mark applied ledger operations done (batched), and every ``every`` seconds apply the
    outbox's stragglers and try backorders again (stock may have come by an inventory sync)."""
    last = 0.0
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(0.2)
        try:
            await run_in_threadpool(oms.flush_done)
            if loop.time() - last >= every:
                last = loop.time()
                await run_in_threadpool(reconcile, oms, min_age_seconds=2.0)
                await run_in_threadpool(wake_backorders, oms)
        except Exception:  # the next round tries again; the store or ledger may be back
            log.exception("order maintenance failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service: load the network, open (and if empty, fill) the ledger, mount routers."""
    settings = settings or Settings()  # type: ignore[call-arg]
    network = load_network(settings.network_dir)
    store = _open_store(settings)
    store.load(network)
    metrics = Metrics(lambda: store)
    keys = settings.key_scopes()
    if keys is None:
        log.warning("DOM_API_KEYS is not set: only loopback clients are served")
    oms = open_orders(settings, store, network)
    jobs = _open_jobs(settings)
    if isinstance(jobs, InProcessJobs):
        jobs.orders = oms  # pending batches run against this process's ledger
    services = Services(settings, network, store, jobs, metrics, keys, oms.router, oms=oms)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers alternate short CPU bursts with Redis round trips. Few threads and a short
        # GIL switch interval keep a thread back from Redis from waiting out another's 5 ms
        # slice, which cut the p99 latency several-fold (docs/service.md, The hot path).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        sys.setswitchinterval(settings.gil_switch_ms / 1000)
        sweeper = asyncio.create_task(_sweep_forever(store, settings.sweep_interval_seconds))
        tasks = [
            sweeper,
            asyncio.create_task(_maintain_forever(oms, settings.reconcile_interval_seconds)),
        ]
        if not settings.redis_url:  # embedded: webhooks go out from here (with Redis: dom worker)
            runner = DeliveryRunner(
                oms.store,
                retry_base=settings.webhook_retry_base_seconds,
                max_attempts=settings.webhook_max_attempts,
                timeout=settings.webhook_timeout_seconds,
            )
            tasks.append(asyncio.create_task(runner.run_forever()))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await run_in_threadpool(oms.writer.close)
            await run_in_threadpool(oms.flush_done)
            services.jobs.close()
            oms.store.dispose()
            store.close()

    app = FastAPI(
        title="DOM routing service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    errors.install(app)
    app.router.routes.insert(0, route.ROUTE)
    app.router.routes.insert(1, orders.CREATE)
    for router in ROUTERS:
        app.include_router(router)

    def limit_for(path: str) -> int:
        if path == "/v1/allocations":
            return settings.max_upload_bytes
        return settings.max_body_bytes

    app.add_middleware(BodyLimit, limit_for=limit_for)
    app.add_middleware(Timing, observe=metrics.observe)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=[route.OPENAPI_ROUTE, orders.OPENAPI_CREATE, *app.routes],
            )
            extra = AllocationRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(extra.pop("$defs", {}))
            components["AllocationRequest"] = extra
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

"""The event loop's pipelined Redis connection (``redis_loop``): every caller gets the reply to
its own command, whatever happens to the connection or to the other callers."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis

from dom.inventory import StoreUnavailable
from dom.inventory.redis_store import RedisStore
from tests.inventory.networks import ledger_network

pytestmark = pytest.mark.redis

# One node, eight SKUs with 1..8 units: the answer to availability([S{k}]) names its question.
NUM_SKUS = 8
NET = ledger_network([list(range(1, NUM_SKUS + 1))])


def _run_on(loop_name: str, main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``main()`` on a fresh loop of the stdlib or of uvloop (the one ``dom serve`` uses)."""
    if loop_name == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        factory = uvloop.new_event_loop
    else:
        factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main())


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)


class _FlakyRelay:
    """A TCP relay to Redis that cuts every connection it carries: a third right after
    accepting it, the others after relaying for 0-30 ms (as a Redis restart, a proxy or a load
    balancer may do). Both ends see the cut at once."""

    def __init__(self, port: int, rng: random.Random) -> None:
        self._port = port
        self._rng = rng
        self._handlers: set[asyncio.Task[None]] = set()
        self.num_connections = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._carry, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        self._server.close()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _carry(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.num_connections += 1
        try:
            if self._rng.random() < 1 / 3:
                return
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self._port)
            pumps = [
                asyncio.ensure_future(_pump(client_r, server_w)),
                asyncio.ensure_future(_pump(server_r, client_w)),
            ]
            await asyncio.sleep(self._rng.uniform(0, 0.03))
            server_w.transport.abort()
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            client_w.transport.abort()
            self._handlers.discard(task)


@pytest.mark.parametrize("loop_name", ["asyncio", "uvloop"])
def test_connections_cut_mid_use_never_mix_up_replies(redis_url: str, loop_name: str):
    """16 callers on one loop for a second while every connection is cut at a random moment
    (some right after connecting), some callers cancelled mid-wait: each answer is the one to
    its own question or StoreUnavailable ("connection lost", never a hang until "no reply")."""
    prefix = "t:{flaky}:"
    RedisStore.from_url(redis_url, prefix=prefix).load(NET)
    redis_port = urlsplit(redis_url).port
    assert redis_port is not None
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []

    async def main() -> None:
        rng = random.Random(7)
        relay = _FlakyRelay(redis_port, rng)
        client = redis.Redis(port=await relay.start(), decode_responses=True, socket_timeout=3.0)
        store = RedisStore(client, prefix=prefix)
        end = time.monotonic() + 1.0

        async def ask(k: int) -> None:
            try:
                answer = await store.availability_async([f"S{k}"])
            except StoreUnavailable as exc:
                outcomes["no reply" if "no reply" in str(exc) else "unavailable"] += 1
                return
            outcomes["answered"] += 1
            if answer != {f"S{k}": {"FC0": k + 1}}:
                wrong.append(f"S{k} got {answer}")

        async def caller() -> None:
            while time.monotonic() < end:
                call = asyncio.ensure_future(ask(rng.randrange(NUM_SKUS)))
                if rng.random() < 0.05:  # a client that disconnects mid-request
                    await asyncio.sleep(rng.uniform(0, 0.002))
                    call.cancel()
                    outcomes["cancelled"] += 1
                await asyncio.gather(call, return_exceptions=True)

        await asyncio.gather(*(caller() for _ in range(16)))
        store.close()
        await relay.stop()
        outcomes["connections"] = relay.num_connections

    _run_on(loop_name, main)
    assert wrong == [], f"{len(wrong)} replies went to the wrong caller, e.g. {wrong[:3]}"
    assert outcomes["no reply"] == 0, outcomes
    assert outcomes["answered"] > 100 and outcomes["unavailable"] > 0, outcomes
    assert outcomes["connections"] > 10, outcomes


@pytest.mark.parametrize("loop_name", ["asyncio", "uvloop"])
def test_cancelled_callers_leave_the_others_their_own_replies(redis_url: str, loop_name: str):
    """Callers cancelled before and after their command was written keep their place in the
    connection's reply queue: every other caller, then and later, gets its own answer."""
    store = RedisStore.from_url(redis_url, prefix="t:{cancel}:")
    store.load(NET)
    asks = [i % NUM_SKUS for i in range(90)]

    async def round_with_cancellations(yields: int) -> None:
        calls = [asyncio.ensure_future(store.availability_async([f"S{k}"])) for k in asks]
        for _ in range(yields):  # 0: not yet written; 2: written, reply not yet read
            await asyncio.sleep(0)
        for call in calls[::3]:
            call.cancel()
        answers = await asyncio.gather(*calls, return_exceptions=True)
        for i, (k, answer) in enumerate(zip(asks, answers, strict=True)):
            if i % 3:  # not cancelled
                assert answer == {f"S{k}": {"FC0": k + 1}}, (i, answer)

    async def main() -> None:
        for yields in (0, 1, 2, 3):
            await round_with_cancellations(yields)
        after = await asyncio.gather(*(store.availability_async([f"S{k}"]) for k in asks))
        assert after == [{f"S{k}": {"FC0": k + 1}} for k in asks]

    _run_on(loop_name, main)
    store.close()

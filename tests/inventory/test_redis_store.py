"""What only the Redis store has: outages, shared loading, key prefixes, and parity with memory."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dom.errors import DomError
from dom.inventory import (
    InventoryStore,
    MemoryStore,
    Reservation,
    ReservationNotFound,
    ReserveOutcome,
    RestockAlert,
    StoreUnavailable,
)
from dom.inventory.redis_store import RedisStore
from tests.conftest import RedisServer
from tests.inventory.networks import ledger_network

pytestmark = pytest.mark.redis

NET = ledger_network(
    [[4, 1], [2, 3]], safety_stock=[[1, 0], [0, 0]], reorder_point=[[2, -1], [-1, 3]]
)

CALLS: dict[str, Callable[[InventoryStore], object]] = {
    "ping": lambda s: s.ping(),
    "load": lambda s: s.load(NET),
    "availability": lambda s: s.availability(["S0"]),
    "reserve": lambda s: s.reserve("r1", [("FC0", "S0", 1)], ttl_seconds=60),
    "availability_async": lambda s: asyncio.run(s.availability_async(["S0"])),
    "reserve_async": lambda s: asyncio.run(
        s.reserve_async("r1", [("FC0", "S0", 1)], ttl_seconds=60)
    ),
    "commit": lambda s: s.commit("r1"),
    "release": lambda s: s.release("r1"),
    "fulfil": lambda s: s.fulfil("FC0", "S0", 1),
    "set_levels": lambda s: s.set_levels([("FC0", "S0", 3, None)]),
    "levels": lambda s: s.levels(),
    "sweep": lambda s: s.sweep(),
    "counters": lambda s: s.counters(),
    "restock_alerts": lambda s: s.restock_alerts(),
    "num_restock_alerts": lambda s: s.num_restock_alerts(),
    "incr": lambda s: s.incr("resolves"),
    "idempotent": lambda s: s.idempotent("k", dict),
}


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.parametrize("call", CALLS)
def test_unreachable_redis_raises_store_unavailable(call: str):
    """Every operation turns a refused connection into StoreUnavailable with a retry hint."""
    store = RedisStore.from_url(dead_url())
    with pytest.raises(StoreUnavailable, match="unreachable") as err:
        CALLS[call](store)
    assert err.value.retry_after >= 1


def test_store_recovers_when_redis_comes_back(redis_server: RedisServer, redis_url: str):
    """Redis stopped mid-use gives StoreUnavailable; once restarted the same store works again."""
    store = RedisStore.from_url(redis_url)
    store.load(NET)
    assert store.reserve("r1", [("FC0", "S0", 1)], ttl_seconds=60).ok
    redis_server.stop()
    try:
        with pytest.raises(StoreUnavailable):
            store.reserve("r2", [("FC0", "S0", 1)], ttl_seconds=60)
    finally:
        redis_server.start()
    store.load(NET)  # this test server keeps no data across a restart
    assert store.reserve("r2", [("FC0", "S0", 1)], ttl_seconds=60).ok


def test_async_calls_recover_when_redis_comes_back(redis_server: RedisServer, redis_url: str):
    """On one event loop: Redis stopped gives StoreUnavailable, and once it is back the loop's
    connection is made again by the next call."""
    store = RedisStore.from_url(redis_url)
    store.load(NET)

    async def calls() -> None:
        assert (await store.reserve_async("r1", [("FC0", "S0", 1)], ttl_seconds=60)).ok
        redis_server.stop()
        try:
            with pytest.raises(StoreUnavailable, match="unreachable"):
                await store.availability_async(["S0"])
            with pytest.raises(StoreUnavailable, match="unreachable"):
                await store.availability_async(["S0"])
        finally:
            redis_server.start()
        store.load(NET)
        assert await store.availability_async(["S0"]) == {"S0": {"FC0": 3, "FC1": 2}}

    asyncio.run(calls())


def test_async_call_without_a_reply_times_out_and_reconnects(redis_url: str):
    """A reply later than the socket timeout is StoreUnavailable (the connection is dropped, so
    no late reply reaches another caller); the next call answers on a new connection."""
    client = redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=0.3)
    store = RedisStore(client, prefix="t:{timeout}:")
    store.load(NET)

    async def calls() -> None:
        assert await store.availability_async(["S0"]) == store.availability(["S0"])
        redis.Redis.from_url(redis_url).client_pause(1000, all=True)
        with pytest.raises(StoreUnavailable, match="no reply"):
            await store.availability_async(["S0"])
        await asyncio.sleep(1.0)
        assert await store.availability_async(["S0"]) == {"S0": {"FC0": 3, "FC1": 2}}

    asyncio.run(calls())


def test_async_calls_in_flight_together_get_their_own_replies(redis_url: str):
    """Many calls pipelined on one connection each get the reply to their own command, also on
    another database (selected when connecting) and after Redis lost its scripts."""
    url = redis_url.rsplit("/", 1)[0] + "/3"
    store = RedisStore.from_url(url, prefix="t:{pipe}:")
    store.load(NET)
    asks = [["S0"], ["S1"], ["S0", "S1"], ["S1", "S0"]] * 10

    async def calls() -> list[dict[str, dict[str, int]]]:
        return list(await asyncio.gather(*(store.availability_async(a) for a in asks)))

    assert asyncio.run(calls()) == [store.availability(a) for a in asks]
    redis.Redis.from_url(url).script_flush()
    assert asyncio.run(calls()) == [store.availability(a) for a in asks]
    assert redis.Redis.from_url(redis_url).exists("t:{pipe}:skus") == 0


def test_replicas_loading_together_write_the_ledger_once(redis_url: str):
    """Of 6 replicas calling load at once exactly one writes; all then see the same ledger."""
    stores = [RedisStore.from_url(redis_url, prefix="p:{x}:") for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        wrote = list(pool.map(lambda s: s.load(NET), stores))
    assert sorted(wrote) == [False] * 5 + [True]
    assert all(s.availability(["S0", "S1"]) == stores[0].availability(["S0", "S1"]) for s in stores)


def test_prefixes_keep_ledgers_apart(redis_url: str):
    """Two prefixes on one Redis are two independent ledgers."""
    one = RedisStore.from_url(redis_url, prefix="net:{a}:")
    two = RedisStore.from_url(redis_url, prefix="net:{b}:")
    one.load(NET)
    two.load(NET)
    assert one.reserve("r1", [("FC0", "S0", 3)], ttl_seconds=60).ok
    assert two.availability(["S0"])["S0"]["FC0"] == 3
    assert one.load(NET, replace=True)
    assert two.counters()["reservations_created"] == 0
    with pytest.raises(ReservationNotFound):
        two.commit("r1")


def test_client_must_decode_responses(redis_url: str):
    """A client returning bytes is refused at construction."""
    with pytest.raises(ValueError, match="decode_responses"):
        RedisStore(redis.Redis.from_url(redis_url))


_fc = st.sampled_from(["FC0", "FC1"])
_sku = st.sampled_from(["S0", "S1"])
_id = st.sampled_from(["r0", "r1", "r2", "r3"])
_op = st.one_of(
    st.tuples(
        st.just("reserve"), _id, st.lists(st.tuples(_fc, _sku, st.integers(1, 3)), max_size=3)
    ),
    st.tuples(st.just("commit"), _id),
    st.tuples(st.just("release"), _id),
    st.tuples(st.just("fulfil"), _fc, _sku, st.integers(1, 2)),
    st.tuples(
        st.just("set_levels"),
        st.lists(
            st.tuples(_fc, _sku, st.integers(0, 5), st.none() | st.integers(0, 2)), max_size=2
        ),
    ),
)


def _apply(store: InventoryStore, op: tuple) -> object:
    """Run one operation; an error is part of the outcome (its class and message). Expiry times
    are left out: the stores read different clocks."""
    name, *args = op
    try:
        if name == "reserve":
            out = store.reserve(args[0], args[1], ttl_seconds=600)
            assert isinstance(out, ReserveOutcome)
            return _held(out.reservation), out.short
        result = getattr(store, name)(*args)
    except DomError as exc:
        return type(exc).__name__, str(exc)
    return _held(result) if isinstance(result, Reservation) else result


def _held(res: Reservation | None) -> object:
    return res and (res.id, res.state, res.items)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(_op, max_size=12))
def test_redis_store_behaves_exactly_like_memory_store(redis_url: str, ops: list[tuple]):
    """Any sequence of operations gives the same outcomes, levels, counters and restock alerts
    on both stores, and the alerts kept up to date match their definition."""
    memory = MemoryStore()
    shared = RedisStore.from_url(redis_url)
    memory.load(NET)
    shared.load(NET, replace=True)
    for op in ops:
        assert _apply(shared, op) == _apply(memory, op), op
        for r in memory.levels():
            assert r.reserved >= 0 and r.allocated >= 0
    assert shared.levels() == memory.levels()
    assert shared.counters() == memory.counters()
    by_definition = [
        RestockAlert(r.fc_id, r.sku, r.on_hand, r.allocated, r.net_stock, r.reorder_point)
        for r in memory.levels()
        if r.reorder_point is not None and r.net_stock <= r.reorder_point
    ]
    assert shared.restock_alerts() == memory.restock_alerts() == by_definition
    assert shared.num_restock_alerts() == memory.num_restock_alerts() == len(by_definition)
    shared.close()

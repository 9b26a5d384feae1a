"""The shared ledger: any number of service replicas and workers on one Redis.

Kept in one module: the key layout, the atomicity argument below and the code that relies on
them (every script call and its reply) are read together.

Key layout (every key starts with the store's ``prefix``, default ``dom:{ledger}:``; the braces
are a Redis Cluster hash tag, so one ledger's keys share a slot and several ledgers, networks or
test runs can share one Redis under different prefixes):

    {p}meta             hash    state (loading | ready), loaded_at, rows
    {p}nodes            hash    fc_id -> "1" enabled | "0" disabled
    {p}skus             set     the SKU catalogue
    {p}stock:{sku}      hash    oh:{fc} on_hand, ss:{fc} safety_stock, rs:{fc} reserved,
                                al:{fc} allocated, rp:{fc} reorder point (absent: none)
    {p}res:{id}         hash    state, expires_at (ms, Redis clock), items (canonical JSON);
                                no TTL while held, a tombstone TTL once finished
    {p}expiry           zset    id of every held reservation, scored by expires_at
    {p}restock          set     "fc_id NUL sku" of rows at or below their reorder point, kept
                                by the scripts that change on_hand or allocated
    {p}counters         hash    reservations_created/committed/released/expired, reserve_short,
                                and whatever callers ``incr`` (e.g. resolves)
    {p}idem:{key}       string  "P:<token>" while computing (PX lease), then "D:<json>" (PX ttl)
    {p}op:{id}          string  an applied adjustment (``adjust``), kept OP_MEMORY_SECONDS

Atomicity argument. Every operation that reads stock and then changes it (reserve, commit,
release, expiry, fulfil, set levels) is one Lua script (``lua/``, each prefixed by
``lua/common.lua``). Redis runs a script to completion without interleaving any other command,
so its check ("every item has ``available >= qty``") and its writes happen at one instant of the
ledger's history: two replicas racing for the last unit are serialised by Redis, the second sees
the first's hold and reports the item short, and nothing is written for it. Hence ``available``
never goes negative through routing, whatever the number of replicas. Expiry needs no trust in
key TTLs: holds are scored by their expiry time (Redis ``TIME``, one clock for all replicas) in
``{p}expiry``; the reserve and availability scripts sweep the due ones first (up to
``sweep_limit`` per call, returning their stock in the same atomic step), ``sweep()`` drains the
rest, and commit/release expire a due hold before acting on it. A hold is thus available again
for routing from the first script run after its expiry instant, and a late commit is refused.

Scripts run on one connection per thread (``_run``: EVALSHA straight on the connection, EVAL
when Redis has lost its script cache) rather than through the client's pool and command layer:
the routing path runs two scripts per order, and the pool's take/return plus the command
wrapper cost more client CPU than the round trip itself (docs/service.md, The hot path).

Reserve is idempotent by reservation id (the same id and items return the existing hold), and
commit/release are idempotent by state, so a retry after a lost reply is safe. The client is built
without automatic retries because a fulfilment is not idempotent. Loss of Redis raises
``StoreUnavailable``; nothing half-done is visible because each script either ran or did not.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection
from redis.retry import Retry

from dom.errors import UnknownNode, UnknownSku
from dom.inventory.base import (
    COMMITTED,
    COUNTERS,
    HELD,
    OP_MEMORY_SECONDS,
    RELEASED,
    TOMBSTONE_SECONDS,
    HoldItem,
    IdempotencyBase,
    InventoryStore,
    LedgerSnapshot,
    Reservation,
    ReserveOutcome,
    RestockAlert,
    Shortage,
    StockLevel,
    canonical_adjustments,
    canonical_items,
    canonical_levels,
    check_fulfilment,
    check_reservation_args,
    closed_conflict,
    finished_commit,
    finished_release,
    needs_restock,
    not_found,
)
from dom.inventory.errors import OverFulfilment, StoreUnavailable
from dom.inventory.redis_loop import LoopConnection
from dom.model import Network

DEFAULT_PREFIX = "dom:{ledger}:"

# Redis replies that mean "not serving now" rather than "bad command".
_UNAVAILABLE_REPLIES = ("LOADING", "MASTERDOWN", "MISCONF", "NOREPLICAS", "OOM", "READONLY")


class RedisStore(IdempotencyBase, InventoryStore):
    """The ledger in Redis (``DOM_REDIS_URL``), shared by every replica using the same prefix."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        tombstone_seconds: int = TOMBSTONE_SECONDS,
        sweep_limit: int = 200,
        load_wait_seconds: float = 30.0,
    ) -> None:
        if not client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("RedisStore needs a client made with decode_responses=True")
        self._r = client
        self._p = prefix
        self._head = [prefix, str(int(tombstone_seconds)), str(int(sweep_limit))]
        self._sweep_limit = sweep_limit
        self._load_wait = load_wait_seconds
        self._local = threading.local()
        self._own: weakref.WeakSet[AbstractConnection] = weakref.WeakSet()
        self._loop_links: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConnection] = (
            weakref.WeakKeyDictionary()
        )
        common = _lua("common")
        # name -> (SHA1, text): EVALSHA names a script by the SHA1 of its text
        self._scripts: dict[str, tuple[str, str]] = {
            name: _with_sha(common + "\n" + _lua(name))
            for name in (
                "reserve",
                "settle",
                "fulfil",
                "set_levels",
                "availability",
                "sweep",
                "idempotency",
                "adjust",
            )
        }

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX, **options: Any) -> RedisStore:
        """A store on its own connection pool: short timeouts so an outage surfaces quickly as
        ``StoreUnavailable``, and no automatic retries (see the module docstring)."""
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=5.0,
            socket_connect_timeout=2.0,
            health_check_interval=10,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, prefix=prefix, **options)

    def load(self, network: Network, *, replace: bool = False) -> bool:
        snap = LedgerSnapshot.from_network(network)
        meta = self._p + "meta"
        with self._guard():
            if replace:
                self._drop()
            if not self._r.hsetnx(meta, "state", "loading"):
                self._wait_until_loaded()
                return False
            pipe = self._r.pipeline(transaction=False)
            pipe.hset(
                self._p + "nodes",
                mapping={
                    f: "1" if e else "0" for f, e in zip(snap.node_ids, snap.enabled, strict=True)
                },
            )
            if snap.sku_ids:
                pipe.sadd(self._p + "skus", *snap.sku_ids)
            for i, (fc_id, sku, on_hand, safety_stock, reorder_point) in enumerate(snap.rows):
                fields: dict[str, int] = {"oh:" + fc_id: on_hand}
                if safety_stock:
                    fields["ss:" + fc_id] = safety_stock
                if reorder_point is not None:
                    fields["rp:" + fc_id] = reorder_point
                pipe.hset(self._p + "stock:" + sku, mapping=fields)  # type: ignore[arg-type]
                if needs_restock(on_hand, 0, reorder_point):
                    pipe.sadd(self._p + "restock", f"{fc_id}\0{sku}")
                if i % 5000 == 4999:
                    pipe.execute()
            pipe.hset(
                meta, mapping={"state": "ready", "loaded_at": time.time(), "rows": len(snap.rows)}
            )
            pipe.execute()
            return True

    def availability(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        skus = list(skus)
        return _free_units(skus, self._run("availability", *skus)) if skus else {}

    async def availability_async(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        skus = list(skus)
        return _free_units(skus, await self._run_async("availability", *skus)) if skus else {}

    def reserve(
        self, reservation_id: str, items: Iterable[tuple[str, str, int]], *, ttl_seconds: float
    ) -> ReserveOutcome:
        wanted, args = _reserve_args(reservation_id, items, ttl_seconds)
        return _reserve_outcome(reservation_id, wanted, self._run("reserve", *args))

    async def reserve_async(
        self, reservation_id: str, items: Iterable[tuple[str, str, int]], *, ttl_seconds: float
    ) -> ReserveOutcome:
        wanted, args = _reserve_args(reservation_id, items, ttl_seconds)
        return _reserve_outcome(reservation_id, wanted, await self._run_async("reserve", *args))

    def commit(self, reservation_id: str) -> Reservation:
        res = self._settle(reservation_id, COMMITTED)
        return res if res.state == COMMITTED else finished_commit(res)

    async def commit_async(self, reservation_id: str) -> Reservation:
        _check_settle_id(reservation_id)
        reply = await self._run_async("settle", reservation_id, COMMITTED)
        res = _settled(reservation_id, reply)
        return res if res.state == COMMITTED else finished_commit(res)

    def release(self, reservation_id: str) -> Reservation:
        res = self._settle(reservation_id, RELEASED)
        return res if res.state == RELEASED else finished_release(res)

    def reservation(self, reservation_id: str) -> Reservation:
        return self._settle(reservation_id, "get")

    def fulfil(self, fc_id: str, sku: str, qty: int) -> StockLevel:
        check_fulfilment(fc_id, sku, qty)
        reply = self._run("fulfil", fc_id, sku, int(qty))
        if reply[0] == "over":
            raise OverFulfilment(
                f"cannot fulfil {qty} of '{sku}' at '{fc_id}': only {reply[1]} allocated"
            )
        if reply[0] == "ok":
            return _level(fc_id, sku, reply[1])
        _raise_unknown(reply[0], (fc_id, sku), "")
        raise AssertionError(f"unexpected reply {reply!r}")

    def adjust(self, op_id: str, items: Iterable[tuple[str, str, int, int]]) -> bool:
        check_reservation_args(op_id, 1.0)
        wanted = canonical_adjustments(items)
        text = json.dumps([list(item) for item in wanted], separators=(",", ":"))
        reply = self._run("adjust", op_id, OP_MEMORY_SECONDS, text)
        if reply[0] in ("ok", "done"):
            return bool(reply[0] == "ok")
        if reply[0] == "over":
            fc_id, sku, delta, allocated = (
                wanted[reply[1]][0],
                wanted[reply[1]][1],
                reply[2],
                reply[3],
            )
            raise OverFulfilment(
                f"cannot take {-int(delta)} allocated units of '{sku}' at '{fc_id}': "
                f"only {allocated} allocated"
            )
        _raise_unknown(reply[0], wanted[reply[1]][:2], f"items[{reply[1]}]")
        raise AssertionError(f"unexpected reply {reply!r}")

    def set_levels(self, rows: Iterable[tuple[str, str, int, int | None]]) -> list[StockLevel]:
        wanted = canonical_levels(rows)
        if not wanted:
            return []
        text = json.dumps([[f, s, oh, -1 if ss is None else ss] for f, s, oh, ss in wanted])
        reply = self._run("set_levels", text)
        if reply[0] == "ok":
            return [_level(f, s, row) for (f, s, _, _), row in zip(wanted, reply[1], strict=True)]
        _raise_unknown(reply[0], wanted[reply[1]][:2], f"[{reply[1]}]")
        raise AssertionError(f"unexpected reply {reply!r}")

    def levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        self.sweep()
        with self._guard():
            names = sorted(self._r.smembers(self._p + "skus") if skus is None else set(skus))
            pipe = self._r.pipeline(transaction=False)
            for sku in names:
                pipe.hgetall(self._p + "stock:" + sku)
            hashes = pipe.execute()
        out: list[StockLevel] = []
        for sku, fields in zip(names, hashes, strict=True):
            rows: dict[str, dict[str, int]] = {}
            for name, value in fields.items():
                rows.setdefault(name[3:], {})[name[:2]] = int(value)
            out.extend(
                StockLevel(
                    fc_id,
                    sku,
                    r.get("oh", 0),
                    r.get("ss", 0),
                    r.get("rs", 0),
                    r.get("al", 0),
                    r.get("rp"),
                )
                for fc_id, r in sorted(rows.items())
            )
        return out

    def restock_alerts(self) -> list[RestockAlert]:
        with self._guard():
            rows = sorted(
                (sku, fc_id)
                for fc_id, sku in (m.split("\0") for m in self._r.smembers(self._p + "restock"))
            )
            pipe = self._r.pipeline(transaction=False)
            for sku, fc_id in rows:
                pipe.hmget(self._p + "stock:" + sku, "oh:" + fc_id, "al:" + fc_id, "rp:" + fc_id)
            values = pipe.execute()
        out = []
        for (sku, fc_id), (oh, al, rp) in zip(rows, values, strict=True):
            on_hand, allocated = int(oh or 0), int(al or 0)
            alert = RestockAlert(fc_id, sku, on_hand, allocated, on_hand - allocated, int(rp))
            out.append(alert)
        return out

    def num_restock_alerts(self) -> int:
        with self._guard():
            return int(self._r.scard(self._p + "restock"))

    def sweep(self) -> int:
        expired = 0
        while True:
            looked, done = self._run("sweep")
            expired += done
            if looked < self._sweep_limit:
                return expired

    def incr(self, counter: str, amount: int = 1) -> None:
        with self._guard():
            self._r.hincrby(self._p + "counters", counter, amount)

    def counters(self) -> dict[str, int]:
        with self._guard():
            stored = self._r.hgetall(self._p + "counters")
        return dict.fromkeys(COUNTERS, 0) | {k: int(v) for k, v in stored.items()}

    def ping(self) -> None:
        with self._guard():
            self._r.ping()

    def close(self) -> None:
        for conn in list(self._own):
            conn.disconnect()
        for link in list(self._loop_links.values()):
            link.close()
        self._r.close()

    # idempotency primitives
    def _idem_claim(self, key: str, token: str, lease_seconds: float) -> bool:
        with self._guard():
            name = self._p + "idem:" + key
            return bool(self._r.set(name, "P:" + token, nx=True, px=round(lease_seconds * 1000)))

    def _idem_get(self, key: str) -> str | None:
        with self._guard():
            value: str | None = self._r.get(self._p + "idem:" + key)
            return value

    def _idem_finish(self, key: str, token: str, record: str, ttl_seconds: float) -> None:
        self._run("idempotency", key, token, record, max(1, round(ttl_seconds * 1000)))

    def _idem_abandon(self, key: str, token: str) -> None:
        self._run("idempotency", key, token, "", 0)

    # helpers
    def _run(self, script: str, *args: str | int) -> Any:
        """Run a ledger script on this thread's connection (see the module docstring)."""
        sha, text = self._scripts[script]
        with self._guard():
            conn = self._connection()
            conn.send_command("EVALSHA", sha, 0, *self._head, *args)
            try:
                return conn.read_response()
            except redis.exceptions.NoScriptError:
                conn.send_command("EVAL", text, 0, *self._head, *args)
                return conn.read_response()

    async def _run_async(self, script: str, *args: str | int) -> Any:
        """``_run`` for a caller on an event loop: the loop's own pipelined connection
        (``redis_loop``), so the loop serves other requests while Redis works."""
        sha, text = self._scripts[script]
        link = self._loop_connection()
        if link is None:
            return self._run(script, *args)
        with self._guard():
            try:
                return await link.call("EVALSHA", sha, 0, *self._head, *args)
            except redis.exceptions.NoScriptError:
                return await link.call("EVAL", text, 0, *self._head, *args)

    def _loop_connection(self) -> LoopConnection | None:
        """The running loop's connection, made on first use; None for TLS, which keeps the
        blocking path."""
        pool = self._r.connection_pool
        if pool.connection_class not in (redis.Connection, redis.UnixDomainSocketConnection):
            return None
        loop = asyncio.get_running_loop()
        link = self._loop_links.get(loop)
        if link is None:
            link = self._loop_links[loop] = LoopConnection(pool.connection_kwargs)
        return link

    def _connection(self) -> AbstractConnection:
        """This thread's own connection, made from the client's settings on first use; it
        reconnects by itself after an error, and closes when the thread ends."""
        conn: AbstractConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            pool = self._r.connection_pool
            conn = pool.connection_class(**pool.connection_kwargs)
            self._local.conn = conn
            self._own.add(conn)
        return conn

    def _settle(self, reservation_id: str, action: str) -> Reservation:
        _check_settle_id(reservation_id)
        return _settled(reservation_id, self._run("settle", reservation_id, action))

    def _drop(self) -> None:
        """Delete every key of this ledger (``load(replace=True)``)."""
        pattern = "".join("\\" + c if c in "*?[]\\" else c for c in self._p) + "*"
        batch: list[str] = []
        for key in self._r.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self._r.unlink(*batch)
                batch.clear()
        if batch:
            self._r.unlink(*batch)

    def _wait_until_loaded(self) -> None:
        deadline = time.monotonic() + self._load_wait
        while self._r.hget(self._p + "meta", "state") != "ready":
            if time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"the ledger at prefix '{self._p}' is still being loaded by another process "
                    "(if that process died, start one with a replacing load)",
                    retry_after=5,
                )
            time.sleep(0.05)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn Redis outages into ``StoreUnavailable``; other Redis errors are bugs and pass."""
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise StoreUnavailable(f"inventory store unreachable: {exc}") from exc
        except redis.exceptions.ResponseError as exc:
            if str(exc).startswith(_UNAVAILABLE_REPLIES):
                raise StoreUnavailable(f"inventory store not serving: {exc}") from exc
            raise


def _check_settle_id(reservation_id: object) -> None:
    if not isinstance(reservation_id, str) or not reservation_id:
        raise not_found(str(reservation_id))


def _settled(reservation_id: str, reply: list[Any]) -> Reservation:
    """The settle script's reply as the reservation's record."""
    if not reply:
        raise not_found(reservation_id)
    state, expires_ms, items = reply
    held = tuple(HoldItem(f, s, int(q)) for f, s, q in json.loads(items))
    return Reservation(reservation_id, state, int(expires_ms) / 1000, held)


def _free_units(skus: list[str], reply: list[Any]) -> dict[str, dict[str, int]]:
    """The availability script's reply as ``{sku: {fc_id: units}}``."""
    if reply[0] == "unknown_sku":
        raise UnknownSku(f"unknown SKU '{skus[reply[1]]}'", column="sku")
    return {
        sku: dict(zip(flat[::2], flat[1::2], strict=True))
        for sku, flat in zip(skus, reply[1], strict=True)
    }


def _reserve_args(
    reservation_id: str, items: Iterable[tuple[str, str, int]], ttl_seconds: float
) -> tuple[list[tuple[str, str, int]], tuple[str, int, str]]:
    """The checked, canonical items of a hold and the reserve script's arguments."""
    check_reservation_args(reservation_id, ttl_seconds)
    wanted = canonical_items(items)
    text = json.dumps(wanted, separators=(",", ":"))
    return wanted, (reservation_id, max(1, round(ttl_seconds * 1000)), text)


def _reserve_outcome(
    reservation_id: str, wanted: list[tuple[str, str, int]], reply: list[Any]
) -> ReserveOutcome:
    """The reserve script's reply as an outcome (or the error it reports)."""
    status = reply[0]
    if status == "ok":
        held = tuple(HoldItem(*item) for item in wanted)
        return ReserveOutcome(Reservation(reservation_id, HELD, int(reply[1]) / 1000, held))
    if status == "short":
        flat = reply[1]
        return ReserveOutcome(
            None,
            tuple(
                Shortage(flat[i], flat[i + 1], int(flat[i + 2]), int(flat[i + 3]))
                for i in range(0, len(flat), 4)
            ),
        )
    if status == "exists":
        raise closed_conflict(reservation_id, reply[1])
    _raise_unknown(status, wanted[reply[1]][:2], f"items[{reply[1]}]")
    raise AssertionError(f"unexpected reply {reply!r}")


def _with_sha(text: str) -> tuple[str, str]:
    return hashlib.sha1(text.encode()).hexdigest(), text


def _lua(name: str) -> str:
    return (files("dom.inventory") / "lua" / f"{name}.lua").read_text(encoding="utf-8")


def _level(fc_id: str, sku: str, row: list[str | None]) -> StockLevel:
    oh, ss, rs, al, rp = (None if v is None else int(v) for v in row)
    return StockLevel(fc_id, sku, oh or 0, ss or 0, rs or 0, al or 0, rp)


def _raise_unknown(status: str, ids: Sequence[str], where: str) -> None:
    """Raise the error a script reported for an unknown node or SKU."""
    fc_id, sku = ids
    if status == "unknown_node":
        raise UnknownNode(
            f"unknown fulfillment node '{fc_id}'", column=f"{where}.fc_id".lstrip(".")
        )
    if status == "unknown_sku":
        raise UnknownSku(f"unknown SKU '{sku}'", column=f"{where}.sku".lstrip("."))

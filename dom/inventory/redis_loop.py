"""One auto-pipelined Redis connection per event loop, for ledger scripts called from async code.

``RedisStore._run`` blocks its thread for a whole round trip, the script plus two wake-ups
(docs/service.md, The hot path), during which an event loop serving ``/v1/route`` moves no other
request. Here a call writes its command and awaits a future instead, so the loop keeps serving
while Redis works, and the commands issued in one loop iteration leave in one write. Redis answers a
connection's commands in order, so replies (parsed by hiredis) go to the callers first in, first
out.

Each TCP connection (``_Wire``) keeps its own queue of waiting callers, so a reply can only reach
a caller whose command was written on that same connection. (With one queue shared by
successive connections, a caller that had picked up a connection just before it was lost queued
a command that was never written; the next connection's replies then went, each one caller
late, to the wrong callers.) A caller cancelled while it waits (a client that disconnected)
keeps its place in the queue and its reply is dropped, so the callers behind it still get their
own. Its command still runs: a cancelled ``reserve`` may leave a hold, which expires by its TTL.

Failures surface as redis-py's exceptions, so ``RedisStore._guard`` maps both paths alike: a lost
or refused connection is ``ConnectionError`` (the next call reconnects), no reply within the
socket timeout is ``TimeoutError`` (the connection is dropped: a late reply would go to the wrong
caller), an error reply is ``ResponseError`` (``NoScriptError`` for an unknown script).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

import hiredis
import redis


class LoopConnection:
    """A RESP2 connection to ``host:port`` (or a Unix ``path``) used from the running loop.

    ``options`` are redis-py's connection keyword arguments (``host``, ``port``, ``path``, ``db``,
    ``username``, ``password``, ``socket_timeout``, ``socket_connect_timeout``).
    """

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._timeout = options.get("socket_timeout") or 5.0
        self._loop = asyncio.get_running_loop()
        self._wire: _Wire | None = None  # set once connected, authenticated and selected
        self._connecting: asyncio.Task[_Wire] | None = None

    async def call(self, *args: str | int) -> Any:
        """Send one command and return its reply."""
        wire = self._wire or await self._connect()
        # A wire lost while this caller waited for the connection fails the call at once.
        return await wire.send(args)

    def close(self) -> None:
        if self._wire is not None and not self._loop.is_closed():
            self._wire.transport.close()

    # helpers
    def _lost(self, wire: _Wire) -> None:
        if wire is self._wire:
            self._wire = None  # the next call reconnects

    async def _connect(self) -> _Wire:
        """Connect once, however many callers wait for it (a caller's cancellation leaves the
        attempt to the others)."""
        if self._connecting is None:
            self._connecting = self._loop.create_task(self._open())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, task: asyncio.Task[_Wire]) -> None:
        self._connecting = None
        if not task.cancelled() and task.exception() is None:
            wire = task.result()
            if wire.failure is None:  # not lost between its handshake and now
                self._wire = wire

    async def _open(self) -> _Wire:
        opts = self._options

        def protocol() -> _Wire:
            return _Wire(self._loop, self._timeout, self._lost)

        if opts.get("path"):
            opening = self._loop.create_unix_connection(protocol, opts["path"])
        else:
            opening = self._loop.create_connection(
                protocol, opts.get("host", "localhost"), opts.get("port", 6379)
            )
        try:
            _, wire = await asyncio.wait_for(
                opening, opts.get("socket_connect_timeout") or self._timeout
            )
        except (OSError, TimeoutError) as exc:
            where = opts.get("path") or f"{opts.get('host')}:{opts.get('port')}"
            raise redis.exceptions.ConnectionError(f"cannot connect to {where}: {exc}") from exc
        handshake = []
        if opts.get("password"):
            who = [opts["username"]] if opts.get("username") else []
            handshake.append(wire.send(("AUTH", *who, opts["password"])))
        if opts.get("db"):
            handshake.append(wire.send(("SELECT", int(opts["db"]))))
        try:
            for reply in handshake:
                await reply
        except BaseException:
            wire.transport.abort()
            raise
        return wire


class _Wire(asyncio.Protocol):
    """One TCP (or Unix) connection: parses replies and hands each to the oldest caller waiting
    on this connection. Once failed (lost, timed out, or a reply nobody asked for) it fails
    every caller still waiting, refuses new commands, and tells its owner through ``on_lost``."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, timeout: float, on_lost: Callable[[_Wire], None]
    ) -> None:
        self._loop = loop
        self._timeout = timeout
        self._on_lost = on_lost
        self.reader = hiredis.Reader(encoding="utf-8")
        self.transport: asyncio.Transport
        self.failure: Exception | None = None
        self._waiting: deque[tuple[asyncio.Future[Any], float]] = deque()  # (caller, sent at)
        self._outgoing: list[bytes] = []
        self._watchdog: asyncio.TimerHandle | None = None

    def send(self, args: tuple[str | int, ...]) -> asyncio.Future[Any]:
        """Queue one command (written at the end of this loop iteration); its reply's future."""
        caller = self._loop.create_future()
        if self.failure is not None:
            lost = f"Redis connection lost before the command was sent: {self.failure}"
            caller.set_exception(redis.exceptions.ConnectionError(lost))
            return caller
        if not self._outgoing:
            self._loop.call_soon(self._flush)
        self._outgoing.append(hiredis.pack_command(args))  # type: ignore[arg-type]  # stub: 1-tuple
        self._waiting.append((caller, self._loop.time()))
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(self._timeout, self._watch)
        return caller

    def fail(self, exc: Exception) -> None:
        """Close the connection and fail every caller waiting on it (once)."""
        if self.failure is not None:
            return
        self.failure = exc
        self.transport.abort()
        waiting, self._waiting = self._waiting, deque()
        for caller, _ in waiting:
            if not caller.done():
                caller.set_exception(exc)
        self._outgoing.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        self._on_lost(self)

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.failure is not None:
            return
        self.reader.feed(data)
        try:
            while (reply := self.reader.gets()) is not False:
                if not self._waiting:
                    raise hiredis.ProtocolError(f"a reply no command asked for: {reply!r}")
                self._answer(self._waiting.popleft()[0], reply)
        except hiredis.ProtocolError as exc:
            self.fail(redis.exceptions.ConnectionError(f"Redis connection out of step: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(redis.exceptions.ConnectionError(f"Redis connection lost: {exc or 'closed'}"))

    # helpers
    @staticmethod
    def _answer(caller: asyncio.Future[Any], reply: Any) -> None:
        if caller.done():  # cancelled while waiting: its reply is dropped
            return
        if isinstance(reply, hiredis.ReplyError):
            message = str(reply)
            error = redis.exceptions.NoScriptError if message.startswith("NOSCRIPT") else None
            caller.set_exception((error or redis.exceptions.ResponseError)(message))
        else:
            caller.set_result(reply)

    def _flush(self) -> None:
        if self._outgoing and self.failure is None:
            self.transport.write(b"".join(self._outgoing))
        self._outgoing.clear()

    def _watch(self) -> None:
        """Drop the connection when its oldest command waited ``socket_timeout`` for a reply."""
        self._watchdog = None
        if not self._waiting or self.failure is not None:
            return
        due = self._waiting[0][1] + self._timeout
        if self._loop.time() < due:
            self._watchdog = self._loop.call_at(due, self._watch)
            return
        self.fail(redis.exceptions.TimeoutError(f"no reply from Redis in {self._timeout:g} s"))

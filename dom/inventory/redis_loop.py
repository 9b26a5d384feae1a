"""One auto-pipelined Redis connection per event loop, for ledger scripts called from async code.

``RedisStore._run`` blocks its thread for a whole round trip: the script plus two wake-ups, about
0.1 ms on 2 cores, during which an event loop serving ``/v1/route`` moves no other request. Here
a call writes its command and awaits a future instead, so the loop keeps serving while Redis
works, and the commands issued in one loop iteration leave in one write. Redis answers a
connection's commands in order, so replies (parsed by hiredis) go to the callers first in, first
out.

Failures surface as redis-py's exceptions, so ``RedisStore._guard`` maps both paths alike: a lost
or refused connection is ``ConnectionError`` (the next call reconnects), no reply within the
socket timeout is ``TimeoutError`` (the connection is dropped: a late reply would go to the wrong
caller), an error reply is ``ResponseError`` (``NoScriptError`` for an unknown script).
"""

from __future__ import annotations

import asyncio
from collections import deque
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
        self._opening: _Wire | None = None  # connected, handshake under way
        self._connecting: asyncio.Task[_Wire] | None = None
        self._waiting: deque[tuple[asyncio.Future[Any], float]] = deque()  # (caller, sent at)
        self._outgoing: list[bytes] = []
        self._watchdog: asyncio.TimerHandle | None = None

    async def call(self, *args: str | int) -> Any:
        """Send one command and return its reply."""
        wire = self._wire or await self._connect()
        return await self._send(wire, args)

    def close(self) -> None:
        if self._wire is not None and not self._loop.is_closed():
            self._wire.transport.close()

    def received(self, wire: _Wire, reply: Any) -> None:
        caller, _ = self._waiting.popleft()
        if caller.done():  # cancelled while waiting
            return
        if isinstance(reply, hiredis.ReplyError):
            message = str(reply)
            error = redis.exceptions.NoScriptError if message.startswith("NOSCRIPT") else None
            caller.set_exception((error or redis.exceptions.ResponseError)(message))
        else:
            caller.set_result(reply)

    def lost(self, wire: _Wire, exc: Exception | None) -> None:
        if wire is self._wire or wire is self._opening:
            lost = f"Redis connection lost: {exc or 'closed'}"
            self._drop(redis.exceptions.ConnectionError(lost))

    # helpers
    def _send(self, wire: _Wire, args: tuple[str | int, ...]) -> asyncio.Future[Any]:
        caller = self._loop.create_future()
        if not self._outgoing:
            self._loop.call_soon(self._flush, wire)
        self._outgoing.append(hiredis.pack_command(args))  # type: ignore[arg-type]  # stub: 1-tuple
        self._waiting.append((caller, self._loop.time()))
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(self._timeout, self._watch)
        return caller

    def _flush(self, wire: _Wire) -> None:
        if self._outgoing and not wire.transport.is_closing():
            wire.transport.write(b"".join(self._outgoing))
        self._outgoing.clear()

    def _watch(self) -> None:
        """Drop the connection when its oldest command waited ``socket_timeout`` for a reply."""
        self._watchdog = None
        if not self._waiting:
            return
        due = self._waiting[0][1] + self._timeout
        if self._loop.time() < due:
            self._watchdog = self._loop.call_at(due, self._watch)
            return
        self._drop(redis.exceptions.TimeoutError(f"no reply from Redis in {self._timeout:g} s"))

    def _drop(self, exc: Exception) -> None:
        """Close the connection and fail every waiting caller; the next call reconnects."""
        wire, self._wire = self._wire, None
        if wire is not None:
            wire.transport.abort()
        waiting, self._waiting = self._waiting, deque()
        for caller, _ in waiting:
            if not caller.done():
                caller.set_exception(exc)
        self._outgoing.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

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
            self._wire = task.result()

    async def _open(self) -> _Wire:
        opts = self._options
        if opts.get("path"):
            opening = self._loop.create_unix_connection(lambda: _Wire(self), opts["path"])
        else:
            opening = self._loop.create_connection(
                lambda: _Wire(self), opts.get("host", "localhost"), opts.get("port", 6379)
            )
        try:
            _, wire = await asyncio.wait_for(
                opening, opts.get("socket_connect_timeout") or self._timeout
            )
        except (OSError, TimeoutError) as exc:
            where = opts.get("path") or f"{opts.get('host')}:{opts.get('port')}"
            raise redis.exceptions.ConnectionError(f"cannot connect to {where}: {exc}") from exc
        self._opening = wire
        handshake = []
        if opts.get("password"):
            who = [opts["username"]] if opts.get("username") else []
            handshake.append(self._send(wire, ("AUTH", *who, opts["password"])))
        if opts.get("db"):
            handshake.append(self._send(wire, ("SELECT", int(opts["db"]))))
        try:
            for reply in handshake:
                await reply
        except BaseException:
            wire.transport.abort()
            raise
        finally:
            self._opening = None
        return wire


class _Wire(asyncio.Protocol):
    """One TCP (or Unix) connection's protocol: parses replies and reports to its owner, which
    ignores a wire it has already dropped."""

    def __init__(self, owner: LoopConnection) -> None:
        self.owner = owner
        self.reader = hiredis.Reader(encoding="utf-8")
        self.transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            self.owner.received(self, reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner.lost(self, exc)

"""Group commit of order creates: one thread writes whatever creates are waiting in one
transaction (``capture.write_captures``: one INSERT per table), so concurrent creates share
their round trips, their fsync and the event counter's lock instead of queueing on each.

A create is prepared (validated, routed, its stock held) in the caller's thread, then handed
here; the caller waits for its order's answer, then commits its hold (``capture.ops``: on an
event loop, ``outbox.apply_ops_async``, so concurrent commits share Redis round trips). A batch
that fails is retried one order at a time, so one bad order fails alone.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from dom.orders.capture import Capture, write_captures
from dom.orders.oms import Oms

log = logging.getLogger("dom.orders")

MAX_BATCH = 64


class BatchWriter:
    """The writer thread of one process's order creates."""

    def __init__(self, oms: Oms, *, max_batch: int = MAX_BATCH) -> None:
        self._oms = oms
        self._max = max_batch
        self._queue: queue.Queue[tuple[Capture, Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="dom-order-writer", daemon=True)
        self._thread.start()

    def submit(self, capture: Capture) -> Future[dict[str, Any] | None]:
        """The order's resource once written (None: its id was stored before)."""
        done: Future[dict[str, Any] | None] = Future()
        self._queue.put((capture, done))
        return done

    def close(self) -> None:
        """Write what is waiting, then stop."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self._max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._write(batch)
                    return
                batch.append(nxt)
            self._write(batch)

    def _write(self, batch: list[tuple[Capture, Future[Any]]]) -> None:
        try:
            results = write_captures(self._oms, [c for c, _ in batch], apply=False)
        except Exception as exc:
            if len(batch) > 1:
                for one in batch:
                    self._write([one])
                return
            batch[0][1].set_exception(exc)
            return
        for (_, done), result in zip(batch, results, strict=True):
            done.set_result(result)

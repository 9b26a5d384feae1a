"""A webhook receiver on loopback for the tests: verifies every delivery with the
``standardwebhooks`` package's own verifier and fails the first attempts of each message."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


class Receiver:
    """``url`` receives POSTs; each ``webhook-id`` is answered ``fail_first`` times with 500
    (or ``status``), then 204. ``received`` keeps every verified attempt in arrival order."""

    def __init__(self, *, fail_first: int = 0, status: int = 500) -> None:
        self.secret: str | None = None
        self.fail_first = fail_first
        self.fail_status = status
        self.attempts: dict[str, int] = {}
        self.received: list[dict[str, Any]] = []  # {"id", "ok", "event"}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k: v for k, v in self.headers.items()}
                try:
                    assert receiver.secret is not None
                    event = Webhook(receiver.secret).verify(body, headers)
                except Exception:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                msg_id = headers.get("webhook-id") or headers.get("Webhook-Id") or ""
                with receiver.lock:
                    seen = receiver.attempts.get(msg_id, 0)
                    receiver.attempts[msg_id] = seen + 1
                    ok = seen >= receiver.fail_first
                    receiver.received.append({"id": msg_id, "ok": ok, "event": event})
                self.send_response(204 if ok else receiver.fail_status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r["event"] for r in self.received if r["ok"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

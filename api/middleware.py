"""Two pure ASGI middlewares at the edge: request size limits (413) and per-endpoint latency.

Pure ASGI rather than ``BaseHTTPMiddleware`` because they sit on every request of the hot
routing path and must add next to nothing. The size limit trusts ``Content-Length`` when given
and counts the streamed body otherwise, so a chunked upload cannot slip past it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit (FastAPI re-raises
    HTTPExceptions from body reading, so the app's handler answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """Answer 413 to bodies above ``limit_for(path)`` bytes."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    response = error_response(
                        413, "payload_too_large", f"request body larger than {limit} bytes"
                    )
                    await response(scope, receive, send)
                    return
                break
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class Timing:
    """Call ``observe(method, endpoint, status, seconds)`` after every HTTP request.

    ``endpoint`` is the matched route's path template (``/v1/reservations/{reservation_id}``),
    or ``unmatched``, so labels stay few whatever paths clients send.
    """

    def __init__(self, app: ASGIApp, observe: Callable[[str, str, int, float], None]) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path_format", None) or "unmatched"
            self.observe(scope["method"], endpoint, status, time.perf_counter() - started)

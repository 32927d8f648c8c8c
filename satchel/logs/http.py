"""The request id of each HTTP request (the caller's `X-Request-Id` or a new one), echoed
in the answer, and one access line per request."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from satchel.logs.context import REQUEST_ID, accept_request_id
from satchel.metrics.http import route_template

HEADER = b"x-request-id"
access = logging.getLogger("satchel.access")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == HEADER), None)
        request_id = accept_request_id(sent)
        token = REQUEST_ID.set(request_id)
        started, status = time.perf_counter(), [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope.get("path", "") + (f"?{query}" if query else "")
            ms = round((time.perf_counter() - started) * 1000, 1)
            access.info(
                "%s %s %s %sms",
                scope.get("method"),
                path,
                status[0],
                ms,
                extra={"route": route_template(scope), "status": status[0], "duration_ms": ms},
            )
            REQUEST_ID.reset(token)

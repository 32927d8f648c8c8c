"""Counting and timing HTTP requests by route template (never by raw path: ids would make
a label per asset)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from satchel.metrics.counters import HTTP_LATENCY, HTTP_REQUESTS


def route_template(scope: Scope) -> str:
    """The matched route's full template (`/api/v1/assets/{asset_id}`), or `unmatched`."""
    # FastAPI keeps the full path (prefixes included) beside the route it matched.
    context: Any = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return str(path) if path else "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            template = route_template(scope)
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(method, template, str(status[0])).inc()
            HTTP_LATENCY.labels(method, template).observe(time.perf_counter() - started)

"""A cap on JSON request bodies, for every route, however they are sent.

Pydantic bodies, tool and pipeline runs and settings are read whole into memory, so a
150 MiB JSON body cost ~700 MB of RSS. Every request whose body is JSON (or has no content
type, which POSTed tool runs read as JSON) may carry at most `MAX_JSON_BYTES`; inline base64
uploads (`POST …/assets`) get `MAX_INLINE_JSON_BYTES`. A declared Content-Length over the
cap is refused before reading; a chunked body is counted as it arrives.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from satchel.codes import Code
from satchel.errors import TooLarge
from satchel.units import size_text
from satchel.userjson import ascii_int

MAX_JSON_BYTES = 4 << 20
MAX_INLINE_JSON_BYTES = 48 << 20  # 32 MiB of file, base64-encoded, plus the fields


def json_too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"The JSON body is larger than the limit of {size_text(limit)}.",
        code=Code.REQUEST_TOO_LARGE,
        headers={"Connection": "close"},
    )


def _limit(scope: Scope) -> int | None:
    headers = dict(scope.get("headers") or [])
    ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if ctype and ctype != b"application/json" and not ctype.endswith(b"+json"):
        return None  # forms and raw bodies are streamed to disk with their own limits
    if not ctype and scope.get("method") != "POST":
        return None  # raw PUTs of upload parts
    if scope.get("method") == "POST" and str(scope.get("path", "")).rstrip("/").endswith("/assets"):
        return MAX_INLINE_JSON_BYTES
    return MAX_JSON_BYTES


class JsonBodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = _limit(scope) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (ascii_int(declared.decode("latin-1")) or 0) > limit:
            await _refuse(send, limit)
            return
        seen = 0
        over = answered = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise json_too_large(limit)
            return message

        async def answer(message: Message) -> None:
            # Whatever the route made of the failed read (FastAPI words it as a parse
            # error), the answer is the 413.
            nonlocal answered
            if not over:
                await send(message)
            elif not answered:
                answered = True
                await _refuse(send, limit)

        await self.app(scope, counted, answer)


async def _refuse(send: Send, limit: int) -> None:
    error: dict[str, Any] = {
        "code": Code.REQUEST_TOO_LARGE,
        "message": f"The JSON body is larger than the limit of {size_text(limit)}.",
        "fields": [],
    }
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

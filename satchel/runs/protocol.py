"""The sandbox wire format: a JSON header and an optional byte payload per message.

Each message is `>IQ` (header length, payload length), the JSON header, then the payload.
Bytes (a rendition's source, its encoded result) travel as the payload, never as base64.
Reads take a deadline so the parent can give up on a child that hangs.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_FRAME = struct.Struct(">IQ")
MAX_HEADER = 64 << 20


class Closed(Exception):
    """The other end closed the pipe (the process exited or was killed)."""


class TimedOut(Exception):
    """No complete message arrived before the deadline."""


def send(fd: int, header: dict[str, Any], payload: bytes = b"") -> None:
    data = json.dumps(header, separators=(",", ":"), default=str).encode()
    _write_all(fd, _FRAME.pack(len(data), len(payload)) + data)
    if payload:
        _write_all(fd, payload)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError as exc:
            raise Closed from exc
        view = view[written:]


def receive(fd: int, deadline: float | None = None) -> tuple[dict[str, Any], bytes]:
    """The next message; `deadline` is a `time.monotonic()` value (None: wait forever)."""
    head_len, payload_len = _FRAME.unpack(_read_exact(fd, _FRAME.size, deadline))
    if head_len > MAX_HEADER:
        raise Closed(f"a message header of {head_len} bytes")
    header = json.loads(_read_exact(fd, head_len, deadline))
    payload = _read_exact(fd, payload_len, deadline) if payload_len else b""
    if not isinstance(header, dict):
        raise Closed("a message that is not an object")
    return header, payload


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimedOut
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise Closed
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)

"""A minimal HTTP/1.1 client on raw sockets, cheap enough never to be the bottleneck.

Large bodies go out with `socket.sendfile` and large responses are counted into one reused
buffer, so a transfer costs the client almost no CPU; small requests use asyncio streams on
uvloop with keep-alive connections. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

HOST = "127.0.0.1"
_RECV = 1 << 20


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    received: int = 0  # body bytes, also when they were discarded

    def json(self) -> Any:
        return json.loads(self.body)

    def check(self, *expected: int) -> Response:
        if self.status not in expected:
            raise RuntimeError(f"HTTP {self.status} (expected {expected}): {self.body[:500]!r}")
        return self


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def _request_head(method: str, target: str, headers: dict[str, str] | None, length: int) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {HOST}"]
    if length or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _no_body(method: str, status: int) -> bool:
    return method == "HEAD" or status in (204, 304) or 100 <= status < 200


def multipart(
    filename: str, content_type: str, fields: dict[str, str] | None = None
) -> tuple[str, bytes, bytes]:
    """(Content-Type header, bytes before the file's content, bytes after it)."""
    boundary = "bench" + secrets.token_hex(12)
    pre = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in (fields or {}).items()
    )
    pre += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
    ).encode()
    return f"multipart/form-data; boundary={boundary}", pre, f"\r\n--{boundary}--\r\n".encode()


class Conn:
    """One blocking keep-alive connection."""

    def __init__(self, port: int, timeout: float = 600.0) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = bytearray()
        self._scratch = bytearray(_RECV)

    def __enter__(self) -> Conn:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def request(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        file: Path | None = None,
        prefix: bytes = b"",
        suffix: bytes = b"",
        discard: bool = False,
    ) -> Response:
        """Send a request (the body from `file` between `prefix` and `suffix`, if given)."""
        if file is None:
            self.sock.sendall(_request_head(method, target, headers, len(body)) + body)
        else:
            size = os.path.getsize(file)
            length = len(prefix) + size + len(suffix)
            self.sock.sendall(_request_head(method, target, headers, length) + prefix)
            with file.open("rb") as fh:
                sent = self.sock.sendfile(fh)
            if sent != size:
                raise ConnectionError(f"sent {sent} of {size} bytes")
            self.sock.sendall(suffix)
        return self._response(method, discard)

    def _fill(self) -> None:
        data = self.sock.recv(_RECV)
        if not data:
            raise ConnectionError("the server closed the connection")
        self._buf += data

    def _line(self) -> bytes:
        while (end := self._buf.find(b"\r\n")) < 0:
            self._fill()
        line = bytes(self._buf[:end])
        del self._buf[: end + 2]
        return line

    def _exact(self, n: int, discard: bool) -> bytes:
        if not discard:
            while len(self._buf) < n:
                self._fill()
            data = bytes(self._buf[:n])
            del self._buf[:n]
            return data
        taken = min(n, len(self._buf))
        del self._buf[:taken]
        remaining = n - taken
        view = memoryview(self._scratch)
        while remaining:
            got = self.sock.recv_into(view, min(remaining, _RECV))
            if not got:
                raise ConnectionError("the server closed the connection mid-body")
            remaining -= got
        return b""

    def _response(self, method: str, discard: bool) -> Response:
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        status, headers = _parse_head(bytes(self._buf[:end]))
        del self._buf[: end + 4]
        if _no_body(method, status):
            return Response(status, headers)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts, total = [], 0
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._exact(size, discard))
                total += size
                self._line()
            while self._line():
                pass
            return Response(status, headers, b"".join(parts), total)
        length = int(headers.get("content-length", "0"))
        return Response(status, headers, self._exact(length, discard), length)


class AsyncConn:
    """One asyncio keep-alive connection (for many small requests)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> AsyncConn:
        reader, writer = await asyncio.open_connection(HOST, port, limit=4 << 20)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()

    async def request(
        self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        self.writer.write(_request_head(method, target, headers, len(body)) + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, resp_headers = _parse_head(head[:-4])
        if _no_body(method, status):
            return Response(status, resp_headers)
        if resp_headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass
            data = b"".join(parts)
            return Response(status, resp_headers, data, len(data))
        length = int(resp_headers.get("content-length", "0"))
        data = await self.reader.readexactly(length)
        return Response(status, resp_headers, data, length)

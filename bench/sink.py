"""A server that does nothing (`python -m bench.sink PORT [FILE]`): the client's ceiling.

It drains every request body and answers at once: `GET /file` sends FILE with sendfile,
anything else gets a small JSON body. It stops on SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import uvloop

_SMALL = b'{"data":{"id":"ast_sink"}}'


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, serve_file: Path | None, size: int
) -> None:
    loop = asyncio.get_running_loop()
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            while length:
                chunk = await reader.read(min(length, 1 << 20))
                if not chunk:
                    return
                length -= len(chunk)
            if method == "GET" and target.startswith("/file") and serve_file is not None:
                writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
                with serve_file.open("rb") as fh:
                    await loop.sendfile(writer.transport, fh)
            else:
                status = "204 No Content" if method == "PUT" else "200 OK"
                body = b"" if method == "PUT" else _SMALL
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
            await writer.drain()
    finally:
        writer.close()


async def _main(port: int, serve_file: Path | None, size: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(r, w, serve_file, size), "127.0.0.1", port, limit=4 << 20
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    file = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    with contextlib.suppress(KeyboardInterrupt):
        main = _main(int(sys.argv[1]), file, os.path.getsize(file) if file else 0)
        # uvloop has no loop.sendfile; the default loop sends files with os.sendfile.
        asyncio.run(main) if file else uvloop.run(main)

"""A proxy in front of the live server that sees the upload PUTs as the server would, and
counts how many are in flight at once.

Signed upload URLs are built on the Host a request came with, so a CLI signed in through
the proxy sends its PUTs through it too."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


class HoldingProxy:
    """`hold_first`: the first PUT waits (up to that many seconds) until a second one is
    in flight, so one file at a time shows as `most_in_flight == 1` however fast the
    machine; `delay`: every PUT is held that long (files stay in flight on screen)."""

    def __init__(self, upstream: str, *, hold_first: float = 0.0, delay: float = 0.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.hold_first, self.delay = hold_first, delay
        self.cond = threading.Condition()
        self.in_flight = self.most_in_flight = self.puts = 0
        self.http = httpx.Client(timeout=120)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                putting = self.command == "PUT"
                if putting:
                    proxy.arrived()
                try:
                    answer = proxy.http.request(
                        self.command, proxy.upstream + self.path, headers=headers, content=body
                    )
                finally:
                    if putting:
                        proxy.left()
                self.send_response(answer.status_code)
                for name, value in answer.headers.multi_items():
                    if name.lower() not in HOP_BY_HOP | {"content-encoding"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def arrived(self) -> None:
        with self.cond:
            self.puts += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.cond.notify_all()
            if self.hold_first and self.most_in_flight < 2:
                self.cond.wait_for(lambda: self.most_in_flight >= 2, timeout=self.hold_first)
        if self.delay:
            time.sleep(self.delay)

    def left(self) -> None:
        with self.cond:
            self.in_flight -= 1

    def __enter__(self) -> HoldingProxy:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()

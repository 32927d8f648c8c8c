"""A webhook receiver on 127.0.0.1 for the tests: records every request, and answers 500
to the first `fail_first` of them."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Receiver:
    def __init__(self, *, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[Received] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with outer._lock:
                    status = 500 if len(outer.received) < outer.fail_first else 200
                    outer.received.append(Received(dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"no" if status == 500 else b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def events(self, name: str) -> list[Received]:
        return [r for r in self.received if r.event["type"] == name]

    def wait_for(self, name: str, *, count: int = 1, within: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.events(name)) < count:
            assert time.monotonic() < deadline, f"no {name}; got {[r.event for r in self.received]}"
            time.sleep(0.05)
        return self.events(name)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

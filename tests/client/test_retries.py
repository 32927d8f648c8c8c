"""Retries: idempotent calls are sent again on 429 and 5xx (with backoff), others never.

A real HTTP server in front of the live one answers the first requests with errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from satchel_client import Client, RateLimited, ServerError, Unavailable

from tests.client.live import LiveServer
from tests.conftest import make_png


class Flaky:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.failures: list[tuple[int, dict[str, str]]] = []  # answered before forwarding
        self.seen: list[str] = []
        self.lock = threading.Lock()
        self.keep_host = False  # True: the server names itself by the proxy's address
        self.rules: list[tuple[str, int]] = []  # (in the request line, status): once each

    def fail_next(self, *answers: tuple[int, dict[str, str]]) -> None:
        with self.lock:
            self.failures = list(answers)
            self.seen = []


@pytest.fixture
def flaky(live: LiveServer) -> Iterator[tuple[str, Flaky]]:
    state = Flaky(live.base)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.seen.append(f"{self.command} {self.path}")
                failure = state.failures.pop(0) if state.failures else None
                line = f"{self.command} {self.path}"
                for rule in state.rules:
                    if rule[0] in line:
                        state.rules.remove(rule)
                        failure = (rule[1], {})
                        break
            if failure is not None:
                status, headers = failure
                payload = json.dumps(
                    {"error": {"code": "flaky", "message": f"flaky {status}", "fields": []}}
                ).encode()
                self.send_response(status)
                for k, v in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            forward = {
                k: v for k, v in self.headers.items() if state.keep_host or k.lower() != "host"
            }
            answer = httpx.request(
                self.command, state.upstream + self.path, headers=forward, content=body
            )
            self.send_response(answer.status_code)
            for k, v in answer.headers.items():
                if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_idempotent_calls_are_retried_on_429_and_5xx(
    flaky: tuple[str, Flaky], live: LiveServer
) -> None:
    url, state = flaky
    with Client(url, live.key, max_retries=3) as sdk:
        state.fail_next((503, {}), (429, {"Retry-After": "0"}), (500, {}))
        assert sdk.usage().total_assets >= 0
        assert state.seen == ["GET /api/v1/usage"] * 4
        # Retries give up after max_retries, with the last error.
        state.fail_next(*[(502, {})] * 4)
        with pytest.raises(ServerError) as err:
            sdk.spaces.list()
        assert err.value.status == 502 and err.value.code == "flaky"
        assert len(state.seen) == 4


def test_upload_through_another_name_of_the_server(
    flaky: tuple[str, Flaky], live: LiveServer, tmp_path: Path
) -> None:
    """The server's own URLs (a signed PUT) may name it differently from the client; the
    key still goes only to the address the client was given, and the upload completes."""
    url, state = flaky
    path = tmp_path / "via.png"
    path.write_bytes(make_png(3, 3, seed=77))
    with Client(url, live.key) as sdk:
        state.fail_next()
        up = sdk.assets.upload(path)
        assert up.asset is not None and sdk.assets.get(up.asset.id).size == path.stat().st_size
    assert state.seen[0] == "POST /api/v1/assets"
    assert state.seen[1].startswith("POST /api/v1/assets/ast_") and "/complete" in state.seen[1]


def test_non_idempotent_calls_are_never_retried(flaky: tuple[str, Flaky], live: LiveServer) -> None:
    url, state = flaky
    with Client(url, live.key, max_retries=3) as sdk:
        state.fail_next((503, {}))
        with pytest.raises(Unavailable):
            sdk.spaces.create("retry me")
        assert state.seen == ["POST /api/v1/spaces"]
        state.fail_next((429, {"Retry-After": "0"}))
        with pytest.raises(RateLimited) as err:
            sdk.api_keys.create("once")
        assert err.value.retry_after == 0 and state.seen == ["POST /api/v1/api-keys"]
    with Client(live.base, live.key) as direct:
        assert all(s.name != "retry me" for s in direct.spaces.list())


def test_a_failed_part_is_sent_again_with_a_fresh_url(
    flaky: tuple[str, Flaky], live: LiveServer, tmp_path: Path
) -> None:
    url, state = flaky
    state.keep_host = True  # part URLs then point at the proxy, which fails some of them
    path = tmp_path / "parts.txt"
    path.write_bytes(b"".join(b"%09d part retry line\n" % i for i in range(13 * (1 << 20) // 24)))
    state.rules = [("/parts/2?", 503), ("/parts/3?", 500), ("/parts/3?", 502)]
    with Client(url, live.key) as sdk:
        up = sdk.assets.upload(path, part_concurrency=2)
        assert up.mode == "multipart" and up.parts_sent == 3
        assert up.asset is not None
        back = sdk.assets.download(up.asset.id, tmp_path / "back.txt", raw=True)
    assert back.read_bytes() == path.read_bytes()
    assert state.rules == []  # every planned failure happened
    minted = [s for s in state.seen if s.endswith("/parts")]
    puts = [s for s in state.seen if s.startswith("PUT ")]
    assert len(puts) == 6 and len(minted) == 6  # one fresh URL per attempt

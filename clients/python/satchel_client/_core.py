"""Requests as data, and the sync and async drivers that send them.

Every operation is written once, as a generator that yields `Call`s (and `Sleep`s and
`Parallel`s) and receives the answers; `SyncDriver` and `AsyncDriver` run it over httpx.
Retries with backoff happen here, for idempotent calls only.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from satchel_client._errors import ConnectionFailed, SatchelError, error_for

T = TypeVar("T")
CHUNK = 1 << 20
API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class FileSlice:
    """`length` bytes of a file from `offset`, read as they are sent."""

    path: Path
    offset: int
    length: int


@dataclass
class Call:
    method: str
    url: str  # "/assets" (under /api/v1), "/api/..." (from the root) or absolute
    params: dict[str, Any] | None = None
    json: Any = None
    form: dict[str, str] | None = None
    files: list[tuple[str, tuple[str, Path | bytes, str]]] | None = None
    body: FileSlice | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True
    idempotent: bool = False
    download_to: Path | None = None  # stream the answer's bytes into this file
    on_bytes: Callable[[int], None] | None = None  # bytes of the body sent (or received)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any  # decoded JSON, or None
    content: bytes

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.body.get("meta") if isinstance(self.body, dict) else None
        return meta if isinstance(meta, dict) else {}


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Work:
    """Blocking local work (hashing a file, say): the async driver runs it in a thread."""

    fn: Callable[[], Any]


@dataclass(frozen=True)
class Parallel:
    """Run these operations concurrently (at most `limit` at a time); answers their results
    in order. When one fails the rest are not started, those under way finish, and the
    first failure is raised."""

    ops: list[Generator[Any, Any, Any]]
    limit: int


Op = Generator[Any, Any, T]


@dataclass
class Options:
    base_url: str
    token: str | None
    timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 0.5  # seconds; doubled per attempt, with jitter, capped at max_backoff
    max_backoff: float = 8.0
    user_agent: str = "satchel-client/0.1"

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        base = self.base_url.rstrip("/")
        return base + (path if path.startswith("/api/") else API_PREFIX + path)

    def headers(self, call: Call) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, **call.headers}
        if call.auth and self.token and self._same_origin(self.url(call.url)):
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _same_origin(self, url: str) -> bool:
        """The key goes only to the server it belongs to, never to a URL it answered."""
        target, base = httpx.URL(url), httpx.URL(self.base_url)
        return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)

    def delay(self, attempt: int, reply: Reply | None) -> float:
        if reply is not None and (after := reply.headers.get("retry-after")):
            try:
                return min(max(float(after), 0.0), 60.0)
            except ValueError:
                pass
        base = min(self.backoff * (2**attempt), self.max_backoff)
        return float(base * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not secrets


def api_path(url: str) -> str:
    """An API URL the server answered, as a path on the server this client talks to (the
    server may know itself by another name, and the key must go where it belongs)."""
    parsed = httpx.URL(url)
    if parsed.is_absolute_url and parsed.path.startswith("/api/"):
        query = parsed.query.decode()
        return parsed.path + (f"?{query}" if query else "")
    return url


def retryable(status: int) -> bool:
    return status == 429 or status >= 500


def decode(response_status: int, headers: httpx.Headers, content: bytes) -> Reply:
    body: Any = None
    if content and "json" in headers.get("content-type", ""):
        try:
            body = httpx.Response(200, content=content).json()
        except ValueError:
            body = None
    return Reply(response_status, {k.lower(): v for k, v in headers.items()}, body, content)


def check(reply: Reply, call: Call) -> Reply:
    del call
    if reply.status >= 400:
        raise error_for(reply.status, reply.body, reply.headers)
    return reply


def _file_chunks(part: FileSlice, on_bytes: Callable[[int], None] | None) -> Iterator[bytes]:
    with part.path.open("rb") as fh:
        fh.seek(part.offset)
        left = part.length
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                raise SatchelError(
                    f"{part.path} became shorter while it was being sent.", code="file_changed"
                )
            left -= len(chunk)
            yield chunk
            if on_bytes is not None:
                on_bytes(len(chunk))


def _content(call: Call) -> tuple[dict[str, Any], dict[str, str]]:
    """httpx keyword arguments for the body, and extra headers."""
    kwargs: dict[str, Any] = {}
    extra: dict[str, str] = {}
    if call.json is not None:
        kwargs["json"] = call.json
    if call.form is not None:
        kwargs["data"] = call.form
    if call.files is not None:
        kwargs["files"] = [
            (name, (fname, src.read_bytes() if isinstance(src, Path) else src, ctype))
            for name, (fname, src, ctype) in call.files
        ]
    if isinstance(call.body, bytes):
        kwargs["content"] = call.body
    return kwargs, extra


def _partial_download(path: Path) -> Path:
    return path.with_name(f".{path.name}.part-{os.getpid()}-{threading.get_ident()}")


class SyncDriver:
    def __init__(self, options: Options, http: httpx.Client | None = None) -> None:
        self.options = options
        self.http = http or httpx.Client(timeout=options.timeout, follow_redirects=True)

    def close(self) -> None:
        self.http.close()

    def run(self, op: Op[T]) -> T:
        try:
            step = next(op)
            while True:
                try:
                    result = self._do(step)
                except Exception as exc:
                    step = op.throw(exc)
                else:
                    step = op.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    def _do(self, step: Any) -> Any:
        if isinstance(step, Call):
            return self.send(step)
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, Work):
            return step.fn()
        if isinstance(step, Parallel):
            return self._parallel(step)
        raise TypeError(f"unknown step {step!r}")

    def _parallel(self, step: Parallel) -> list[Any]:
        failed = threading.Event()
        errors: list[BaseException] = []

        def one(op: Op[Any]) -> Any:
            if failed.is_set():
                op.close()
                return None
            try:
                return self.run(op)
            except BaseException as exc:
                failed.set()
                errors.append(exc)
                raise

        with ThreadPoolExecutor(max_workers=max(1, step.limit)) as pool:
            futures = [pool.submit(one, op) for op in step.ops]
            results = []
            try:
                for future in futures:
                    try:
                        results.append(future.result())
                    except Exception:
                        results.append(None)
            except BaseException:
                # Ctrl-C while waiting: start nothing more; the parts under way finish.
                failed.set()
                raise
        if errors:
            raise errors[0]
        return results

    def send(self, call: Call) -> Reply:
        attempts = 1 + (self.options.max_retries if call.idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                reply = self._once(call)
            except httpx.TransportError as exc:
                # A request that never connected was never seen: safe to send again.
                if last or not (call.idempotent or isinstance(exc, httpx.ConnectError)):
                    raise ConnectionFailed(
                        f"{call.method} {self.options.url(call.url)} failed: {exc}"
                    ) from exc
                time.sleep(self.options.delay(attempt, None))
                continue
            if retryable(reply.status) and call.idempotent and not last:
                time.sleep(self.options.delay(attempt, reply))
                continue
            return check(reply, call)
        raise AssertionError("unreachable")

    def _once(self, call: Call) -> Reply:
        kwargs, extra = _content(call)
        headers = {**self.options.headers(call), **extra}
        if isinstance(call.body, FileSlice):
            headers["Content-Length"] = str(call.body.length)
            kwargs["content"] = _file_chunks(call.body, call.on_bytes)
        url = self.options.url(call.url)
        with self.http.stream(
            call.method, url, params=call.params, headers=headers, **kwargs
        ) as response:
            if call.download_to is not None and response.status_code < 300:
                return self._download(call, call.download_to, response)
            content = response.read()
        if isinstance(call.body, bytes) and call.on_bytes is not None:
            call.on_bytes(len(call.body))
        return decode(response.status_code, response.headers, content)

    def _download(self, call: Call, path: Path, response: httpx.Response) -> Reply:
        tmp = _partial_download(path)
        try:
            with tmp.open("wb") as fh:
                for chunk in response.iter_bytes(CHUNK):
                    fh.write(chunk)
                    if call.on_bytes is not None:
                        call.on_bytes(len(chunk))
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return Reply(response.status_code, dict(response.headers), None, b"")

    def stream_lines(self, call: Call) -> Iterator[str]:
        headers = {**self.options.headers(call), "Accept": "text/event-stream"}
        url = self.options.url(call.url)
        try:
            with self.http.stream(
                "GET", url, params=call.params, headers=headers, timeout=None
            ) as response:
                if response.status_code >= 400:
                    check(decode(response.status_code, response.headers, response.read()), call)
                yield from response.iter_lines()
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"GET {url} failed: {exc}") from exc


def parse_sse(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """`data:` payloads of an event stream, decoded as JSON (comments skipped)."""
    import json

    buffer: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            buffer.append(line[5:].lstrip())
        elif not line.strip() and buffer:
            yield json.loads("\n".join(buffer))
            buffer = []
    if buffer:
        yield json.loads("\n".join(buffer))

"""The asyncio driver: runs the same operations as `SyncDriver`, over `httpx.AsyncClient`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from satchel_client._core import (
    CHUNK,
    Call,
    FileSlice,
    Op,
    Options,
    Parallel,
    Reply,
    Sleep,
    Work,
    _content,
    _file_chunks,
    _partial_download,
    check,
    decode,
    retryable,
)
from satchel_client._errors import ConnectionFailed

T = TypeVar("T")


class AsyncDriver:
    def __init__(self, options: Options, http: httpx.AsyncClient | None = None) -> None:
        self.options = options
        self.http = http or httpx.AsyncClient(timeout=options.timeout, follow_redirects=True)

    async def close(self) -> None:
        await self.http.aclose()

    async def run(self, op: Op[T]) -> T:
        try:
            step = next(op)
            while True:
                try:
                    result = await self._do(step)
                except Exception as exc:
                    step = op.throw(exc)
                else:
                    step = op.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    async def _do(self, step: Any) -> Any:
        if isinstance(step, Call):
            return await self.send(step)
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, Work):
            return await asyncio.to_thread(step.fn)
        if isinstance(step, Parallel):
            return await self._parallel(step)
        raise TypeError(f"unknown step {step!r}")

    async def _parallel(self, step: Parallel) -> list[Any]:
        gate = asyncio.Semaphore(max(1, step.limit))
        failed = asyncio.Event()

        async def one(op: Op[Any]) -> Any:
            async with gate:
                if failed.is_set():
                    op.close()
                    return None
                try:
                    return await self.run(op)
                except BaseException:
                    failed.set()
                    raise

        results = await asyncio.gather(*(one(op) for op in step.ops), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return list(results)

    async def send(self, call: Call) -> Reply:
        attempts = 1 + (self.options.max_retries if call.idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                reply = await self._once(call)
            except httpx.TransportError as exc:
                if last or not (call.idempotent or isinstance(exc, httpx.ConnectError)):
                    raise ConnectionFailed(
                        f"{call.method} {self.options.url(call.url)} failed: {exc}"
                    ) from exc
                await asyncio.sleep(self.options.delay(attempt, None))
                continue
            if retryable(reply.status) and call.idempotent and not last:
                await asyncio.sleep(self.options.delay(attempt, reply))
                continue
            return check(reply, call)
        raise AssertionError("unreachable")

    async def _once(self, call: Call) -> Reply:
        kwargs, extra = _content(call)
        headers = {**self.options.headers(call), **extra}
        if isinstance(call.body, FileSlice):
            headers["Content-Length"] = str(call.body.length)
            kwargs["content"] = _async_chunks(call.body, call.on_bytes)
        url = self.options.url(call.url)
        async with self.http.stream(
            call.method, url, params=call.params, headers=headers, **kwargs
        ) as response:
            if call.download_to is not None and response.status_code < 300:
                return await self._download(call, call.download_to, response)
            content = await response.aread()
        if isinstance(call.body, bytes) and call.on_bytes is not None:
            call.on_bytes(len(call.body))
        return decode(response.status_code, response.headers, content)

    async def _download(self, call: Call, path: Path, response: httpx.Response) -> Reply:
        tmp = _partial_download(path)
        try:
            with tmp.open("wb") as fh:
                async for chunk in response.aiter_bytes(CHUNK):
                    fh.write(chunk)
                    if call.on_bytes is not None:
                        call.on_bytes(len(chunk))
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return Reply(response.status_code, dict(response.headers), None, b"")

    async def stream_lines(self, call: Call) -> AsyncIterator[str]:
        headers = {**self.options.headers(call), "Accept": "text/event-stream"}
        url = self.options.url(call.url)
        try:
            async with self.http.stream(
                "GET", url, params=call.params, headers=headers, timeout=None
            ) as response:
                if response.status_code >= 400:
                    body = await response.aread()
                    check(decode(response.status_code, response.headers, body), call)
                async for line in response.aiter_lines():
                    yield line
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"GET {url} failed: {exc}") from exc


async def _async_chunks(
    part: FileSlice, on_bytes: Callable[[int], None] | None
) -> AsyncIterator[bytes]:
    chunks = _file_chunks(part, on_bytes)
    while True:
        chunk = await asyncio.to_thread(next, chunks, None)
        if chunk is None:
            return
        yield chunk

"""Many small requests over keep-alive connections at a fixed concurrency (uvloop client)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import uvloop

from bench.client import AsyncConn

Request = tuple[str, str, dict[str, str], bytes]  # method, target, headers, body


@dataclass
class LoadResult:
    elapsed: float
    cpu: float  # client CPU seconds
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0


async def _drive(
    port: int, requests: list[Request], concurrency: int, expected: tuple[int, ...], limit: float
) -> LoadResult:
    conns = [await AsyncConn.open(port) for _ in range(concurrency)]
    pending = iter(requests)
    result = LoadResult(0.0, 0.0)
    deadline = time.monotonic() + limit

    async def worker(conn: AsyncConn) -> None:
        for method, target, headers, body in pending:
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            resp = await conn.request(method, target, headers, body)
            result.latencies.append(time.perf_counter() - start)
            if resp.status not in expected and len(result.failures) < 5:
                result.failures.append(f"{resp.status} {resp.body[:200]!r}")
            elif resp.status not in expected:
                result.failures.append(str(resp.status))

    wall0, cpu0 = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(worker(c) for c in conns))
    finally:
        result.elapsed = time.perf_counter() - wall0
        result.cpu = time.process_time() - cpu0
        for conn in conns:
            await conn.close()
    return result


def drive(
    port: int,
    requests: list[Request],
    *,
    concurrency: int,
    expected: tuple[int, ...] = (200, 201, 202),
    limit: float = 180.0,
) -> LoadResult:
    """Send `requests` over `concurrency` connections, each in turn; stop after `limit` s."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_drive(port, requests, concurrency, expected, limit))

"""Batch ZIPs stream with back-pressure and stop when the client leaves (issue 14 #19):
a client that reads slowly holds the items back, one that goes away stops the batch."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from satchel.runs.batch import BatchStream, stream_batch
from satchel.tools.base import InputFile, OutputFile, ToolResult
from tests.cli.test_serve import start
from tests.conftest import ADMIN_KEY, make_png

MiB = 1 << 20
ITEMS = 12


def settle(count: Callable[[], int], *, bound: float = 60.0) -> int:
    """The count once it stopped changing for a second (the bound is a safety net)."""
    deadline, last, since = time.monotonic() + bound, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 1.0:
            break
        time.sleep(0.05)
    return last


def batch_of(
    tmp_path: Path, *, size: int, cancelled: list[object]
) -> tuple[BatchStream, list[str]]:
    ran: list[str] = []
    lock = threading.Lock()

    def run_one(inp: InputFile, workdir: Path) -> ToolResult:
        with lock:
            ran.append(inp.name)
        workdir.mkdir(parents=True)
        out = workdir / inp.name
        out.write_bytes(b"x" * size)
        return ToolResult([OutputFile(out, inp.name, "application/octet-stream")])

    source = tmp_path / "in.bin"
    source.write_bytes(b"in")
    inputs = [InputFile(source, f"{i}.bin", "application/octet-stream") for i in range(ITEMS)]
    stream = stream_batch(
        inputs=inputs,
        run_one=run_one,
        workdir=tmp_path / "out",
        concurrency=2,
        on_cancel=cancelled.append,
    )
    return stream, ran


def test_a_client_that_does_not_read_holds_the_items_back(tmp_path: Path) -> None:
    cancelled: list[object] = []
    stream, ran = batch_of(tmp_path, size=2 * MiB, cancelled=cancelled)
    # The first result fills the pipe; at most `concurrency` more items start meanwhile.
    assert settle(lambda: len(ran)) <= 4
    stream.cancel()
    stream._thread.join(30)
    assert not stream._thread.is_alive() and len(cancelled) == 1
    assert len(ran) <= 4


def test_all_items_come_when_the_client_reads(tmp_path: Path) -> None:
    stream, ran = batch_of(tmp_path, size=MiB, cancelled=[])
    data = b"".join(stream)
    assert len(ran) == ITEMS and len(data) > ITEMS * MiB


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    runs = tmp_path / "runs"
    runs.mkdir()
    started = start(
        tmp_path / "data",
        SATCHEL_ADMIN_API_KEY=ADMIN_KEY,
        SATCHEL_TOOL_MODULES=json.dumps(["tests.runs.counting_tools"]),
        SATCHEL_TOOL_CONCURRENCY="1",
        SATCHEL_TEST_RUNS_DIR=str(runs),
        SATCHEL_WORKERS="0",
    )
    try:
        yield started.base, runs
    finally:
        started.stop()


def test_closing_the_connection_stops_the_batch(server: tuple[str, Path]) -> None:
    base, runs = server
    files = [("files", (f"{i:02d}.png", make_png(8, 8, seed=i))) for i in range(ITEMS)]
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    url = "/api/v1/tools/image/test-count/batch"
    with (
        httpx.Client(base_url=base, headers=headers, timeout=60) as http,
        http.stream("POST", url, files=files) as r,
    ):
        assert r.status_code == 200
        first = next(r.iter_raw())  # the first entry: item 1 has run
        assert first.startswith(b"PK")
    # The connection is closed here, with most of the batch still to run.
    ran = settle(lambda: len(list(runs.iterdir())))
    assert ran < ITEMS // 2, sorted(p.name for p in runs.iterdir())
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        assert http.get("/api/v1/health").status_code == 200

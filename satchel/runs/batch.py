"""Batches: one tool (or pipeline) over many inputs, a ZIP streamed back as results come.

The ZIP is written by a producer thread into a bounded pipe: when the client reads slowly
the producer waits, and items start only a few ahead of what the client has taken (no
results pile up in memory or on disk). When the client goes away the stream is cancelled:
no further item starts, items not started are dropped, and the producer ends.
"""

from __future__ import annotations

import json
import queue
import threading
import zipfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, cast

from satchel.errors import SatchelError
from satchel.jobs.models import JobState
from satchel.tools.base import InputFile, ToolResult

PIPE_CHUNKS = 64  # ZIP chunks waiting for the client (zipfile copies files 8 KiB at a time)
_POLL = 0.1  # how often a waiting producer looks for a cancellation, in seconds


class Cancelled(Exception):
    """The client went away: the producer stops where it is."""


class _Pipe:
    """A write-only file whose bytes the client drains, at most `PIPE_CHUNKS` behind."""

    def __init__(self, cancelled: threading.Event) -> None:
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=PIPE_CHUNKS)
        self.cancelled = cancelled
        self.offset = 0

    def put(self, item: bytes | None) -> None:
        while True:  # back-pressure: wait for the client, unless it has gone
            if self.cancelled.is_set():
                raise Cancelled
            try:
                self.chunks.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def write(self, data: bytes) -> int:
        if data:
            self.put(bytes(data))
            self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass


class BatchStream:
    """The ZIP's bytes as an iterator; `cancel()` (the client left) stops the batch."""

    def __init__(self, pipe: _Pipe, thread: threading.Thread) -> None:
        self._pipe, self._thread = pipe, thread

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> bytes:
        chunk = self._pipe.chunks.get()
        if chunk is None:
            self._thread.join()
            raise StopIteration
        return chunk

    def cancel(self) -> None:
        self._pipe.cancelled.set()


def stream_batch(
    *,
    inputs: list[InputFile],
    run_one: Callable[[InputFile, Path], ToolResult],
    workdir: Path,
    concurrency: int,
    rejected: dict[int, SatchelError] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_done: Callable[[list[dict[str, Any]]], object] | None = None,
    on_cancel: Callable[[list[dict[str, Any]]], object] | None = None,
) -> BatchStream:
    """Run `run_one` over the inputs (at most `concurrency` at once, started no further
    ahead than that of the entry being written) and stream a ZIP with each result as soon
    as it and the ones before it are done; a failed input becomes an `<name>.error.json`
    entry, and `manifest.json` ends the archive."""
    cancelled = threading.Event()
    pipe = _Pipe(cancelled)
    outcome: list[dict[str, Any]] = []
    rejected = rejected or {}

    def produce() -> None:
        pending: deque[Future[ToolResult] | SatchelError] = deque()
        upcoming = iter(enumerate(inputs))

        def top_up() -> None:
            # Items start at most `concurrency` ahead of the entry being written.
            while len(pending) <= concurrency and not cancelled.is_set():
                item = next(upcoming, None)
                if item is None:
                    return
                i, inp = item
                pending.append(rejected.get(i) or pool.submit(run_one, inp, workdir / f"{i:04d}"))

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            try:
                with zipfile.ZipFile(cast(IO[bytes], pipe), "w", zipfile.ZIP_STORED) as zf:
                    names: set[str] = set()
                    top_up()
                    for i, inp in enumerate(inputs):
                        outcome.append(_write_entry(zf, names, inp, pending.popleft()))
                        top_up()
                        if on_progress is not None:
                            on_progress(i + 1, len(inputs))
                    zf.writestr("manifest.json", json.dumps({"results": outcome}, indent=2))
            except BaseException:
                # Cancelled, or broken: what has not started never will (the pool then
                # waits only for the items already running, each under its time limit).
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        if on_done is not None:
            on_done(outcome)

    def run() -> None:
        try:
            produce()
        except Cancelled:
            if on_cancel is not None:
                on_cancel(outcome)
        finally:
            with suppress(Cancelled):
                pipe.put(None)  # the end, for a client still reading

    thread = threading.Thread(target=run, name="tool-batch", daemon=True)
    thread.start()
    return BatchStream(pipe, thread)


def _write_entry(
    zf: zipfile.ZipFile,
    names: set[str],
    inp: InputFile,
    future: Future[ToolResult] | SatchelError,
) -> dict[str, Any]:
    try:
        if isinstance(future, SatchelError):
            raise future
        result = future.result()
        entry: dict[str, Any] = {"input": inp.name, "status": JobState.COMPLETED, "files": []}
        for f in result.files:
            arc = _unique(names, f.name)
            zf.write(f.path, arc)
            entry["files"].append(arc)
        if result.data is not None:
            arc = _unique(names, f"{inp.stem}.json")
            zf.writestr(arc, json.dumps(result.data, indent=2, default=str))
            entry["files"].append(arc)
        return entry
    except SatchelError as exc:
        error = {"input": inp.name, "code": exc.code, "message": exc.message}
        arc = _unique(names, f"{inp.name}.error.json")
        zf.writestr(arc, json.dumps(error, indent=2))
        return {**error, "status": JobState.FAILED, "files": [arc]}


def _unique(names: set[str], name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in names:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
    names.add(candidate)
    return candidate

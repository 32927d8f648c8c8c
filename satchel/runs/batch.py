"""Batches: one tool (or pipeline) over many inputs, a ZIP streamed back as results come."""

from __future__ import annotations

import json
import queue
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, cast

from satchel.errors import SatchelError
from satchel.jobs.models import JobState
from satchel.tools.base import InputFile, ToolResult


class _Pipe:
    """A write-only file whose bytes a generator drains (for a ZIP streamed as it grows)."""

    def __init__(self) -> None:
        self.chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.offset = 0

    def write(self, data: bytes) -> int:
        if data:
            self.chunks.put(bytes(data))
            self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass


def stream_batch(
    *,
    inputs: list[InputFile],
    run_one: Callable[[InputFile, Path], ToolResult],
    workdir: Path,
    concurrency: int,
    rejected: dict[int, SatchelError] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_done: Callable[[list[dict[str, Any]]], object] | None = None,
) -> Iterator[bytes]:
    """Run `run_one` over the inputs (at most `concurrency` at once) and yield a ZIP with
    each result as soon as it and the ones before it are done; a failed input becomes an
    `<name>.error.json` entry, and `manifest.json` ends the archive."""
    pipe = _Pipe()
    outcome: list[dict[str, Any]] = []

    def produce() -> None:
        try:
            with (
                ThreadPoolExecutor(max_workers=concurrency) as pool,
                zipfile.ZipFile(cast(IO[bytes], pipe), "w", zipfile.ZIP_STORED) as zf,
            ):
                futures: list[Future[ToolResult] | SatchelError] = [
                    (rejected or {}).get(i) or pool.submit(run_one, inp, workdir / f"{i:04d}")
                    for i, inp in enumerate(inputs)
                ]
                names: set[str] = set()
                for i, (inp, future) in enumerate(zip(inputs, futures, strict=True)):
                    try:
                        if isinstance(future, SatchelError):
                            raise future
                        result = future.result()
                        entry: dict[str, Any] = {
                            "input": inp.name,
                            "status": JobState.COMPLETED,
                            "files": [],
                        }
                        for f in result.files:
                            arc = _unique(names, f.name)
                            zf.write(f.path, arc)
                            entry["files"].append(arc)
                        if result.data is not None:
                            arc = _unique(names, f"{inp.stem}.json")
                            zf.writestr(arc, json.dumps(result.data, indent=2, default=str))
                            entry["files"].append(arc)
                    except SatchelError as exc:
                        error = {"input": inp.name, "code": exc.code, "message": exc.message}
                        arc = _unique(names, f"{inp.name}.error.json")
                        zf.writestr(arc, json.dumps(error, indent=2))
                        entry = {**error, "status": JobState.FAILED, "files": [arc]}
                    outcome.append(entry)
                    if on_progress is not None:
                        on_progress(i + 1, len(inputs))
                zf.writestr("manifest.json", json.dumps({"results": outcome}, indent=2))
            if on_done is not None:
                on_done(outcome)
        finally:
            pipe.chunks.put(None)

    thread = threading.Thread(target=produce, name="tool-batch", daemon=True)
    thread.start()
    while (chunk := pipe.chunks.get()) is not None:
        yield chunk
    thread.join()


def _unique(names: set[str], name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in names:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
    names.add(candidate)
    return candidate

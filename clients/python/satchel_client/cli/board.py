"""The display of a many-file upload: one overall bar, then the files in flight (as many
as the terminal has room for), with one honest rate for the whole upload.

The bars move with the bytes sent (handed to the connection). The rate counts only bytes
the server acknowledged in this run (a file's PUT answered, a multipart part recorded)
over the time since the upload began: never a guess, never a file that was already
stored or parts sent in an earlier run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from satchel_client import ResumeStore
from satchel_client.cli.units import duration_text, human_size, rate_text

BAR_WIDTH = 24


@dataclass
class Flight:
    name: str
    size: int
    sent: int = 0


def part_bytes(state: dict[str, Any], numbers: set[str]) -> int:
    size, part = int(state["size"]), int(state["part_size"])
    return sum(min(part, size - (int(n) - 1) * part) for n in numbers)


class Board:
    """Updated from the upload threads; rendered by `rich.live.Live` from its own."""

    def __init__(self, sizes: list[int]) -> None:
        self.count = len(sizes)
        self.total = sum(sizes)
        self.started = time.monotonic()
        self.stopped: float | None = None
        self.lock = threading.Lock()
        self.flying: dict[int, Flight] = {}  # in start order
        self.finished = 0
        self.finished_bytes = 0
        self.acked = 0  # bytes the server acknowledged in this run
        self.most_in_flight = 0
        self._parts: dict[tuple[str, str], set[str]] = {}  # (path, upload id) → parts known

    # Updates, from the upload threads.

    def start(self, index: int, name: str, size: int) -> None:
        with self.lock:
            self.flying[index] = Flight(name, size)
            self.most_in_flight = max(self.most_in_flight, len(self.flying))

    def progress(self, index: int, sent: int) -> None:
        with self.lock:
            if index in self.flying:
                self.flying[index].sent = sent

    def finish(self, index: int, *, single_put: bool) -> None:
        """A file is done (sent, found already stored, or failed). A single PUT's bytes
        are acknowledged now; a multipart upload's were, part by part (`parts_saved`)."""
        with self.lock:
            flight = self.flying.pop(index)
            self.finished += 1
            self.finished_bytes += flight.size
            if single_put:
                self.acked += flight.sent
            if self.finished == self.count:
                self.stopped = time.monotonic()

    def parts_loaded(self, state: dict[str, Any]) -> None:
        """Parts recorded by an earlier run: there, but not sent now."""
        if state.get("mode") == "multipart":
            with self.lock:
                self._parts[(state["path"], state["upload_id"])] = set(state.get("parts") or {})

    def parts_saved(self, state: dict[str, Any]) -> None:
        if state.get("mode") != "multipart":
            return
        with self.lock:
            known = self._parts.setdefault((state["path"], state["upload_id"]), set())
            new = set(state.get("parts") or {}) - known
            known |= new
            self.acked += part_bytes(state, new)

    # What is shown.

    def elapsed(self) -> float:
        return (self.stopped or time.monotonic()) - self.started

    def rate(self) -> float | None:
        """Bytes per second acknowledged; None until the server acknowledged something."""
        with self.lock:
            acked = self.acked
        seconds = self.elapsed()
        return acked / seconds if acked and seconds > 0 else None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        with self.lock:
            flying = list(self.flying.values())
            done_bytes = self.finished_bytes + sum(f.sent for f in flying)
            finished = self.finished
        rate = self.rate()
        overall = [f"{human_size(done_bytes)} of {human_size(self.total)}"]
        if rate:
            overall.append(rate_text(rate))
            if done_bytes < self.total:
                overall.append(f"{duration_text((self.total - done_bytes) / rate)} left")
        grid = Table.grid(padding=(0, 1))
        names = max(12, options.max_width // 3)
        grid.add_column(no_wrap=True, overflow="ellipsis", max_width=names)
        grid.add_column(width=BAR_WIDTH, no_wrap=True)
        grid.add_column(no_wrap=True, overflow="ellipsis")
        grid.add_row(
            Text(f"{finished}/{self.count} files", style="bold"),
            _bar(self.total, done_bytes),
            Text(" · ".join(overall)),
        )
        # Room for the overall line, the files and the cursor's line, however short.
        room = max(1, console.size.height - 2)
        shown = flying if len(flying) <= room else flying[: room - 1]
        for f in shown:
            grid.add_row(
                Text("  " + f.name),
                _bar(f.size, f.sent),
                Text(_state(f), style="dim"),
            )
        if len(shown) < len(flying):
            grid.add_row(Text(f"  … {len(flying) - len(shown)} more in flight", style="dim"))
        yield grid


def _state(flight: Flight) -> str:
    if flight.size and flight.sent >= flight.size:
        return f"{human_size(flight.size)} sent, the server is storing it"
    return f"{human_size(flight.sent)} of {human_size(flight.size)}"


def _bar(total: int, completed: int) -> RenderableType:
    return ProgressBar(total=max(total, 1), completed=completed if total else 1, width=BAR_WIDTH)


class WatchedStore:
    """The resume store, telling the board when parts are recorded: a part is saved once
    the server acknowledged it, which is what the rate counts."""

    def __init__(self, inner: ResumeStore, board: Board) -> None:
        self.inner, self.board = inner, board

    def load(self, key: str) -> dict[str, Any] | None:
        state = self.inner.load(key)
        if state is not None:
            self.board.parts_loaded(state)
        return state

    def save(self, key: str, state: dict[str, Any]) -> None:
        self.inner.save(key, state)
        self.board.parts_saved(state)

    def drop(self, key: str) -> None:
        self.inner.drop(key)

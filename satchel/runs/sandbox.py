"""Sandboxed execution: pre-started processes that run every tool run, action, pipeline,
batch item, rendition and preview, each under a wall-clock and an address-space limit.

Hostile files are decoded here, never in the API process: a decoder that balloons hits
the run's memory limit (`tool_out_of_memory`), one that hangs is killed at the deadline
(`tool_timeout`), one that crashes takes its process only (`tool_crashed`). A fresh
process replaces any that failed; it boots in the background while the pool serves on.

The pool is also the one concurrency limit: a run waits for a free process, whether it
comes from the tool API, a batch, a pipeline or a rendition.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import functools
import logging
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from satchel.codes import Code
from satchel.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    SatchelError,
    TooLarge,
    Unavailable,
)
from satchel.runs import protocol
from satchel.tools.base import ToolError
from satchel.tools.runner import OUT_OF_MEMORY_WORDS

log = logging.getLogger("satchel.sandbox")

BOOT_SECONDS = 120.0  # importing the engines on a busy machine
RUN_ENV_PREFIX = "SATCHEL_TOOLS_"
RECYCLE_RSS = 1 << 30  # a process that kept this much after a run is replaced
_BY_STATUS: dict[int, type[SatchelError]] = {
    cls.status: cls for cls in (Invalid, BadRequest, Forbidden, NotFound, Conflict, TooLarge)
}
_BY_STATUS[Unavailable.status] = Unavailable
Report = Callable[[int, str | None], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """What one run may use: wall-clock seconds, and bytes of address space beyond what
    the sandbox process holds when the run starts (None: no memory limit)."""

    seconds: float
    memory: int | None


class _Child:
    """One sandbox process and its two pipes."""

    def __init__(self, env: dict[str, str]) -> None:
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        cmd = [sys.executable, "-m", "satchel.runs.child", str(down_r), str(up_w), str(os.getpid())]
        # Our own interpreter and module: nothing in the command comes from a request.
        self.proc = subprocess.Popen(  # noqa: S603
            cmd,
            pass_fds=(down_r, up_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        os.close(down_r)
        os.close(up_w)
        self.to_child, self.from_child = down_w, up_r
        self.ready = False
        self.tail: collections.deque[str] = collections.deque(maxlen=20)
        threading.Thread(target=self._drain, name="sandbox-log", daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        with self.proc.stderr:  # ends when the process (and any child of it) has exited
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    self.tail.append(line)
                    log.info("sandbox %s: %s", self.proc.pid, line)

    def wait_ready(self) -> None:
        try:
            header, _ = protocol.receive(self.from_child, time.monotonic() + BOOT_SECONDS)
        except (protocol.TimedOut, protocol.Closed):
            header = {}
        if not header.get("ready"):
            detail = self.tail[-1] if self.tail else "no output"
            raise Unavailable(
                f"The tool sandbox could not start ({detail}).", code=Code.TOOL_SANDBOX_UNAVAILABLE
            )
        self.ready = True

    def rss(self) -> int:
        try:
            with open(f"/proc/{self.proc.pid}/statm") as fh:
                return int(fh.read().split()[1]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            return 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)


class Sandbox:
    """A pool of `size` sandbox processes, started on first use or by `prestart`."""

    def __init__(self, *, size: int, env: dict[str, str] | None = None) -> None:
        self.size = size
        self.env = {**os.environ, **(env or {})}
        self._slots: queue.Queue[_Child | None] = queue.Queue()
        for _ in range(size):
            self._slots.put(None)
        self._closed = False

    def prestart(self) -> None:
        """Start every process now (they boot in the background)."""
        taken = [self._slots.get() for _ in range(self.size)]
        for child in taken:
            self._slots.put(child if child is not None else _Child(self.env))

    def call(
        self,
        op: str,
        args: dict[str, Any],
        *,
        budget: Budget,
        payload: bytes = b"",
        report: Report | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """Run one operation (see `satchel.runs.ops`) in a free process; blocks until one
        is free. Returns the operation's JSON result and byte payload."""
        child = self._slots.get()
        keep = False
        try:
            if child is None:
                child = _Child(self.env)
            if not child.ready:
                child.wait_ready()
            child.tail.clear()  # what it says from now on is about this run
            message = {"op": op, "args": args, "memory": budget.memory, "env": _run_env()}
            protocol.send(child.to_child, message, payload)
            deadline = time.monotonic() + budget.seconds
            while True:
                header, data = protocol.receive(child.from_child, deadline)
                if "progress" not in header:
                    break
                if report is not None:
                    report(int(header["progress"]), header.get("message"))
            keep = not header.get("recycle") and child.rss() < RECYCLE_RSS
            if header.get("ok"):
                return header["result"], data
            raise _remote_error(header.get("error") or {})
        except protocol.TimedOut:
            raise ToolError(
                f"The run did not finish within its limit of {budget.seconds:g} seconds.",
                code=Code.TOOL_TIMEOUT,
            ) from None
        except protocol.Closed:
            assert child is not None
            raise _death(child) from None
        finally:
            self._give_back(child, keep)

    async def acall(
        self,
        op: str,
        args: dict[str, Any],
        *,
        budget: Budget,
        payload: bytes = b"",
        report: Report | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """`call` from async code, waiting in a thread of its own: runs queued for the pool
        do not take the threads that the rest of the API answers with."""
        return await waiting(
            functools.partial(self.call, op, args, budget=budget, payload=payload, report=report)
        )

    def _give_back(self, child: _Child | None, keep: bool) -> None:
        if child is not None and (not keep or self._closed):
            child.kill()
            child = None if self._closed else _Child(self.env)
        self._slots.put(child)

    def pids(self) -> list[int]:
        """The processes now idle in the pool (tests look at them)."""
        with self._slots.mutex:
            return [c.proc.pid for c in self._slots.queue if c is not None]

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                child = self._slots.get_nowait()
            except queue.Empty:
                return
            if child is not None:
                child.kill()


def _run_env() -> dict[str, str]:
    """`SATCHEL_TOOLS_*` variables as they are now: what tools read at run time (the
    processes were started earlier, with the environment of that moment)."""
    return {k: v for k, v in os.environ.items() if k.startswith(RUN_ENV_PREFIX)}


def _remote_error(error: dict[str, Any]) -> SatchelError:
    cls = _BY_STATUS.get(int(error.get("status", 422)), ToolError)
    return cls(
        str(error.get("message") or "The run failed."),
        code=str(error.get("code") or "tool_failed"),
        fields=error.get("fields") or [],
    )


def _death(child: _Child) -> SatchelError:
    """Why a sandbox process died during a run, as the run's error."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.proc.wait(5)
    code = child.proc.returncode
    said = " ".join(child.tail).lower()
    if code == -signal.SIGKILL or any(word in said for word in OUT_OF_MEMORY_WORDS):
        # SIGKILL that we did not send: the kernel's out-of-memory killer.
        return ToolError(
            "The run needed more memory than a tool run may use.", code=Code.TOOL_OUT_OF_MEMORY
        )
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else code
    log.warning("a sandbox process died during a run (%s): %s", how, " | ".join(child.tail))
    return ToolError(
        f"The tool crashed on this input ({how}); nothing was kept.", code=Code.TOOL_CRASHED
    )


_CALLERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _callers() -> anyio.CapacityLimiter:
    # Waiting is cheap (a blocked thread); the pool itself bounds the work. One limiter
    # per event loop: a limiter belongs to the loop it was made in.
    loop = asyncio.get_running_loop()
    limiter = _CALLERS.get(loop)
    if limiter is None:
        limiter = _CALLERS[loop] = anyio.CapacityLimiter(256)
    return limiter


async def waiting(fn: Callable[[], T]) -> T:
    """Run `fn`, which waits for the pool, in a thread that is not one of those the rest
    of the API answers with (a queue of runs must not stall `/health`)."""
    return await anyio.to_thread.run_sync(fn, limiter=_callers())


_POOLS: dict[tuple[int, tuple[tuple[str, str], ...]], Sandbox] = {}
_POOLS_LOCK = threading.Lock()


def shared(*, size: int, env: dict[str, str] | None = None) -> Sandbox:
    """This process's pool of `size` (one per size and environment, kept for the life
    of the process: tests build many apps, and the processes stay warm between them)."""
    key = (size, tuple(sorted((env or {}).items())))
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = Sandbox(size=size, env=env)
        return pool


@atexit.register
def _close_all() -> None:
    for pool in _POOLS.values():
        pool.close()

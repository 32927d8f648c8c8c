"""A sandbox process (`python -m satchel.runs.child IN OUT`): runs one operation at a
time for its parent, under an address-space limit set afresh for each run.

It leaves when its parent does, writes no core files, and leaves after an
out-of-memory error so the next run starts in a fresh process. A native crash or a hang
here costs this process only: the parent answers the run with a clean error and starts
another.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time
from typing import Any

from satchel.codes import Code
from satchel.errors import SatchelError
from satchel.runs import protocol
from satchel.tools.runner import OUT_OF_MEMORY_WORDS

_PROGRESS_EVERY = 0.1  # seconds between progress messages


def _die_with_parent(parent: int) -> None:
    """Leave as soon as the parent is gone, even in the middle of a run. (Not
    PR_SET_PDEATHSIG: it fires when the parent *thread* that started us ends, and the
    pool starts processes from whichever thread needed one.)"""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _address_space() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _limit_memory(budget: int | None) -> None:
    """This run may map `budget` bytes more than the process holds now (None: no limit)."""
    soft = resource.RLIM_INFINITY if budget is None else _address_space() + budget
    resource.setrlimit(resource.RLIMIT_AS, (soft, resource.RLIM_INFINITY))


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, SatchelError):
        return {
            "status": exc.status,
            "code": exc.code,
            "message": exc.message,
            "fields": exc.fields,
        }
    text = str(exc).strip().splitlines()
    message = (text[-1] if text else type(exc).__name__)[:300]
    if isinstance(exc, MemoryError) or any(w in message.lower() for w in OUT_OF_MEMORY_WORDS):
        return {
            "status": 422,
            "code": Code.TOOL_OUT_OF_MEMORY,
            "message": "The run needed more memory than a tool run may use.",
        }
    return {"status": 422, "code": Code.TOOL_FAILED, "message": f"The run failed: {message}"}


def _set_env(values: dict[str, str]) -> None:
    """The parent's `SATCHEL_TOOLS_*` variables for this run, and none of the old ones."""
    for key in [k for k in os.environ if k.startswith("SATCHEL_TOOLS_")]:
        if key not in values:
            del os.environ[key]
    os.environ.update(values)


class _Progress:
    """Progress reports of one run, sent to the parent at most every 0.1 s."""

    def __init__(self, out_fd: int) -> None:
        self.out_fd, self.last = out_fd, 0.0

    def __call__(self, percent: int, message: str | None) -> None:
        now = time.monotonic()
        if percent < 100 and now - self.last < _PROGRESS_EVERY:
            return
        self.last = now
        protocol.send(self.out_fd, {"progress": percent, "message": message})


def serve(in_fd: int, out_fd: int) -> None:
    from satchel.runs import ops  # the catalog and its engines: the warm-up

    ops.warm()
    protocol.send(out_fd, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            header, payload = protocol.receive(in_fd)
        except protocol.Closed:
            return
        _set_env(header.get("env") or {})
        try:
            _limit_memory(header.get("memory"))
            result, data = ops.dispatch(header, payload, _Progress(out_fd))
            reply: dict[str, Any] = {"ok": True, "result": result}
        except BaseException as exc:  # everything becomes an answer; only a crash is silent
            reply, data = {"ok": False, "error": _error(exc)}, b""
        finally:
            _limit_memory(None)
        reply["recycle"] = not reply["ok"] and reply["error"]["code"] == "tool_out_of_memory"
        protocol.send(out_fd, reply, data)
        if reply["recycle"]:
            return  # a heap that hit the limit is not worth keeping


def main() -> None:
    in_fd, out_fd, parent = (int(v) for v in sys.argv[1:4])
    _die_with_parent(parent)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal: the parent decides
    os.dup2(2, 1)  # a library's stray print goes to the log
    serve(in_fd, out_fd)


if __name__ == "__main__":
    main()

"""Job handlers by kind; a handler gets ids only and re-reads what it needs.

Capabilities declare their handler modules as entry points of the `satchel.jobs` group
(as plugins would); `load()` imports them, so the queue never imports the capabilities.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from satchel.runtime import Runtime


class JobStatus(enum.Enum):
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobCancelled(Exception):
    """Raised inside a handler (at a progress report) when someone cancelled the job."""


@dataclass
class JobContext:
    """What a running handler may use: the runtime, its job's ids, and progress reports."""

    runtime: Runtime
    job_id: str
    subject_id: str | None
    params: dict[str, Any]
    report: Callable[[int, str | None], None]
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def progress(self, percent: int, message: str | None = None) -> None:
        """Record progress; raises `JobCancelled` when the job was cancelled meanwhile."""
        self.report(max(0, min(100, int(percent))), message)


Handler = Callable[[JobContext], JobStatus]
# Called when a job is abandoned (its worker kept dying, or it hung): (runtime, subject, why).
GiveUp = Callable[["Runtime", str | None, str], None]
HANDLERS: dict[str, Handler] = {}
GIVE_UP: dict[str, GiveUp] = {}


def job(kind: str, *, on_give_up: GiveUp | None = None) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if on_give_up is not None:
            GIVE_UP[kind] = on_give_up
        return fn

    return register


GROUP = "satchel.jobs"


@cache
def load() -> None:
    """Import every module that registers handlers (and recovery hooks)."""
    for ep in entry_points(group=GROUP):
        ep.load()

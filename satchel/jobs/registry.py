"""Job handlers by kind; a handler gets ids only and re-reads what it needs."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
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
HANDLERS: dict[str, Handler] = {}


def job(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register

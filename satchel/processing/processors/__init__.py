"""Processors by kind: a stored file in, metadata and derivative files out."""

import importlib
from types import ModuleType

from satchel.processing.processors.base import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    Derivative,
    ProcessingFailed,
    ProcessingTimedOut,
    ProcessLimits,
    Processor,
    ProcessResult,
    Progress,
    processor,
    processor_for,
    registered,
    run_processor,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Derivative",
    "ProcessLimits",
    "ProcessResult",
    "ProcessingFailed",
    "ProcessingTimedOut",
    "Processor",
    "Progress",
    "processor",
    "processor_for",
    "registered",
    "run_processor",
]


def __getattr__(name: str) -> ModuleType:
    """`processors.image` and the rest, imported when first asked for (see `BUILTIN`)."""
    if name in BUILTIN:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

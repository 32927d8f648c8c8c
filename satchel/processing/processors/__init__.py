"""Processors by kind: a stored file in, metadata and derivative files out."""

from satchel.processing.processors import audio, dxf, image, pdf, text, video
from satchel.processing.processors.base import (
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
    "audio",
    "dxf",
    "image",
    "pdf",
    "processor",
    "processor_for",
    "registered",
    "run_processor",
    "text",
    "video",
]

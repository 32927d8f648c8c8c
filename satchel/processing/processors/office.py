"""Office documents: their text from the package, and a first-page preview from LibreOffice."""

# Without LibreOffice (or when it cannot convert the file) the asset still gets its text,
# and why the preview is missing is recorded in its raw metadata.

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from satchel.media import office
from satchel.media.errors import MediaError
from satchel.processing.processors import text
from satchel.processing.processors.base import (
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)
from satchel.processing.processors.pdf import process_pdf

OFFICE_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
)


@processor(*OFFICE_TYPES)
def process_office_document(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    result = text.process_office(path, media_type, out_dir, limits, progress)
    reason = office.available()
    if reason:
        result.raw["preview_skipped"] = reason
        return result
    progress(60, "rendering the first page with LibreOffice")
    pdf = out_dir / ".office.pdf"
    pages_dir = out_dir / ".pdf"
    pages_dir.mkdir(parents=True, exist_ok=True)
    try:
        office.convert(path, pdf, fmt="pdf", media_type=media_type, name="the document")
        pages = process_pdf(pdf, "application/pdf", pages_dir, limits, progress)
    except (MediaError, ProcessingFailed) as exc:
        result.raw["preview_skipped"] = str(exc)[:300]
        return result
    finally:
        pdf.unlink(missing_ok=True)
    for derivative in pages.derivatives:
        if derivative.kind in ("preview", "thumbnail"):
            target = out_dir / derivative.path.name
            derivative.path.rename(target)
            result.derivatives.append(replace(derivative, path=target))
    result.metadata["pages"] = pages.metadata["pages"]
    shutil.rmtree(pages_dir, ignore_errors=True)
    return result

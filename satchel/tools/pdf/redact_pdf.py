"""Redact PDF: terms removed for good (their pages re-rendered with black boxes)."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import pdf_structure, redaction
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    terms: list[str] = Field(..., min_length=1, max_length=100, description="Words or phrases.")
    case_sensitive: bool = Field(False, description="Match case exactly.")
    dpi: int = Field(150, ge=72, le=300, description="Resolution of the re-rendered pages.")

    @field_validator("terms")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        cleaned = [t.strip() for t in value]
        if any(not t or len(t) > 200 for t in cleaned):
            raise ValueError("each term is 1–200 characters (not only spaces)")
        return cleaned


@tool(
    "pdf",
    "redact-pdf",
    name="Redact PDF",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def redact_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Remove every occurrence of the terms for good: each page where one occurs is
    replaced by an image of itself with the terms blacked out (its text is gone, not
    covered), other pages keep their text; document metadata, XMP, outlines and
    annotations that mention a term are dropped. Scanned text (no text layer) is not
    found: OCR first."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-redacted.pdf", "application/pdf")
    result = redaction.redact(
        inp.path, out.path, inp.name, settings.terms, case=settings.case_sensitive,
        dpi=settings.dpi,
    )  # fmt: skip
    return ToolResult([out], data={"matches": result.matches, "pages": result.pages})

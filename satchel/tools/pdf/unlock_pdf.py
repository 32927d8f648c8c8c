"""Unlock PDF: remove a PDF's encryption, given its password."""

from __future__ import annotations

from pydantic import Field

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    password: str = Field("", max_length=127, description="The user or owner password.")


@tool(
    "pdf",
    "unlock-pdf",
    name="Unlock PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def unlock_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Write the PDF without encryption, so it opens without a password. The password is
    required (`pdf_encrypted` when it is wrong), except for PDFs that restrict
    permissions only."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-unlocked.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name, password=settings.password) as pdf:
        was = pdf.is_encrypted
        structure.save(pdf, out.path)  # pikepdf writes unencrypted unless told otherwise
    return ToolResult([out], data={"was_encrypted": was})

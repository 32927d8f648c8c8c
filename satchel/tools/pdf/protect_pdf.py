"""Protect PDF: encrypt with AES-256, a password to open it and one to change it."""

from __future__ import annotations

import pikepdf
from pydantic import Field, model_validator

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    user_password: str = Field(
        ..., min_length=1, max_length=127, description="Needed to open the PDF."
    )
    owner_password: str | None = Field(
        None, min_length=1, max_length=127,
        description="Needed to change permissions; the user password when not given.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _printable(self) -> Settings:
        for value in (self.user_password, self.owner_password or ""):
            if any(ord(c) < 32 for c in value):
                raise ValueError("passwords may not contain control characters")
        return self


@tool(
    "pdf",
    "protect-pdf",
    name="Protect PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def protect_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Encrypt a PDF with AES-256 (PDF 2.0's R6 handler): the user password opens it,
    the owner password (the user password if none is given) unlocks its permissions."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-protected.pdf", "application/pdf")
    owner = settings.owner_password or settings.user_password
    with structure.open_pdf(inp.path, inp.name) as pdf:
        pdf.save(
            out.path,
            encryption=pikepdf.Encryption(user=settings.user_password, owner=owner, R=6),
        )
    return ToolResult([out], data={"encryption": "AES-256"})

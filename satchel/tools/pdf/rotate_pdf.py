"""Rotate PDF: turn pages by 90, 180 or 270 degrees (added to any rotation they have)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    angle: Literal[90, 180, 270] = Field(90, description="Degrees clockwise.")
    range: str = Field("1-z", description="The pages to turn (qpdf syntax); all by default.")

    _range = field_validator("range")(structure.check_spec)


@tool(
    "pdf",
    "rotate-pdf",
    name="Rotate PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def rotate_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Turn the pages a qpdf range names (all by default) clockwise by 90, 180 or 270
    degrees, without re-rendering: the page's /Rotate changes, its content does not."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-rotated.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        pages = sorted(set(structure.select(settings.range, len(pdf.pages))))
        for number in pages:
            pdf.pages[number - 1].rotate(settings.angle, relative=True)
        structure.save(pdf, out.path)
    return ToolResult([out], data={"pages": pages, "angle": settings.angle})

"""Convert Presentation: through the warm LibreOffice converter."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import office
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["pptx", "odp"] = Field("pptx", description="The output format.")


@tool(
    "pdf",
    "convert-presentation",
    name="Convert Presentation",
    settings=Settings,
    inputs=InputSpec(accepts=office.SLIDES),
    produces=tuple(
        {office.media_type_of(office.family(office.SLIDES[0]), f) for f in ("pptx", "odp")}
    ),
    availability=office.available,
    memory_limit=False,  # soffice maps far more address space than it uses
)
def convert_presentation(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert a presentation (PPTX, ODP, PPT) to PPTX or ODP through the warm LibreOffice
    converter (macros never run)."""
    inp = inputs.first
    kind = office.family(office.SLIDES[0])
    out = ctx.output(f"{inp.stem}.{settings.format}", office.media_type_of(kind, settings.format))
    facts = office.convert(
        inp.path, out.path, fmt=settings.format, media_type=inp.media_type, name=inp.name
    )
    return ToolResult([out], data=facts)

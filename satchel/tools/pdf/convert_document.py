"""Convert Document: through the warm LibreOffice converter."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import office
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["docx", "odt", "rtf", "txt"] = Field("docx", description="The output format.")


@tool(
    "pdf",
    "convert-document",
    name="Convert Document",
    settings=Settings,
    inputs=InputSpec(accepts=office.WORD),
    produces=tuple(
        {
            office.media_type_of(office.family(office.WORD[0]), f)
            for f in ("docx", "odt", "rtf", "txt")
        }
    ),
    availability=office.available,
    memory_limit=False,  # soffice maps far more address space than it uses
)
def convert_document(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert a text document (DOCX, ODT, DOC, plain text) to DOCX, ODT, RTF or plain UTF-8
    text through the warm LibreOffice converter (macros never run)."""
    inp = inputs.first
    kind = office.family(office.WORD[0])
    out = ctx.output(f"{inp.stem}.{settings.format}", office.media_type_of(kind, settings.format))
    facts = office.convert(
        inp.path, out.path, fmt=settings.format, media_type=inp.media_type, name=inp.name
    )
    return ToolResult([out], data=facts)

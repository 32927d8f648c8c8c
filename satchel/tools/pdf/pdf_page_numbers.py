"""PDF page numbers: `1`, `Page 1 of 9` or any pattern, at a corner or an edge's middle."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import pdf_stamp, pdf_structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    position: Literal["bl", "bc", "br", "tl", "tc", "tr"] = Field(
        "bc", description="b(ottom)/t(op) + l(eft)/c(entre)/r(ight)."
    )
    font_size: float = Field(10, ge=4, le=72, description="Points.")
    pattern: str = Field(
        "{n}", max_length=100, description="The text: `{n}` the number, `{total}` the count."
    )
    start: int = Field(1, ge=0, le=100_000, description="The first page's number.")
    margin: float = Field(24, ge=0, le=500, description="Distance from the edges, points.")


@tool(
    "pdf",
    "pdf-page-numbers",
    name="PDF Page Numbers",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def pdf_page_numbers(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Number every page at a corner or the middle of the top or bottom edge, with a
    pattern such as `Page {n} of {total}`; the numbers are real text (searchable)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-numbered.pdf", "application/pdf")
    style = pdf_stamp.Style(
        size=settings.font_size, position=settings.position, opacity=1.0, color=(0, 0, 0),
        margin=settings.margin,
    )  # fmt: skip
    first = settings.start

    def text(n: int, count: int) -> str:
        number, total = first + n - 1, first + count - 1
        return settings.pattern.replace("{n}", str(number)).replace("{total}", str(total))

    pages = pdf_stamp.stamp(inp.path, out.path, inp.name, text, style)
    return ToolResult([out], data={"pages": pages})

"""Crop PDF: trim the same margin off every side of every page (its crop box)."""

from __future__ import annotations

import pikepdf
from pydantic import Field

from satchel.codes import Code
from satchel.media import pdf_structure as structure
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)


class Settings(ToolSettings):
    margin: float = Field(36, ge=0, le=2000, description="Points (1/72 inch) off each side.")


@tool(
    "pdf",
    "crop-pdf",
    name="Crop PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def crop_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Trim a margin (in points) off every side of every page by setting its crop box
    inside the visible page; the content is kept, only what shows changes. A margin that
    leaves nothing of a page is refused."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-cropped.pdf", "application/pdf")
    m = settings.margin
    with structure.open_pdf(inp.path, inp.name) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            x0, y0, x1, y1 = (float(v) for v in page.trimbox)  # the crop box, or media box
            if x1 - x0 <= 2 * m or y1 - y0 <= 2 * m:
                raise ToolError(
                    f"Page {number} is {x1 - x0:.0f}×{y1 - y0:.0f} pt: a margin of {m:g} pt "
                    "leaves nothing of it.",
                    code=Code.TOOL_CROP_OUT_OF_BOUNDS,
                )
            box = pikepdf.Array([x0 + m, y0 + m, x1 - m, y1 - m])
            page.obj.CropBox = box
            if pikepdf.Name.TrimBox in page.obj:
                page.obj.TrimBox = box
        structure.save(pdf, out.path)
    return ToolResult([out], data={"margin": m})

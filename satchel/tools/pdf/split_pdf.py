"""Split PDF: one PDF per range, or one per N pages (the files come as a ZIP)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from satchel.media import pdf_structure as structure
from satchel.tools.base import (
    Inputs,
    InputSpec,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    too_many_files,
    tool,
)

MAX_PARTS = 500


class Settings(ToolSettings):
    mode: Literal["range", "every"] = Field(
        "every",
        description="`range`: one file per comma-separated part of `range`; "
        "`every`: one file per `everyN` pages.",
    )
    range: str | None = Field(
        None, description="qpdf ranges, one file each, such as `1-3,4-10,11-z`."
    )
    every_n: int = Field(1, ge=1, le=500, description="Pages per file in `every` mode.")

    _range = field_validator("range")(lambda v: v if v is None else structure.check_spec(v))

    @model_validator(mode="after")
    def _needs_range(self) -> Settings:
        if self.mode == "range" and not self.range:
            raise ValueError("`range` is required when mode is `range`")
        return self


@tool(
    "pdf",
    "split-pdf",
    name="Split PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
    pipeline=False,
)
def split_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Split a PDF into several: one file per part of a qpdf range (`1-3,4-z` gives two
    files), or one file per N pages. At most 500 files a run."""
    inp = inputs.first
    outputs: list[OutputFile] = []
    with structure.open_pdf(inp.path, inp.name) as pdf:
        count = len(pdf.pages)
        if settings.mode == "range":
            parts = [structure.select(p, count) for p in (settings.range or "").split(",")]
        else:
            n = settings.every_n
            parts = [list(range(s, min(s + n, count + 1))) for s in range(1, count + 1, n)]
        limit = min(MAX_PARTS, ctx.limits.max_output_files)
        if len(parts) > limit:
            raise too_many_files(len(parts), limit)
        for i, pages in enumerate(parts):
            ctx.progress(100 * i // len(parts), None)
            label = f"{pages[0]}" if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
            out = ctx.output(f"{inp.stem}-pages-{label}.pdf", "application/pdf")
            outputs.append(out)
            structure.pages_pdf(pdf, pages, out.path)
    return ToolResult(outputs, data={"files": len(outputs), "pages": [len(p) for p in parts]})

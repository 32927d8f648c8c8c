"""Split CSV: one CSV per N rows (the files come as a ZIP)."""

from __future__ import annotations

from pydantic import Field

from satchel.media import tables
from satchel.media.errors import ResultTooLarge
from satchel.tools.base import (
    Inputs,
    InputSpec,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

MAX_PARTS = 1000


class Settings(ToolSettings):
    rows_per_file: int = Field(1000, ge=1, le=1_000_000, description="Data rows per file.")
    keep_header: bool = Field(True, description="Repeat the header row in every file.")


@tool(
    "files",
    "split-csv",
    name="Split CSV",
    settings=Settings,
    inputs=InputSpec(accepts=tables.CSV),
    produces=("text/csv",),
    pipeline=False,
)
def split_csv(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut a CSV into files of N data rows each, the header repeated in every file (or
    only in the first). Cells are copied as text, unchanged. At most 1000 files."""
    inp = inputs.first
    table = tables.read_csv(inp.path, inp.name, types=False)
    n = settings.rows_per_file
    starts = range(0, max(len(table.rows), 1), n)
    if len(starts) > MAX_PARTS:
        raise ResultTooLarge(f"That makes {len(starts)} files; at most {MAX_PARTS} a run.")
    outputs: list[OutputFile] = []
    digits = len(str(len(starts)))
    for i, start in enumerate(starts, 1):
        part = tables.Table(table.header, table.rows[start : start + n])
        out = ctx.output(f"{inp.stem}-{i:0{digits}d}.csv", "text/csv")
        tables.write_csv(part, out.path)
        if not settings.keep_header and i > 1:
            text = out.path.read_text(encoding="utf-8")
            out.path.write_text(text.split("\n", 1)[1], encoding="utf-8")
        outputs.append(out)
    return ToolResult(outputs, data={"files": len(outputs), "rows": len(table.rows)})

"""Merge CSVs: the rows of 2–50 CSVs with the same columns, one after the other."""

from __future__ import annotations

from satchel.codes import Code
from satchel.media import tables
from satchel.media.tables import TableError
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "files",
    "merge-csvs",
    name="Merge CSVs",
    inputs=InputSpec(min_files=2, max_files=50, accepts=tables.CSV),
    produces=("text/csv",),
)
def merge_csvs(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Append the rows of 2–50 CSVs in the order given. Their columns must match by name
    (in any order: later files are reordered to the first file's columns); a file with
    other columns is refused with `table_columns_mismatch`."""
    first = inputs.first
    merged = tables.read_csv(first.path, first.name, types=False)
    for inp in inputs.files[1:]:
        table = tables.read_csv(inp.path, inp.name, types=False)
        if sorted(table.header) != sorted(merged.header):
            raise TableError(
                f"{inp.name} has the columns {table.header}, not those of {first.name} "
                f"({merged.header}).",
                code=Code.TABLE_COLUMNS_MISMATCH,
            )
        order = [table.header.index(h) for h in merged.header]
        merged.rows += [[row[i] if i < len(row) else "" for i in order] for row in table.rows]
        if len(merged.rows) > tables.MAX_ROWS:
            raise TableError(f"The merged CSV would have over {tables.MAX_ROWS} rows.")
    out = ctx.output(f"{first.stem}-merged.csv", "text/csv")
    tables.write_csv(merged, out.path)
    return ToolResult([out], data={"rows": len(merged.rows), "files": len(inputs.files)})

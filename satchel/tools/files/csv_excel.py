"""CSV ↔ Excel: a CSV as an XLSX sheet, or an XLSX sheet as CSV (direction from the input)."""

from __future__ import annotations

from pydantic import Field

from satchel.media import tables, workbooks
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    sheet: int = Field(1, ge=1, le=1000, description="The worksheet of an XLSX input (1 first).")


@tool(
    "files",
    "csv-excel",
    name="CSV to Excel",
    settings=Settings,
    inputs=InputSpec(accepts=(*tables.CSV, *tables.XLSX)),
    produces=(*tables.XLSX, "text/csv"),
)
def csv_excel(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """CSV to XLSX with numbers, booleans and dates typed (text such as `=1+1` or `@cmd`
    stays text: it is never written as a formula), or one sheet of an XLSX to CSV (the
    stored values; formulas give their cached results, macros never run)."""
    inp = inputs.first
    if inp.media_type in tables.XLSX:
        table = workbooks.read_xlsx(inp.path, inp.name, sheet=settings.sheet)
        out = ctx.output(f"{inp.stem}.csv", "text/csv")
        tables.write_csv(table, out.path)
    else:
        table = tables.read_csv(inp.path, inp.name)
        out = ctx.output(f"{inp.stem}.xlsx", tables.XLSX[0])
        workbooks.write_xlsx(table, out.path, sheet=inp.stem)
    return ToolResult([out], data={"rows": len(table.rows), "columns": table.header})

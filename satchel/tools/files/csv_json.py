"""CSV ↔ JSON: rows as an array of objects, and back (the direction follows the input)."""

from __future__ import annotations

import json

from pydantic import Field

from satchel.media import tables
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    pretty: bool = Field(True, description="Indent the JSON.")


@tool(
    "files",
    "csv-json",
    name="CSV to JSON",
    settings=Settings,
    inputs=InputSpec(accepts=(*tables.CSV, *tables.JSON)),
    produces=("application/json", "text/csv"),
)
def csv_json(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """CSV to a JSON array of objects (numbers, booleans and ISO dates typed only where
    writing them back gives the same text, so nothing is lost), or a JSON array of objects
    to CSV (columns in order of first appearance, nested values as JSON text)."""
    inp = inputs.first
    if inp.media_type == "application/json":
        table = tables.from_records(tables.load_json(inp.path, inp.name), inp.name)
        out = ctx.output(f"{inp.stem}.csv", "text/csv")
        tables.write_csv(table, out.path)
    else:
        table = tables.read_csv(inp.path, inp.name)
        out = ctx.output(f"{inp.stem}.json", "application/json")
        records = [{k: tables.json_value(v) for k, v in r.items()} for r in table.records()]
        text = json.dumps(records, ensure_ascii=False, indent=2 if settings.pretty else None)
        out.path.write_text(text + "\n", encoding="utf-8")
    return ToolResult([out], data={"rows": len(table.rows), "columns": table.header})

"""JSON ↔ XML: one mapping both ways (direction from the input)."""

from __future__ import annotations

import json

from pydantic import Field

from satchel.media import tables, xmldata
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    pretty: bool = Field(True, description="Indent the output.")
    root: str = Field(
        "root", pattern=r"^[A-Za-z_][\w.\-]{0,63}$", description="Root element for JSON → XML."
    )


@tool(
    "files",
    "json-xml",
    name="JSON to XML",
    settings=Settings,
    inputs=InputSpec(accepts=(*tables.JSON, *tables.XML)),
    produces=("application/xml", "application/json"),
)
def json_xml(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """JSON to XML (object keys become elements, `@name` keys attributes, arrays repeated
    elements), or XML to JSON the same way back. XML is parsed without DTD entities or
    external references (billion-laughs and XXE documents are refused)."""
    inp = inputs.first
    if inp.media_type == "application/json":
        value = tables.load_json(inp.path, inp.name)
        out = ctx.output(f"{inp.stem}.xml", "application/xml")
        element = xmldata.from_value(value, settings.root)
        out.path.write_bytes(xmldata.serialize(element, pretty=settings.pretty) + b"\n")
    else:
        root = xmldata.parse(inp.path, inp.name)
        out = ctx.output(f"{inp.stem}.json", "application/json")
        value = {root.tag.rsplit("}", 1)[-1]: xmldata.to_value(root)}
        text = json.dumps(value, ensure_ascii=False, indent=2 if settings.pretty else None)
        out.path.write_text(text + "\n", encoding="utf-8")
    return ToolResult([out])

"""YAML ↔ JSON (direction from the input)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from satchel.codes import Code
from satchel.media import tables
from satchel.media.tables import TableError
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

MAX_NODES = 1_000_000  # after aliases are expanded: a "billion laughs" YAML stops here


def _count(value: Any, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise TableError(
            f"The YAML expands to over {MAX_NODES} values (aliases repeated?).",
            code=Code.TOOL_INPUT_TOO_LARGE,
        )
    if isinstance(value, dict):
        for k, v in value.items():
            _count(k, budget)
            _count(v, budget)
    elif isinstance(value, list):
        for v in value:
            _count(v, budget)


@tool(
    "files",
    "yaml-json",
    name="YAML / JSON",
    inputs=InputSpec(accepts=(*tables.JSON, "text/plain", "application/yaml", "text/yaml")),
    produces=("application/json", "application/yaml"),
)
def yaml_json(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """YAML to JSON (safe loading: no tags that build objects; alias bombs refused), or
    JSON to YAML (keys in their order, unicode as is)."""
    inp = inputs.first
    if inp.media_type == "application/json":
        value = tables.load_json(inp.path, inp.name)
        out = ctx.output(f"{inp.stem}.yaml", "application/yaml")
        text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False)
    else:
        try:
            value = yaml.safe_load(tables.decode(inp.path, inp.name))
            _count(value, [MAX_NODES])
        except yaml.YAMLError as exc:
            raise TableError(f"{inp.name} is not valid YAML: {exc}") from None
        except RecursionError:
            raise TableError(f"{inp.name} is nested too deeply.") from None
        out = ctx.output(f"{inp.stem}.json", "application/json")
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"
    out.path.write_text(text, encoding="utf-8")
    return ToolResult([out])

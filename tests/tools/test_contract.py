"""Every registered tool keeps the contract: a description, a settings schema, refusal of
bad settings with `422 validation_error` naming the field, and tests of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.tools import registry
from satchel.tools.base import Tool

TOOLS = list(registry.tools().values())
TESTS = Path(__file__).parent


def test_builtin_tools_register_through_the_entry_point_group() -> None:
    from importlib.metadata import entry_points

    groups = {ep.name for ep in entry_points(group=registry.GROUP)}
    assert "image" in groups
    assert {"resize", "crop", "rotate", "convert"} <= set(registry.tools())


@pytest.mark.parametrize("tool", TOOLS, ids=[t.id for t in TOOLS])
def test_tool_declares_what_the_catalog_needs(tool: Tool[Any]) -> None:
    assert len(tool.description) > 20, "the run function's docstring is the description"
    assert tool.name and tool.section in ("image", "video", "audio", "pdf", "files")
    schema = tool.schema()
    assert schema["type"] == "object"
    json.dumps(schema)  # serializable for GET /tools
    if tool.pipeline:
        assert tool.inputs.min_files == 1 and tool.inputs.max_files == 1


@pytest.mark.parametrize("tool", TOOLS, ids=[t.id for t in TOOLS])
def test_tool_has_tests_that_run_it(tool: Tool[Any]) -> None:
    """A test file other than this one names the tool in a call."""
    needles = (f'"{tool.id}"', f"'{tool.id}'")
    for path in TESTS.rglob("test_*.py"):  # tests/tools/<section>/ too
        if path.name == Path(__file__).name:
            continue
        text = path.read_text()
        if any(n in text for n in needles):
            return
    pytest.fail(f"no test runs {tool.id}")


@pytest.mark.parametrize("tool", TOOLS, ids=[t.id for t in TOOLS])
async def test_bad_settings_are_refused_with_fields(
    client: httpx.AsyncClient, tool: Tool[Any]
) -> None:
    response = await client.post(
        f"/api/v1/tools/{tool.section}/{tool.id}",
        json={"settings": {"noSuchSetting": 1}},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(f["field"].startswith("settings.") for f in error["fields"])

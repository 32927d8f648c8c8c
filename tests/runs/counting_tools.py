"""A test-only tool that notes each run in a folder (SATCHEL_TEST_RUNS_DIR) and takes a
moment, so a test can see which items of a batch ran. Loaded with SATCHEL_TOOL_MODULES."""

from __future__ import annotations

import os
import time
from pathlib import Path

from satchel.tools.base import Inputs, NoSettings, ToolContext, ToolResult, tool


@tool("image", "test-count", name="Count (test)", settings=NoSettings)
def count(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Notes that it ran on its input, waits half a second, returns the input (tests only)."""
    inp = inputs.first
    (Path(os.environ["SATCHEL_TEST_RUNS_DIR"]) / inp.name).touch()
    time.sleep(0.5)
    out = ctx.output(inp.name, inp.media_type)
    out.path.write_bytes(inp.path.read_bytes())
    return ToolResult([out])

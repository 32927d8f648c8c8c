"""Test-only tools that misbehave the way a hostile file makes a decoder misbehave: a
native crash, a hang, a runaway allocation. Loaded with SATCHEL_TOOL_MODULES (or a run's
`modules`), never registered through an entry point."""

from __future__ import annotations

import os
import time

from satchel.tools.base import Inputs, NoSettings, ToolContext, ToolResult, tool


@tool("image", "test-abort", name="Abort (test)", settings=NoSettings)
def abort(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Calls os.abort(), as a decoder that crashes on its input would (tests only)."""
    os.abort()


@tool("image", "test-hang", name="Hang (test)", settings=NoSettings)
def hang(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Never returns, as a decoder stuck in a loop would (tests only)."""
    while True:
        time.sleep(1)


@tool("image", "test-hog", name="Hog (test)", settings=NoSettings)
def hog(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Allocates memory until something stops it, as a decompression bomb would (tests
    only)."""
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))

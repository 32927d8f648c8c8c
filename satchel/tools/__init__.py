"""Tools: one module per tool, registered through the `satchel.tools` entry-point group.

`base` is the contract, `registry` finds the tools, `runner` validates and runs them (one
by one or as a pipeline). The service, router and job handler make them an API.
"""

from satchel.tools.base import (
    Action,
    Extra,
    InputFile,
    Inputs,
    InputSpec,
    NoSettings,
    OutputFile,
    Tool,
    ToolContext,
    ToolError,
    ToolLimits,
    ToolResult,
    ToolSettings,
    tool,
)

__all__ = [
    "Action",
    "Extra",
    "InputFile",
    "InputSpec",
    "Inputs",
    "NoSettings",
    "OutputFile",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolLimits",
    "ToolResult",
    "ToolSettings",
    "tool",
]

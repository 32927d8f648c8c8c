"""Colorize: not available here (no colorization model ships in a package)."""

from __future__ import annotations

from pydantic import Field

from satchel.media.ml import unavailable
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

REASON = (
    "No colorization model (DDColor or similar) ships inside a PyPI, npm or Debian package, "
    "and Satchel downloads nothing at run time; there is no honest classical stand-in."
)


class Settings(ToolSettings):
    intensity: float = Field(1.0, ge=0, le=1, description="How strong the colours are.")
    model: str = Field("ddcolor", max_length=40, description="The colorization model.")


@tool(
    "image",
    "colorize",
    name="AI Colorization",
    settings=Settings,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Colorize a black-and-white photo. Unavailable: no colorization model (DDColor or
    similar) ships in any package this server can install, so every run with valid
    settings answers `tool_unavailable` with that reason."""
    raise unavailable(REASON)

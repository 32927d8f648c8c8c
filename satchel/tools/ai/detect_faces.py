"""Detect faces: boxes, six landmarks and confidence for every face (MediaPipe BlazeFace)."""

from __future__ import annotations

from pydantic import Field

from satchel.media import imaging
from satchel.media.ml import faces
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    sensitivity: float = Field(
        0.5, ge=0, le=1, description="0–1: higher finds more (and less certain) faces."
    )


@tool(
    "image",
    "detect-faces",
    name="Detect Faces",
    settings=Settings,
    produces=(),
    pipeline=False,
    availability=faces.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Find every face with MediaPipe BlazeFace (full range, on the CPU): its box, its six
    landmarks (eyes, nose tip, mouth, ear tragions) in the image's pixels after EXIF
    orientation, and the detector's confidence. An image without faces answers count 0."""
    image = imaging.load_input(inputs.first)
    found = faces.find(image, threshold=faces.threshold_for(settings.sensitivity))
    return ToolResult(
        data={
            "count": len(found),
            "width": image.width,
            "height": image.height,
            "faces": [f.json() for f in found],
        }
    )

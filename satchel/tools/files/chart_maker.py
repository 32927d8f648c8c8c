"""Chart maker: a bar, line or pie chart (PNG) of a CSV or JSON table."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import charts, imaging, tables
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    kind: Literal["bar", "line", "pie"] = Field("bar", description="The chart type.")
    title: str = Field("", max_length=200, description="A title above the chart.")
    width: int = Field(800, ge=200, le=4000, description="Pixels.")
    height: int = Field(500, ge=150, le=4000, description="Pixels.")


@tool(
    "files",
    "chart-maker",
    name="Chart Maker",
    settings=Settings,
    inputs=InputSpec(accepts=(*tables.CSV, *tables.JSON)),
    produces=("image/png",),
)
def chart_maker(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Draw a bar, line or pie chart of a CSV (or a JSON array of objects): the first
    column gives the labels, every column of numbers after it a series (a pie shows the
    first). Bars and lines start at zero; the answer lists the series charted."""
    inp = inputs.first
    if inp.media_type == "application/json":
        table = tables.from_records(tables.load_json(inp.path, inp.name), inp.name)
    else:
        table = tables.read_csv(inp.path, inp.name)
    labels, series = charts.series_of(table)
    drawing = charts.svg(
        settings.kind, labels, series, title=settings.title, width=settings.width,
        height=settings.height,
    )  # fmt: skip
    image = pyvips.Image.svgload_buffer(drawing.encode("utf-8"), unlimited=False)
    out = imaging.save_output(image, ctx, f"{inp.stem}-{settings.kind}.png", "png")
    return ToolResult([out], data={"labels": labels, "series": [s.name for s in series][:10]})

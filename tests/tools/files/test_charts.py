"""chart-maker draws the data it was given: bar heights and pie shares measured in pixels."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest

from satchel.media import charts
from tests.tools.helpers import call_tool, image, pixels, run_tool

BLUE = (0x1F, 0x77, 0xB4)
ORANGE = (0xFF, 0x7F, 0x0E)


def mask(px: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    return np.all(np.abs(px.astype(int) - np.array(colour)) <= 8, axis=2)


async def test_bar_heights_follow_the_values(client: httpx.AsyncClient) -> None:
    csv = b"quarter,sales\nQ1,10\nQ2,20\nQ3,40\n"
    data, png = await run_tool(
        client, "chart-maker", ("s.csv", csv), {"width": 600, "height": 400, "title": "Sales"},
        section="files",
    )  # fmt: skip
    assert data["data"] == {"labels": ["Q1", "Q2", "Q3"], "series": ["sales"]}
    px = pixels(png)
    assert (image(png).width, image(png).height) == (600, 400)
    blue = mask(px, BLUE)
    heights = []
    for i in range(3):  # the middle column of each slot
        x0, _, x1, _ = charts.plot_area(600, 400, 40)
        x = int(x0 + (x1 - x0) / 3 * (i + 0.5))
        heights.append(int(blue[:, x].sum()))
    assert heights[1] == pytest.approx(2 * heights[0], abs=3)
    assert heights[2] == pytest.approx(4 * heights[0], abs=3)


async def test_pie_shares_and_line(client: httpx.AsyncClient) -> None:
    rows = json.dumps([{"k": "a", "v": 3}, {"k": "b", "v": 1}]).encode()
    _, png = await run_tool(client, "chart-maker", ("p.json", rows), {"kind": "pie"},
                            section="files")  # fmt: skip
    px = pixels(png)
    share = mask(px, BLUE).sum() / (mask(px, BLUE).sum() + mask(px, ORANGE).sum())
    assert abs(share - 0.75) < 0.02
    _, line = await run_tool(client, "chart-maker", ("p.json", rows), {"kind": "line"},
                             section="files")  # fmt: skip
    assert mask(pixels(line), BLUE).sum() > 100
    body = await call_tool(
        client, "chart-maker", ("t.csv", b"name,city\na,b\n"), section="files", expect=422
    )
    assert body["error"]["code"] == "tool_input_invalid"
    body = await call_tool(
        client, "chart-maker", ("t.csv", b"a,b\nx,1\n"), {"kind": "donut"}, section="files",
        expect=422,
    )  # fmt: skip
    assert body["error"]["fields"][0]["field"] == "settings.kind"

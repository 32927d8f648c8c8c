"""People segmentation (MediaPipe selfie segmentation): the astronaut's mask against one
traced by hand (IoU >= 0.8); remove-background and blur-background use it."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest
import pyvips
from PIL import Image, ImageDraw

from tests.tools.ai.test_faces import ASTRONAUT, COFFEE
from tests.tools.helpers import call_tool, image, pixels, run_tool

# Her outline, traced by hand on a 32-px grid over the 512×512 image (hair, the neck ring,
# the suit to the bottom edge, and the helmet she holds), clockwise from the top of her hair.
OUTLINE = [
    (224, 14), (245, 15), (265, 22), (280, 33), (292, 48), (299, 65), (301, 85), (297, 108),
    (288, 122), (278, 132), (272, 145), (290, 155), (300, 170), (305, 195), (305, 225),
    (315, 240), (335, 255), (350, 275), (358, 300), (362, 330), (365, 348), (395, 344),
    (430, 348), (460, 362), (482, 382), (495, 405), (502, 430), (506, 460), (511, 480),
    (511, 511), (30, 511), (28, 480), (22, 440), (20, 400), (20, 360), (24, 335), (30, 310),
    (40, 285), (52, 265), (66, 246), (85, 232), (105, 218), (115, 205), (115, 185),
    (125, 168), (140, 155), (160, 148), (178, 140), (172, 125), (162, 112), (155, 95),
    (153, 75), (158, 55), (170, 38), (190, 25), (205, 18),
]  # fmt: skip


def reference() -> np.ndarray[Any, Any]:
    canvas = Image.new("L", (512, 512), 0)
    ImageDraw.Draw(canvas).polygon(OUTLINE, fill=255)
    return np.asarray(canvas) > 127


async def test_person_mask_of_the_astronaut(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "remove-background", ASTRONAUT)
    cut = image(content)
    assert (cut.width, cut.height, cut.bands) == (512, 512, 4)
    alpha = np.ndarray(buffer=cut[3].write_to_memory(), dtype=np.uint8, shape=(512, 512)) > 127
    truth = reference()
    iou = (alpha & truth).sum() / (alpha | truth).sum()
    assert iou >= 0.8, iou
    assert 0.4 < data["data"]["personShare"] < 0.7
    assert data["data"]["model"] == "mediapipe-selfie-segmentation"


async def test_background_colour_and_blur(client: httpx.AsyncClient) -> None:
    settings = {"backgroundType": "color", "backgroundColor": "#00ff00"}
    _, content = await run_tool(client, "remove-background", ASTRONAUT, settings)
    out = pixels(content)
    assert tuple(out[40, 480][:3]) == (0, 255, 0)  # the shuttle's corner is background now
    before = pixels(ASTRONAUT.read_bytes())
    assert np.abs(out[100, 225].astype(int) - before[100, 225].astype(int)).max() <= 3  # face
    _, content = await run_tool(client, "blur-background", ASTRONAUT, {"blurIntensity": 8})
    out = pixels(content)
    assert out.shape == before.shape
    assert np.abs(out[100:140, 200:250].astype(int) - before[100:140, 200:250]).mean() < 2
    assert np.abs(out[0:100, 400:500].astype(int) - before[0:100, 400:500]).mean() > 2


async def test_no_person_in_the_coffee(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "remove-background", COFFEE)
    assert data["data"]["personShare"] < 0.3  # the cup reads as a little foreground
    assert isinstance(image(content), pyvips.Image)


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [
        ({"model": "object"}, 503, "tool_unavailable"),
        ({"backgroundColor": "not-a-colour"}, 422, "validation_error"),
        ({"backgroundType": "gradient"}, 422, "validation_error"),
    ],
)
async def test_refusals(
    client: httpx.AsyncClient, options: dict[str, Any], status: int, code: str
) -> None:
    body = await call_tool(client, "remove-background", COFFEE, options, expect=status)
    assert body["error"]["code"] == code
    if code == "tool_unavailable":
        assert "IS-Net" in body["error"]["message"]

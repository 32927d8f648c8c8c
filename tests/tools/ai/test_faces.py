"""Faces (MediaPipe BlazeFace): one face in scikit-image's astronaut, where a person drew
it (IoU >= 0.5), none in its coffee cup; blur-faces blurs that face and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import skimage

from tests.tools.helpers import call_tool, pixels, run_tool

DATA = Path(skimage.__file__).parent / "data"
ASTRONAUT = DATA / "astronaut.png"  # 512×512, Eileen Collins
COFFEE = DATA / "coffee.png"  # a cup of coffee, no face
TRUE_FACE = (175, 68, 282, 188)  # left, top, right, bottom: hairline to chin, ear to ear


def iou(box: dict[str, int], truth: tuple[int, int, int, int]) -> float:
    a = (box["left"], box["top"], box["left"] + box["width"], box["top"] + box["height"])
    x0, y0 = max(a[0], truth[0]), max(a[1], truth[1])
    x1, y1 = min(a[2], truth[2]), min(a[3], truth[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    area = (a[2] - a[0]) * (a[3] - a[1]) + (truth[2] - truth[0]) * (truth[3] - truth[1])
    return inter / (area - inter)


async def test_blur_faces_on_the_astronaut(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "blur-faces", ASTRONAUT, {"blurRadius": 12})
    found = data["data"]
    assert found["count"] == 1
    face = found["faces"][0]
    assert iou(face["box"], TRUE_FACE) >= 0.5, face
    assert face["confidence"] > 0.8
    marks = face["landmarks"]
    assert marks["rightEye"]["x"] < marks["leftEye"]["x"]  # her right eye, on our left
    assert (
        marks["rightEye"]["y"] < marks["mouth"]["y"] and marks["noseTip"]["y"] < marks["mouth"]["y"]
    )
    before, after = pixels(ASTRONAUT.read_bytes()), pixels(content)
    x0, y0, x1, y1 = TRUE_FACE
    inner = (slice(y0 + 30, y1 - 30), slice(x0 + 30, x1 - 30))
    diff = np.abs(before[inner].astype(int) - after[inner].astype(int)).mean()
    assert diff > 3  # the eyes and mouth are gone
    assert after[inner].astype(float).std() < before[inner].astype(float).std()
    assert np.array_equal(before[400:, :], after[400:, :])  # the suit is untouched


async def test_no_face_in_the_coffee(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "blur-faces", COFFEE, {"sensitivity": 0.6})
    assert data["data"] == {"count": 0, "faces": []}
    assert np.array_equal(pixels(COFFEE.read_bytes()), pixels(content))


@pytest.mark.parametrize("options", [{"blurRadius": 0}, {"sensitivity": 1.5}, {"format": "bmp3"}])
async def test_bad_settings(client: httpx.AsyncClient, options: dict[str, Any]) -> None:
    body = await call_tool(client, "blur-faces", COFFEE, options, expect=422)
    assert body["error"]["code"] == "validation_error"


async def test_detect_faces_answers_facts(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "detect-faces", ASTRONAUT)
    found = body["data"]["data"]
    assert found["count"] == 1 and (found["width"], found["height"]) == (512, 512)
    assert iou(found["faces"][0]["box"], TRUE_FACE) >= 0.5
    body = await call_tool(client, "detect-faces", COFFEE)
    assert body["data"]["data"]["count"] == 0
    body = await call_tool(client, "detect-faces", COFFEE, {"sensitivity": -1}, expect=422)
    assert body["error"]["code"] == "validation_error"


async def test_perceptual_hash_of_a_resized_copy(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "perceptual-hash", ASTRONAUT)
    first = body["data"]["data"]
    import io

    from PIL import Image

    smaller = io.BytesIO()
    Image.open(ASTRONAUT).resize((256, 256)).save(smaller, "PNG")
    second = (await call_tool(client, "perceptual-hash", ("small.png", smaller.getvalue())))[
        "data"
    ]["data"]
    assert len(first["phash"]) == 16 and len(first["dhash"]) == 16
    distance = (int(first["phash"], 16) ^ int(second["phash"], 16)).bit_count()
    assert distance <= 4
    coffee = (await call_tool(client, "perceptual-hash", COFFEE))["data"]["data"]
    assert (int(first["phash"], 16) ^ int(coffee["phash"], 16)).bit_count() > 16

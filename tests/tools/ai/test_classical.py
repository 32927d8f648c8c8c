"""The AI tools that run classical methods (their descriptions say which), and colorize,
which has neither a bundled model nor an honest stand-in."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.tools.ai.test_faces import ASTRONAUT, COFFEE, TRUE_FACE, iou
from tests.tools.helpers import call_tool, image, pixels, run_tool


def png(array: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def clean() -> np.ndarray[Any, Any]:
    return np.asarray(Image.open(ASTRONAUT).convert("RGB"))


def mse(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    return float(((a.astype(float) - b.astype(float)) ** 2).mean())


async def test_descriptions_name_their_methods(client: httpx.AsyncClient) -> None:
    tools = {t["id"]: t for t in (await client.get("/api/v1/tools")).json()["data"]}
    for tool_id, method in (
        ("noise-removal", "non-local means"),
        ("erase-object", "Telea"),
        ("ai-canvas-expand", "not the LaMa"),
        ("enhance-faces", "GFPGAN and CodeFormer ship in no package"),
        ("restore-photo", "no neural model"),
        ("smart-crop", "BlazeFace"),
        ("red-eye-removal", "BlazeFace"),
    ):
        assert method in tools[tool_id]["description"], tool_id


async def test_colorize_is_unavailable_with_the_reason(client: httpx.AsyncClient) -> None:
    tool = (await client.get("/api/v1/tools/image/colorize")).json()["data"]
    assert "Unavailable" in tool["description"] and "DDColor" in tool["description"]
    body = await call_tool(client, "colorize", ASTRONAUT, {"intensity": 0.5}, expect=503)
    assert body["error"]["code"] == "tool_unavailable" and "DDColor" in body["error"]["message"]


async def test_smart_crop_modes(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "smart-crop", ASTRONAUT, {"mode": "face", "facePreset": "closeup"}
    )
    box = data["data"]["box"]
    assert iou(box, TRUE_FACE) >= 0.4 and box["width"] < 250
    _, content = await run_tool(
        client, "smart-crop", ASTRONAUT, {"mode": "face", "width": 200, "height": 300}
    )
    assert (image(content).width, image(content).height) == (200, 300)
    _, content = await run_tool(
        client,
        "smart-crop",
        COFFEE,
        {"mode": "subject", "width": 200, "height": 200, "strategy": "entropy"},
    )
    assert (image(content).width, image(content).height) == (200, 200)
    framed = np.full((300, 400, 3), 255, np.uint8)
    framed[50:250, 100:300] = clean()[100:300, 150:350]
    data, content = await run_tool(
        client, "smart-crop", ("framed.png", png(framed)), {"mode": "trim"}
    )
    assert data["data"]["box"] == {"left": 100, "top": 50, "width": 200, "height": 200}
    body = await call_tool(client, "smart-crop", COFFEE, {"mode": "subject"}, expect=422)
    assert body["error"]["code"] == "tool_invalid_dimensions"
    body = await call_tool(client, "smart-crop", COFFEE, {"mode": "face"}, expect=422)
    assert body["error"]["code"] == "tool_input_invalid"


@pytest.mark.parametrize("tier", ["quick", "balanced", "quality", "maximum"])
async def test_noise_removal_tiers(client: httpx.AsyncClient, tier: str) -> None:
    original = clean()[128:384, 128:384]
    rng = np.random.default_rng(3)
    noisy = np.clip(original + rng.normal(0, 18, original.shape), 0, 255).astype(np.uint8)
    _, content = await run_tool(client, "noise-removal", ("noisy.png", png(noisy)), {"tier": tier})
    assert mse(pixels(content), original) < 0.8 * mse(noisy, original), tier


async def test_erase_object(client: httpx.AsyncClient) -> None:
    coffee = np.asarray(Image.open(COFFEE).convert("RGB")).copy()
    spoiled = coffee.copy()
    spoiled[20:40, 500:530] = (255, 0, 255)  # a magenta blot on the table top
    mask = np.zeros(coffee.shape[:2], np.uint8)
    mask[20:40, 500:530] = 255
    data, content = await run_tool(
        client, "erase-object", ("blot.png", png(spoiled)), extras={"mask": ("mask.png", png(mask))}
    )
    out = pixels(content)
    assert mse(out[20:40, 500:530], coffee[20:40, 500:530]) < 0.1 * mse(
        spoiled[20:40, 500:530], coffee[20:40, 500:530]
    )
    assert data["data"]["erasedPixels"] >= 600
    body = await call_tool(
        client,
        "erase-object",
        ("blot.png", png(spoiled)),
        extras={"mask": ("mask.png", png(np.zeros_like(mask)))},
        expect=422,
    )
    assert body["error"]["code"] == "tool_input_invalid"


async def test_canvas_expand(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "ai-canvas-expand", ASTRONAUT, {"extendLeft": 50, "extendTop": 20}
    )
    out = pixels(content)
    assert out.shape == (532, 562, 3)
    assert mse(out[40:500, 70:500], clean()[20:480, 20:450]) < 1
    body = await call_tool(client, "ai-canvas-expand", ASTRONAUT, expect=422)
    assert body["error"]["code"] == "tool_invalid_dimensions"


async def test_red_eye_removal(client: httpx.AsyncClient) -> None:
    found = (await call_tool(client, "detect-faces", ASTRONAUT))["data"]["data"]["faces"][0]
    eyes = [found["landmarks"][k] for k in ("leftEye", "rightEye")]
    spoiled = Image.open(ASTRONAUT).convert("RGB")
    draw = ImageDraw.Draw(spoiled)
    for eye in eyes:
        draw.ellipse((eye["x"] - 4, eye["y"] - 4, eye["x"] + 4, eye["y"] + 4), fill=(220, 30, 30))
    data, content = await run_tool(client, "red-eye-removal", ("red.png", png(np.asarray(spoiled))))
    out = pixels(content)
    for eye in eyes:
        r, g, b = (int(v) for v in out[eye["y"], eye["x"]])
        assert r < 60 and abs(r - g) < 30, (r, g, b)
    assert data["data"]["faces"] == 1 and data["data"]["pixelsFixed"] > 100
    assert np.array_equal(out[400:], clean()[400:])


async def test_enhance_faces_and_restore_photo(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "enhance-faces", ASTRONAUT, {"strength": 0.6})
    out = pixels(content)
    assert data["data"]["faces"] == 1
    assert np.array_equal(out[420:], clean()[420:])  # only the face changes
    assert mse(out[90:160, 190:260], clean()[90:160, 190:260]) > 0.5
    scratched = clean().copy()
    scratched[200:202, 40:480] = 255  # a crease across the suit
    data, content = await run_tool(
        client, "restore-photo", ("old.png", png(scratched)), {"denoise": False}
    )
    out = pixels(content)
    assert data["data"]["scratchPixels"] > 400
    assert mse(out[200:202, 40:480], clean()[200:202, 40:480]) < 0.2 * mse(
        scratched[200:202, 40:480], clean()[200:202, 40:480]
    )

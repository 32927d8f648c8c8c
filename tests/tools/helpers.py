"""Running tools through the real API, and comparing images."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyvips

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
PHOTO = CORPUS / "images/exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg"  # 4608×1976
PNGSUITE = CORPUS / "images/pngsuite"
GOLDEN = Path(__file__).parent / "golden"


def corpus(relative: str) -> Path:
    path = CORPUS / relative
    assert path.is_file(), path
    return path


FileArg = Path | tuple[str, bytes] | tuple[str, bytes, str]


def _part(item: FileArg) -> tuple[Any, ...]:
    if isinstance(item, Path):
        return (item.name, io.BytesIO(item.read_bytes()))
    return (item[0], io.BytesIO(item[1]), *item[2:])


async def call_tool(
    client: httpx.AsyncClient,
    tool: str,
    files: list[FileArg] | FileArg | None = None,
    settings: dict[str, Any] | None = None,
    *,
    section: str = "image",
    extras: dict[str, FileArg] | None = None,
    expect: int = 200,
    **form: str,
) -> dict[str, Any]:
    """POST /tools/{section}/{tool}; returns the JSON body (asserting the status)."""
    items = files if isinstance(files, list) else ([files] if files is not None else [])
    parts: list[tuple[str, Any]] = [("file", _part(f)) for f in items]
    parts += [(name, _part(f)) for name, f in (extras or {}).items()]
    data = {"settings": json.dumps(settings or {}), **form}
    if parts:
        response = await client.post(f"/api/v1/tools/{section}/{tool}", files=parts, data=data)
    else:
        payload = {"settings": settings or {}, **form} if form else (settings or {})
        response = await client.post(f"/api/v1/tools/{section}/{tool}", json=payload)
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_tool(
    client: httpx.AsyncClient,
    tool: str,
    files: list[FileArg] | FileArg | None = None,
    settings: dict[str, Any] | None = None,
    **kwargs: Any,
) -> tuple[dict[str, Any], bytes]:
    """Run a tool and download its main result: (data of the answer, result bytes)."""
    body = await call_tool(client, tool, files, settings, **kwargs)
    data = body["data"]
    if data["download_url"] is None:
        return data, b""
    response = await client.get(data["download_url"])
    assert response.status_code == 200, response.text
    return data, response.content


def image(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


def pixels(img: pyvips.Image | bytes) -> np.ndarray[Any, Any]:
    if isinstance(img, bytes):
        img = image(img)
    if img.hasalpha():
        img = img.flatten(background=[255, 255, 255])
    img = img.colourspace("srgb").cast("uchar")
    return np.ndarray(
        buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands]
    )


def ssim(a: pyvips.Image | bytes, b: pyvips.Image | bytes) -> float:
    """Mean SSIM over 8×8 windows of the grey images (same size required)."""
    x, y = pixels(a).astype(np.float64).mean(axis=2), pixels(b).astype(np.float64).mean(axis=2)
    assert x.shape == y.shape, (x.shape, y.shape)
    h, w = (x.shape[0] // 8) * 8, (x.shape[1] // 8) * 8
    x = x[:h, :w].reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2)
    y = y[:h, :w].reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2)
    mx, my = x.mean(axis=(2, 3)), y.mean(axis=(2, 3))
    vx, vy = x.var(axis=(2, 3)), y.var(axis=(2, 3))
    cov = ((x - mx[..., None, None]) * (y - my[..., None, None])).mean(axis=(2, 3))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


def golden(name: str, data: bytes, *, min_ssim: float = 0.97) -> None:
    """Compare with tests/tools/golden/<name> (written on first run; commit it)."""
    path = GOLDEN / name
    if not path.exists():
        path.write_bytes(data)
    assert ssim(path.read_bytes(), data) >= min_ssim

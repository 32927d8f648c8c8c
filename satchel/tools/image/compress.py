"""Compress: re-encode at a quality, or find the best quality under a target size."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Literal

import pyvips
from pydantic import Field, model_validator

from satchel.codes import Code
from satchel.media import imaging
from satchel.media.formats import FORMAT_OF
from satchel.tools.base import (
    InputFile,
    Inputs,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

LOSSLESS_HINT = "Resize it first, or convert it to a lossy format (JPEG, WebP, AVIF)."


class Settings(ToolSettings):
    mode: Literal["quality", "targetSize"] = Field(
        "quality",
        description="`quality`: encode at `quality`; `targetSize`: the highest quality "
        "whose file fits in `targetSizeKb`.",
    )
    quality: int = Field(80, ge=1, le=100, description="Encoder quality (mode `quality`).")
    target_size_kb: float | None = Field(
        None,
        gt=0,
        le=1_048_576,
        description="Largest result in KB of 1024 bytes (mode `targetSize`).",
    )

    keep_smaller: bool = Field(
        True,
        description="Answer the original file when the result would not be smaller "
        "(`kept` in the answer says which); false: always the re-encoded result.",
    )

    @model_validator(mode="after")
    def _target_given(self) -> Settings:
        if self.mode == "targetSize" and self.target_size_kb is None:
            raise ValueError("mode targetSize needs targetSizeKb")
        return self


def load_all(inp: InputFile, ctx: ToolContext) -> pyvips.Image:
    """The decoded image, every frame of an animation (within the pixel budget); upright;
    decoded once into memory since it may be encoded several times."""
    animated = inp.media_type in ("image/gif", "image/webp")
    if animated and imaging.pages_of(imaging.header(inp.path, inp.media_type, name=inp.name)) > 1:
        return imaging.load_input(inp, all_frames=True, limits=ctx.limits).copy_memory()
    return imaging.load_input(inp).copy_memory()


def smallest_fit(
    encode: Callable[[int], bytes], target: int
) -> tuple[int, bytes] | tuple[None, bytes]:
    """Binary search for the highest quality (1–100) whose encoding is at most `target`
    bytes: (quality, bytes), or (None, the quality-1 bytes) when even that is too big."""
    lo, hi, best = 1, 100, None
    smallest = b""
    while lo <= hi:
        mid = (lo + hi) // 2
        data = encode(mid)
        if len(data) <= target:
            best, lo = (mid, data), mid + 1
        else:
            hi = mid - 1
            if mid == 1:
                smallest = data
    if best is None:
        return None, smallest or encode(1)
    return best


@tool("image", "compress", name="Compress", settings=Settings)
def compress(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Compress an image in its own format (JPEG, WebP, AVIF, HEIC, PNG as a palette, TIFF as
    JPEG, GIF with fewer colours) at a quality, or at the highest quality that fits a target
    size. Orientation is applied; metadata other than the colour profile is removed. When
    the result would not be smaller, the original is answered instead (`kept`)."""
    inp = inputs.first
    fmt = FORMAT_OF.get(inp.media_type, "png")
    image = load_all(inp, ctx)

    def encode(quality: int) -> bytes:
        fewer = max(1, min(8, round(quality * 8 / 100))) if fmt == "gif" else None  # colours
        return imaging.encode(image, fmt, quality=quality, keep="icc", bitdepth=fewer)

    if settings.mode == "quality":
        quality, data = settings.quality, encode(settings.quality)
    else:
        assert settings.target_size_kb is not None
        target = int(settings.target_size_kb * 1024)
        found, data = smallest_fit(encode, target)
        if found is None:
            raise ToolError(
                f"{inp.name} cannot be made {settings.target_size_kb:g} KB as {fmt}: at the "
                f"lowest quality it is {len(data) / 1024:.1f} KB. "
                + ("Resize it first." if fmt not in ("png", "gif") else LOSSLESS_HINT),
                code=Code.TOOL_TARGET_SIZE_UNREACHABLE,
            )
        quality = found
    original_size = inp.path.stat().st_size
    if settings.keep_smaller and len(data) >= original_size:
        # Re-encoding an already small file can make it bigger (a 184 B PNG became 2 KB).
        out = ctx.output(inp.name, inp.media_type)
        shutil.copyfile(inp.path, out.path)
        kept, fmt, size = "original", FORMAT_OF.get(inp.media_type, fmt), original_size
    else:
        out = imaging.output_bytes(ctx, inp.name, fmt, data)
        kept, size = "result", len(data)
    facts = {
        "format": fmt,
        "quality": quality,
        "original_size": original_size,
        "size": size,
        "kept": kept,
    }
    return ToolResult([out], data=facts)

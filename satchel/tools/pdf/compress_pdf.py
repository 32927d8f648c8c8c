"""Compress PDF: images re-encoded and shrunk, structure packed, at a quality or a size."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from satchel.codes import Code
from satchel.media import pdf_compress, pdf_structure
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

TARGET_STEPS = (75, 55, 40, 25, 12, 5)


class Settings(ToolSettings):
    mode: Literal["quality", "targetSize"] = Field(
        "quality", description="`quality`: one quality; `targetSize`: the best that fits."
    )
    quality: int = Field(50, ge=1, le=100, description="JPEG quality; also sets the DPI cap.")
    target_size_kb: int | None = Field(None, ge=1, le=10_485_760, description="The size, KiB.")

    @model_validator(mode="after")
    def _needs_target(self) -> Settings:
        if self.mode == "targetSize" and self.target_size_kb is None:
            raise ValueError("`targetSizeKb` is required when mode is `targetSize`")
        return self


@tool(
    "pdf",
    "compress-pdf",
    name="Compress PDF",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def compress_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a PDF smaller: its 8-bit colour and grey images re-encoded as JPEG at the
    quality given and shrunk to 50 + 2 × quality DPI of the page (quality 50: 150 DPI),
    text and vectors untouched, objects packed into streams. `targetSize` tries falling
    qualities until the file fits (`tool_target_size_unreachable` if none does)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-compressed.pdf", "application/pdf")
    if settings.mode == "quality":
        result = pdf_compress.compress(inp.path, out.path, inp.name, quality=settings.quality)
        quality = settings.quality
    else:
        target = (settings.target_size_kb or 0) * 1024
        for i, quality in enumerate(TARGET_STEPS):
            ctx.progress(100 * i // len(TARGET_STEPS), f"quality {quality}")
            result = pdf_compress.compress(inp.path, out.path, inp.name, quality=quality)
            if result.after <= target:
                break
        else:
            raise ToolError(
                f"The smallest this PDF gets is {result.after // 1024} KiB, over the "
                f"{settings.target_size_kb} KiB asked for.",
                code=Code.TOOL_TARGET_SIZE_UNREACHABLE,
            )
    return ToolResult(
        [out],
        data={"quality": quality, "images": result.images, "original_size": result.before,
              "size": result.after},
    )  # fmt: skip

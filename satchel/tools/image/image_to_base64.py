"""Image to Base64: the image's bytes as base64 text or a data URI, as data."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool
from satchel.units import size_text

MAX_BYTES = 16 * 1024 * 1024  # the answer is JSON: larger files belong in a download

MimeType = Literal["image/png", "image/jpeg", "image/webp", "image/avif", "image/gif"]
_FORMAT = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/gif": "gif",
}


class Settings(ToolSettings):
    format: Literal["data-uri", "plain"] = Field(
        "data-uri", description="`data-uri` (data:<type>;base64,…) or `plain` base64."
    )
    mime_type: MimeType | None = Field(
        None,
        description="Re-encode the image to this type first; default: the file's own "
        "bytes and type, untouched.",
    )
    quality: int | None = Field(
        None, ge=1, le=100, description="Encoder quality when re-encoding (mimeType)."
    )


@tool("image", "image-to-base64", name="Image to Base64", settings=Settings, pipeline=False)
def image_to_base64(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Encode an image as base64: a data URI (`data:image/png;base64,…`) or plain base64.
    The file's own bytes are encoded unless `mimeType` asks for another type, in which case
    the image is re-encoded first. Files above 16 MiB are refused (the answer is JSON)."""
    inp = inputs.first
    path, media_type = inp.path, inp.media_type
    if settings.mime_type is not None and settings.mime_type != inp.media_type:
        out = imaging.save_output(
            imaging.load_input(inp),
            ctx,
            inp.name,
            _FORMAT[settings.mime_type],
            quality=settings.quality,
        )
        path, media_type = out.path, settings.mime_type
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ToolError(
            f"The image is {size_text(size)}; base64 in a JSON answer is limited to "
            f"{size_text(MAX_BYTES)}. Re-encode it smaller (mimeType, quality) or download it "
            "instead.",
            code=Code.TOOL_INPUT_TOO_LARGE,
        )
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    text = f"data:{media_type};base64,{encoded}" if settings.format == "data-uri" else encoded
    key = "dataUri" if settings.format == "data-uri" else "base64"
    data = {"format": settings.format, "mimeType": media_type, "size": size, key: text}
    data["length"] = len(text)
    return ToolResult(data=data)

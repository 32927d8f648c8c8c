"""Barcode reader: every QR, EAN/UPC, Code 128, Data Matrix … code found in an image."""

from __future__ import annotations

import numpy as np

from satchel.media import imaging
from satchel.tools.base import Inputs, NoSettings, ToolContext, ToolResult, tool

MAX_EDGE = 4096  # larger photos are scanned at this size (codes in them stay readable)


@tool("image", "barcode-read", name="Barcode Reader", settings=NoSettings, pipeline=False)
def barcode_read(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Find and decode every barcode in an image: QR (and Micro QR), Data Matrix, Aztec,
    PDF417, EAN-13/8, UPC-A/E, Code 128/39/93, ITF, Codabar, DataBar… Each code comes with
    its format, text and position (corner points, in the image's pixels after EXIF
    orientation). An image without codes answers an empty list."""
    import zxingcpp

    image = imaging.to_srgb8(imaging.flatten(imaging.load_input(inputs.first)))
    scale = 1.0
    if max(image.width, image.height) > MAX_EDGE:
        scale = MAX_EDGE / max(image.width, image.height)
        image = image.resize(scale)
    grey = image.colourspace("b-w")[0] if image.bands >= 3 else image[0]
    pixels = np.ndarray(
        buffer=grey.write_to_memory(), dtype=np.uint8, shape=(grey.height, grey.width)
    )
    found = zxingcpp.read_barcodes(pixels)
    codes = []
    for code in found:
        pos = code.position
        corners = [pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left]
        points = [{"x": round(p.x / scale), "y": round(p.y / scale)} for p in corners]
        xs, ys = [p["x"] for p in points], [p["y"] for p in points]
        codes.append(
            {
                "format": str(code.format),
                "text": code.text,
                "bytes": code.bytes.hex() if code.content_type.name == "Binary" else None,
                "contentType": code.content_type.name,
                "symbologyIdentifier": code.symbology_identifier,
                "ecLevel": code.ec_level or None,
                "orientation": int(code.orientation),
                "position": {
                    "topLeft": points[0],
                    "topRight": points[1],
                    "bottomRight": points[2],
                    "bottomLeft": points[3],
                },
                "bounds": {
                    "left": min(xs),
                    "top": min(ys),
                    "width": max(xs) - min(xs),
                    "height": max(ys) - min(ys),
                },
            }
        )
    return ToolResult(data={"count": len(codes), "codes": codes})

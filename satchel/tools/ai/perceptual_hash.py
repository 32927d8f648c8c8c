"""Perceptual hash: 64-bit pHash and dHash of an image, for near-duplicate search."""

from __future__ import annotations

from PIL import Image

from satchel.media import imaging
from satchel.tools.base import Inputs, NoSettings, ToolContext, ToolResult, tool

HASH_INPUT = 256  # hashed from a thumbnail this big: both hashes shrink far below it anyway


@tool(
    "image",
    "perceptual-hash",
    name="Perceptual Hash",
    settings=NoSettings,
    produces=(),
    pipeline=False,
)
def run(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """The image's 64-bit perceptual hashes (pHash and dHash, hexadecimal, EXIF orientation
    applied, from a 256-pixel thumbnail). Resized or recompressed copies hash alike;
    the Hamming distance between two hashes (0–64) says how alike two images look."""
    import imagehash

    inp = inputs.first
    small = imaging.thumbnail(inp.path, inp.media_type, HASH_INPUT, name=inp.name)
    small = imaging.to_srgb8(imaging.flatten(small))
    if small.bands == 1:
        small = small.colourspace("srgb")
    small = small[:3]
    pil = Image.frombytes("RGB", (small.width, small.height), small.write_to_memory())
    return ToolResult(data={"phash": str(imagehash.phash(pil)), "dhash": str(imagehash.dhash(pil))})

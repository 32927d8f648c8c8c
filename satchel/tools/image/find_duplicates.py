"""Find duplicates: groups of visually alike images by perceptual hash distance."""

from __future__ import annotations

from typing import Any, Literal

import pyvips
from pydantic import Field

from satchel.errors import SatchelError
from satchel.media import imaging
from satchel.tools.base import (
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

HASH_INPUT = 256  # images are hashed from a thumbnail this big (shrink-on-load: fast)


class Settings(ToolSettings):
    threshold: int = Field(
        8,
        ge=0,
        le=64,
        description="Largest perceptual-hash distance (differing bits of 64) still counted "
        "as a duplicate; 0 = visually identical only.",
    )
    algorithm: Literal["phash", "dhash"] = Field(
        "phash", description="`phash` (DCT, robust to re-encoding) or `dhash` (gradients)."
    )


def _pil(inp: InputFile) -> Any:
    from PIL import Image

    small = imaging.thumbnail(inp.path, inp.media_type, HASH_INPUT, enlarge=True, name=inp.name)
    small = imaging.to_srgb8(imaging.flatten(small))
    if small.bands == 1:
        small = small.colourspace("srgb")
    small = small[:3]
    return Image.frombytes("RGB", (small.width, small.height), small.write_to_memory())


@tool(
    "image",
    "find-duplicates",
    name="Find Duplicates",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=64),
    pipeline=False,
)
def find_duplicates(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Group 2–64 images that look the same: each image gets a 64-bit perceptual hash
    (pHash or dHash, EXIF orientation applied) and images whose hashes differ by at most
    `threshold` bits join one group (transitively). Returns the groups with each member's
    distance to the group's first image, the images without duplicates, every hash, and the
    files that could not be read."""
    import imagehash

    hasher = imagehash.phash if settings.algorithm == "phash" else imagehash.dhash
    hashes: dict[int, Any] = {}
    failed = []
    files = inputs.files
    for i, inp in enumerate(files):
        try:
            hashes[i] = hasher(_pil(inp))
        except (SatchelError, pyvips.Error, OSError, ValueError) as exc:
            failed.append({"index": i, "name": inp.name, "error": str(exc).strip()[:200]})
        ctx.progress(int((i + 1) * 90 / len(files)))
    parent = {i: i for i in hashes}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    indexes = sorted(hashes)
    for n, i in enumerate(indexes):
        for j in indexes[n + 1 :]:
            if hashes[i] - hashes[j] <= settings.threshold:
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in indexes:
        members.setdefault(root(i), []).append(i)
    groups = []
    unique = []
    for group in sorted(members.values()):
        if len(group) == 1:
            unique.append({"index": group[0], "name": files[group[0]].name})
            continue
        first = group[0]
        groups.append(
            {
                "files": [
                    {
                        "index": i,
                        "name": files[i].name,
                        "distance": int(hashes[i] - hashes[first]),
                    }
                    for i in group
                ]
            }
        )
    data = {
        "algorithm": settings.algorithm,
        "threshold": settings.threshold,
        "total": len(files),
        "duplicateGroups": len(groups),
        "groups": groups,
        "unique": unique,
        "hashes": [{"index": i, "name": files[i].name, "hash": str(hashes[i])} for i in indexes],
        "failed": failed,
    }
    return ToolResult(data=data)

"""Extract ZIP: the files of an archive, within the bomb budgets and refusing unsafe names."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from satchel.media import archives
from satchel.media.types import EXTENSIONS
from satchel.tools.base import (
    Inputs,
    InputSpec,
    NoSettings,
    OutputFile,
    ToolContext,
    ToolResult,
    tool,
)


def guess_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    known = EXTENSIONS.get(suffix) or mimetypes.guess_type(name)[0]
    return known or "application/octet-stream"


@tool(
    "files",
    "extract-zip",
    name="Extract ZIP",
    inputs=InputSpec(accepts=("application/zip",)),
    produces=("*",),
    pipeline=False,
)
def extract_zip(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Unpack a ZIP, refusing (`archive_unsafe`) absolute paths, `..`, symbolic links,
    device files, over 1000 entries, over 256 MiB in one entry or 1 GiB in all (sizes
    counted while inflating, not taken from the headers) and compression over 100:1.
    Archives inside are returned as files, never opened (no nesting)."""
    inp = inputs.first
    staging = ctx.workdir / ".extract"
    staging.mkdir(exist_ok=True)
    outputs: list[OutputFile] = []
    listing = []
    for member, path in archives.extract(inp.path, inp.name, staging):
        name = PurePosixPath(member.path).name
        out = ctx.output(name, guess_type(name))
        path.rename(out.path)
        outputs.append(out)
        listing.append({"path": member.path, "name": out.name, "size": member.size})
    return ToolResult(outputs, data={"entries": listing})

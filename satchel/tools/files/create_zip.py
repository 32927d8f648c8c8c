"""Create ZIP: 2–50 files in one deflated archive."""

from __future__ import annotations

from satchel.media import archives
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "files",
    "create-zip",
    name="Create ZIP",
    inputs=InputSpec(min_files=2, max_files=50, accepts=("*",)),
    produces=("application/zip",),
)
def create_zip(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Pack 2–50 files of any type into one ZIP (deflated); files with the same name are
    numbered (`a.txt`, `a-2.txt`) rather than overwritten."""
    names: dict[str, int] = {}
    members = []
    for inp in inputs.files:
        name = inp.name
        if name in names:
            names[name] += 1
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}-{names[inp.name]}.{ext}" if dot else f"{name}-{names[inp.name]}"
        names.setdefault(name, 1)
        members.append((name, inp.path))
    out = ctx.output("archive.zip", "application/zip")
    archives.create(members, out.path)
    return ToolResult([out], data={"files": [m[0] for m in members]})

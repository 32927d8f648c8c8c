"""Bulk rename: the same bytes under names made from a pattern."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime

from pydantic import Field, field_validator

from satchel.media import image_metadata
from satchel.media.errors import MetadataError
from satchel.tools.base import (
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
KNOWN = frozenset({"n", "date", "original"})


class Settings(ToolSettings):
    pattern: str = Field(
        "{original}-{n}",
        min_length=1,
        max_length=180,
        description="The new name without extension: {n} the number, {date} the date taken "
        "(EXIF, else today, YYYY-MM-DD), {original} the old name without extension.",
    )
    start_index: int = Field(1, ge=0, le=1_000_000_000, description="The first {n}.")
    padding: int = Field(3, ge=1, le=12, description="Digits of {n}, zero-padded.")

    @field_validator("pattern")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        unknown = set(PLACEHOLDER.findall(value)) - KNOWN
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}}; use {{n}}, {{date}} or {{original}}"
            )
        if "/" in value or "\\" in value or PLACEHOLDER.sub("", value).count("{"):
            raise ValueError("a name cannot hold / or \\ or a lone brace")
        return value


def date_taken(inp: InputFile) -> str:
    """YYYY-MM-DD from EXIF DateTimeOriginal (or DateTime), else today (UTC)."""
    try:
        exif = image_metadata.read(inp.path, inp.name)["exif"]
    except MetadataError:  # not readable for metadata (SVG): no date taken
        exif = {}
    for field in ("DateTimeOriginal", "DateTime"):
        match = re.match(r"(\d{4}):(\d{2}):(\d{2})", str(exif.get(field, "")))
        if match and match.group(1) != "0000":
            return "-".join(match.groups())
    return datetime.now(UTC).strftime("%Y-%m-%d")


def new_name(inp: InputFile, number: int, s: Settings) -> str:
    values = {
        "n": str(number).zfill(s.padding),
        "original": inp.stem,
        "date": date_taken(inp) if "{date}" in s.pattern else "",
    }
    stem = PLACEHOLDER.sub(lambda m: values[m.group(1)], s.pattern)
    suffix = inp.name.rsplit(".", 1)[1] if "." in inp.name else ""
    return f"{stem}.{suffix}" if suffix else stem


@tool(
    "image",
    "bulk-rename",
    name="Bulk Rename",
    settings=Settings,
    inputs=InputSpec(min_files=1, max_files=64),
    produces=("image/*", "application/zip"),
)
def bulk_rename(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Rename files by a pattern with {n} (numbered from startIndex, zero-padded to
    padding digits), {date} (date taken) and {original}; the bytes are not changed. Several
    files come back as a ZIP; names that would clash get a -2, -3 suffix."""
    outputs, renamed = [], []
    for i, inp in enumerate(inputs.files):
        out = ctx.output(new_name(inp, settings.start_index + i, settings), inp.media_type)
        shutil.copyfile(inp.path, out.path)
        outputs.append(out)
        renamed.append({"from": inp.name, "to": out.name})
        ctx.progress(100 * (i + 1) // len(inputs.files))
    return ToolResult(outputs, data={"renamed": renamed})

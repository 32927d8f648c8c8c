"""Tool inputs, limits and results as JSON, for sandbox messages and queued job params."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from satchel.tools.base import InputFile, Inputs, OutputFile, ToolLimits, ToolResult


def file_to_wire(f: InputFile | OutputFile) -> list[str]:
    return [str(f.path), f.name, f.media_type]


def file_from_wire(row: list[str]) -> InputFile:
    return InputFile(Path(row[0]), row[1], row[2])


def inputs_to_wire(inputs: Inputs) -> tuple[list[list[str]], dict[str, list[str]]]:
    return [file_to_wire(f) for f in inputs.files], {
        k: file_to_wire(f) for k, f in inputs.extras.items()
    }


def inputs_from_wire(files: list[list[str]], extras: Mapping[str, list[str]]) -> Inputs:
    return Inputs(
        tuple(file_from_wire(r) for r in files), {k: file_from_wire(v) for k, v in extras.items()}
    )


def limits_to_wire(limits: ToolLimits) -> dict[str, Any]:
    return asdict(limits)


def limits_from_wire(values: Mapping[str, Any]) -> ToolLimits:
    return ToolLimits(**values)


def result_to_wire(result: ToolResult) -> dict[str, Any]:
    return {"files": [file_to_wire(f) for f in result.files], "data": result.data}


def result_from_wire(values: Mapping[str, Any]) -> ToolResult:
    files = [OutputFile(Path(p), name, media_type) for p, name, media_type in values["files"]]
    return ToolResult(files, values.get("data"))

"""What a sandbox process can be asked to do: run a tool, an action or a pipeline, render
an image, make a preview. Runs inside the sandbox only: no database, no blobs, no HTTP.

Each operation takes the JSON arguments and the byte payload of one message and returns
the JSON result and a byte payload. Errors are `SatchelError`s with stable codes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from satchel.errors import Invalid
from satchel.runs.wire import inputs_from_wire, limits_from_wire, result_to_wire
from satchel.tools import registry, runner
from satchel.tools.base import InputFile, Inputs, ToolError

Report = Callable[[int, str | None], None]
Op = Callable[[dict[str, Any], bytes, Report], tuple[dict[str, Any], bytes]]


def run(args: dict[str, Any], _payload: bytes, report: Report) -> tuple[dict[str, Any], bytes]:
    """A tool (or one of its actions) or a pipeline, on files already in the workspace."""
    load_modules(args.get("modules") or ())
    inputs = inputs_from_wire(args["inputs"], args.get("extras") or {})
    workdir = Path(args["workdir"])
    limits = limits_from_wire(args.get("limits") or {})
    if args.get("steps") is not None:
        steps = runner.plan_pipeline(args["steps"], max_steps=0)
        result = runner.run_pipeline(
            steps, inputs.first, workdir=workdir, limits=limits, report=report
        )
    else:
        tool = registry.get(args["tool"])
        if args.get("action"):
            tool = runner.action_tool(tool, args["action"])
        settings = runner.parse_settings(tool, args.get("settings") or {})
        result = runner.run(
            tool,
            Inputs(inputs.files, inputs.extras),
            settings,
            workdir=workdir,
            limits=limits,
            report=report,
        )
    return result_to_wire(result), b""


def render(args: dict[str, Any], payload: bytes, _report: Report) -> tuple[dict[str, Any], bytes]:
    """A rendition: the source's bytes fitted into a box and encoded (see `renditions`)."""
    import pyvips

    from satchel.tools.image._common import flatten, to_srgb8
    from satchel.tools.image.resize import fit_image

    fmt, quality = args["format"], int(args["quality"])
    try:
        image = to_srgb8(fit_image(payload, int(args["width"]), int(args["height"]), args["fit"]))
        if fmt == "jpg":
            data = flatten(image).jpegsave_buffer(Q=quality, keep="none", optimize_coding=True)
        elif fmt == "webp":
            data = image.webpsave_buffer(Q=quality, keep="none", effort=2)
        elif fmt == "avif":
            data = image.heifsave_buffer(Q=quality, keep="none", compression="av1", effort=2)
        else:
            data = image.pngsave_buffer(keep="none", compression=6)
    except pyvips.Error as exc:
        raise ToolError("The image could not be rendered.", code="render_failed") from exc
    return {"width": image.width, "height": image.height}, data


def preview(args: dict[str, Any], _payload: bytes, _report: Report) -> tuple[dict[str, Any], bytes]:
    """A browser-friendly WebP of an image file (HEIC, TIFF, …), at most 2048 px."""
    from satchel.tools.image._common import load, to_srgb8

    inp = InputFile(Path(args["path"]), args["name"], args["media_type"])
    image = to_srgb8(load(inp).thumbnail_image(2048, height=2048, size="down"))
    try:
        data: bytes = image.webpsave_buffer(Q=82, keep="none", effort=2)
    except Exception as exc:
        raise ToolError(f"{inp.name} could not be previewed.") from exc
    return {}, data


def avatar(args: dict[str, Any], _payload: bytes, _report: Report) -> tuple[dict[str, Any], bytes]:
    """A square WebP avatar cropped from an uploaded image."""
    import pyvips

    size = int(args["size"])
    image = pyvips.Image.thumbnail(args["path"], size, height=size, crop="centre")
    data: bytes = image.webpsave_buffer(Q=85, keep="none")
    return {}, data


OPS: dict[str, Op] = {"run": run, "render": render, "preview": preview, "avatar": avatar}
_loaded: set[str] = set()


def load_modules(names: Any) -> None:
    """Tools from modules named in the configuration (`SATCHEL_TOOL_MODULES`), added to
    the ones registered through entry points."""
    for name in names:
        if name not in _loaded:
            registry.add_module(importlib.import_module(name))
            _loaded.add(name)


def warm() -> None:
    """Import the catalog and its engines before the first request needs them."""
    registry.tools()


def dispatch(
    header: dict[str, Any], payload: bytes, report: Report
) -> tuple[dict[str, Any], bytes]:
    op = OPS.get(str(header.get("op")))
    if op is None:
        raise Invalid(f"No sandbox operation {header.get('op')!r}.", code="tool_failed")
    return op(header.get("args") or {}, payload, report)

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

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media.errors import MediaError
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

    from satchel.media import imaging

    fmt, quality = args["format"], int(args["quality"])
    try:
        image = imaging.to_srgb8(
            imaging.fit(payload, int(args["width"]), int(args["height"]), args["fit"])
        )
        # Fast encoder efforts (a rendition is made on request); PNG stays lossless.
        data = imaging.encode(
            image,
            fmt,
            quality=None if fmt == "png" else quality,
            strip=True,
            effort={"webp": 2, "avif": 2, "png": 6}.get(fmt),
        )
    except (MediaError, pyvips.Error) as exc:
        raise ToolError("The image could not be rendered.", code=Code.RENDER_FAILED) from exc
    return {"width": image.width, "height": image.height}, data


def preview(args: dict[str, Any], _payload: bytes, _report: Report) -> tuple[dict[str, Any], bytes]:
    """A browser-friendly WebP of an image file (HEIC, TIFF, …), at most 2048 px."""
    from satchel.media import imaging

    inp = InputFile(Path(args["path"]), args["name"], args["media_type"])
    image = imaging.load_input(inp).thumbnail_image(2048, height=2048, size="down")
    try:
        data = imaging.encode(imaging.to_srgb8(image), "webp", quality=82, strip=True, effort=2)
    except MediaError as exc:
        raise ToolError(f"{inp.name} could not be previewed.") from exc
    return {}, data


def avatar(args: dict[str, Any], _payload: bytes, _report: Report) -> tuple[dict[str, Any], bytes]:
    """A square WebP avatar cropped from an uploaded image."""
    from satchel.media import imaging

    size = int(args["size"])
    image = imaging.fit(Path(args["path"]), size, size, "cover", media_type=args["media_type"])
    return {}, imaging.encode(image, "webp", quality=85, strip=True)


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
        raise Invalid(f"No sandbox operation {header.get('op')!r}.", code=Code.TOOL_FAILED)
    return op(header.get("args") or {}, payload, report)

"""Checking and running tools: settings, inputs, pipelines. Still no HTTP and no database."""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from satchel.codes import Code
from satchel.errors import Invalid, NotFound, SatchelError, Unavailable
from satchel.tools import registry
from satchel.tools.base import (
    InputFile,
    Inputs,
    Tool,
    ToolContext,
    ToolError,
    ToolLimits,
    ToolResult,
    ToolSettings,
    matches,
)

# How libvips, Pillow and C++ engines say that an allocation failed.
OUT_OF_MEMORY_WORDS = ("out of memory", "memory allocation", "cannot allocate", "bad_alloc")
# Keys the API reads off `settings` itself rather than passing to the tool.
RESERVED_SETTINGS = frozenset({"fileId", "file_id"})


def validation_fields(exc: ValidationError, prefix: str = "settings") -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join([prefix, *(str(p) for p in e["loc"])]),
            "message": e["msg"],
            "code": e["type"],
        }
        for e in exc.errors()
    ]


def parse_settings(
    tool: Tool[Any], raw: dict[str, Any], *, prefix: str = "settings"
) -> ToolSettings:
    """The tool's settings model from JSON, or `422 validation_error` naming each field."""
    if not isinstance(raw, dict):
        raise Invalid(
            "`settings` must be a JSON object.",
            fields=[{"field": prefix, "message": "not an object"}],
        )
    clean = {k: v for k, v in raw.items() if k not in RESERVED_SETTINGS}
    try:
        parsed: ToolSettings = tool.settings.model_validate(clean)
        return parsed
    except ValidationError as exc:
        raise Invalid(
            f"The settings of {tool.id} are not valid.", fields=validation_fields(exc, prefix)
        ) from exc


def check_available(tool: Tool[Any]) -> None:
    why = tool.unavailable()
    if why:
        raise Unavailable(
            f"The tool {tool.id} is not available here: {why}", code=Code.TOOL_UNAVAILABLE
        )


def check_inputs(tool: Tool[Any], inputs: Inputs) -> None:
    spec = tool.inputs
    count = len(inputs.files)
    if count < spec.min_files:
        need = "a file" if spec.min_files == 1 else f"at least {spec.min_files} files"
        raise Invalid(f"{tool.id} needs {need}.", code=Code.TOOL_INPUT_MISSING)
    if spec.max_files is not None and count > spec.max_files:
        most = "one file" if spec.max_files == 1 else f"at most {spec.max_files} files"
        raise Invalid(f"{tool.id} takes {most}.", code=Code.TOOL_TOO_MANY_INPUTS)
    for inp in inputs.files:
        if not spec.accepts_type(inp.media_type):
            raise Invalid(
                f"{tool.id} does not take {inp.media_type} ({inp.name}); it takes "
                f"{', '.join(spec.accepts)}.",
                code=Code.TOOL_INPUT_TYPE_NOT_SUPPORTED,
            )
    names = {extra.name: extra for extra in spec.extras}
    for name in inputs.extras:
        if name not in names:
            raise Invalid(f"{tool.id} has no file part {name!r}.", code=Code.TOOL_INPUT_UNEXPECTED)
    for extra in spec.extras:
        part = inputs.extras.get(extra.name)
        if part is None:
            if extra.required:
                raise Invalid(
                    f"{tool.id} needs a file part {extra.name!r}.", code=Code.TOOL_INPUT_MISSING
                )
        elif not matches(part.media_type, extra.accepts):
            raise Invalid(
                f"The {extra.name!r} part of {tool.id} cannot be {part.media_type}.",
                code=Code.TOOL_INPUT_TYPE_NOT_SUPPORTED,
            )


def action_tool(tool: Tool[Any], name: str) -> Tool[Any]:
    """A tool's sub-route as a tool of its own (checked and run like one)."""
    found = tool.actions.get(name)
    if found is None:
        raise NotFound(f"{tool.id} has no sub-route {name!r}.", code=Code.TOOL_ACTION_NOT_FOUND)
    return Tool(
        section=tool.section,
        id=f"{tool.id}/{name}",
        name=tool.name,
        description=found.description,
        settings=found.settings,
        run=found.run,
        inputs=tool.inputs,
        memory_limit=tool.memory_limit,
    )


def run(
    tool: Tool[Any],
    inputs: Inputs,
    settings: ToolSettings,
    *,
    workdir: Path,
    limits: ToolLimits,
    report: Callable[[int, str | None], None] | None = None,
) -> ToolResult:
    """Run one tool into `workdir`; errors come out as SatchelErrors with stable codes."""
    check_available(tool)
    check_inputs(tool, inputs)
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = ToolContext(workdir=workdir, limits=limits)
    if report is not None:
        ctx.report = report
    try:
        result = tool.run(inputs, settings, ctx)
    except SatchelError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a decoder's or encoder's complaint about this input
        if any(word in str(exc).lower() for word in OUT_OF_MEMORY_WORDS):
            raise ToolError(
                f"{tool.id} needed more memory for this input than a run may use.",
                code=Code.TOOL_OUT_OF_MEMORY,
            ) from exc
        raise ToolError(f"{tool.id} failed on this input: {_short(exc)}") from exc
    if not result.files and result.data is None:
        raise ToolError(f"{tool.id} produced nothing.")
    return result


def _short(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[-1] if lines else type(exc).__name__)[:300]


# Pipelines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    tool: Tool[Any]
    settings: ToolSettings


def _overlap(produced: tuple[str, ...], accepted: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatchcase(p, a) or fnmatch.fnmatchcase(a, p) for p in produced for a in accepted
    )


def plan_pipeline(
    raw_steps: Any, *, max_steps: int, disabled: frozenset[str] = frozenset()
) -> list[Step]:
    """Validate a whole pipeline before anything runs: every step's tool, settings, and
    that each step's output is something the next step takes."""
    if not isinstance(raw_steps, list) or not raw_steps:
        raise Invalid(
            "A pipeline needs a non-empty list of steps.",
            code=Code.PIPELINE_INVALID,
            fields=[{"field": "steps", "message": "must be a non-empty list"}],
        )
    if max_steps and len(raw_steps) > max_steps:
        raise Invalid(
            f"A pipeline may have at most {max_steps} steps.",
            code=Code.PIPELINE_TOO_LONG,
            fields=[{"field": "steps", "message": f"more than {max_steps} steps"}],
        )
    steps: list[Step] = []
    errors: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_steps):
        where = f"steps.{i}"
        if not isinstance(raw, dict):
            errors.append({"field": where, "message": "a step is an object {toolId, settings}"})
            continue
        tool_id = raw.get("toolId", raw.get("tool_id"))
        found = registry.tools().get(tool_id) if isinstance(tool_id, str) else None
        if found is None or tool_id in disabled:
            errors.append({"field": f"{where}.toolId", "message": f"no tool {tool_id!r}"})
            continue
        if not found.pipeline:
            errors.append(
                {"field": f"{where}.toolId", "message": f"{tool_id} cannot be a pipeline step"}
            )
            continue
        try:
            settings = parse_settings(found, raw.get("settings") or {}, prefix=f"{where}.settings")
        except Invalid as exc:
            errors += exc.fields
            continue
        if steps and not _overlap(steps[-1].tool.produces, found.inputs.accepts):
            errors.append(
                {
                    "field": f"{where}.toolId",
                    "message": f"{tool_id} cannot take what {steps[-1].tool.id} produces",
                }
            )
        steps.append(Step(found, settings))
    if errors:
        raise Invalid(
            "The pipeline is not valid; nothing was run.", code=Code.PIPELINE_INVALID, fields=errors
        )
    return steps


def run_pipeline(
    steps: list[Step],
    first: InputFile,
    *,
    workdir: Path,
    limits: ToolLimits,
    report: Callable[[int, str | None], None] | None = None,
) -> ToolResult:
    """Run the steps in order, each on the previous step's output, into `workdir`."""
    current = first
    result = ToolResult()
    for i, step in enumerate(steps):
        stage = workdir / f".step-{i + 1}"

        def step_report(percent: int, message: str | None, i: int = i) -> None:
            if report is not None:
                report(int((i + percent / 100) * 100 / len(steps)), message)

        try:
            result = run(
                step.tool,
                Inputs((current,)),
                step.settings,
                workdir=stage,
                limits=limits,
                report=step_report,
            )
        except SatchelError as exc:
            exc.message = f"Step {i + 1} ({step.tool.id}): {exc.message}"
            raise
        if len(result.files) != 1:
            raise ToolError(
                f"Step {i + 1} ({step.tool.id}) made {len(result.files)} files; "
                "a pipeline step must make exactly one.",
                code=Code.PIPELINE_STEP_OUTPUT,
            )
        out = result.files[0]
        current = InputFile(out.path, out.name, out.media_type)
        step_report(100, f"step {i + 1} of {len(steps)} done")
    final = result.files[0]
    target = workdir / final.name
    shutil.move(str(final.path), target)
    for i in range(len(steps)):
        shutil.rmtree(workdir / f".step-{i + 1}", ignore_errors=True)
    return ToolResult([type(final)(target, final.name, final.media_type)], result.data)

"""Remote commands for tools and pipelines: `tools ls`, `tools run`, `pipeline run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from satchel_client import SatchelError, ToolResult
from satchel_client.cli.app import REMOTE, app, console
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import JsonOpt, client, dump, parse_value, remote, say
from satchel_client.cli.units import human_size

tools_app = typer.Typer(help="Tools: convert and transform files on the server.")
app.add_typer(tools_app, name="tools", rich_help_panel=REMOTE)
pipeline_app = typer.Typer(help="Pipelines: several tool steps on one file.")
app.add_typer(pipeline_app, name="pipeline", rich_help_panel=REMOTE)


def _settings(pairs: list[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SatchelError(f"--set takes key=value, not {pair!r}.", code=Code.BAD_SETTING)
        settings[key.strip()] = parse_value(value)
    return settings


def _report(result: ToolResult, output: Path | None, as_json: bool) -> None:
    if as_json:
        dump({**result.raw, "saved_to": str(output) if output else None})
        return
    if output is not None:
        say(f"Saved {output} ({human_size(output.stat().st_size)}; job {result.job_id}).")
    elif result.is_async:
        say(f"Started job {result.job_id}; follow it with the SDK's jobs.wait.")
    else:
        say(f"Done (job {result.job_id}): {result.download_url}")


@tools_app.command("ls")
@remote
def tools_ls(as_json: JsonOpt = False) -> None:
    """The tool catalog."""
    with client() as sdk:
        tools = sdk.tools.list()
    if as_json:
        dump([t.raw for t in tools])
        return
    table = Table("tool", "name", "description")
    for t in tools:
        name = t.name or t.id
        table.add_row(
            f"{t.section}/{t.id}",
            name if t.available else f"{name} (unavailable)",
            t.description or "",
        )
    console.print(table)


def _setting_rows(schema: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(name, type, range or choices, default) of each setting in a tool's JSON schema."""
    defs = schema.get("$defs", {})
    rows = []
    for name, spec in (schema.get("properties") or {}).items():
        if "$ref" in spec:
            spec = {**defs.get(spec["$ref"].rsplit("/", 1)[-1], {}), **spec}
        options = spec.get("anyOf") or [spec]
        kinds = [o.get("type") or ("enum" if "enum" in o else "object") for o in options]
        bounds = []
        for o in options:
            if "enum" in o:
                bounds.append(" | ".join(str(v) for v in o["enum"]))
            low = o.get("minimum", o.get("exclusiveMinimum"))
            high = o.get("maximum", o.get("exclusiveMaximum"))
            if low is not None or high is not None:
                bounds.append(f"{'' if low is None else low}..{'' if high is None else high}")
        default = json.dumps(spec["default"]) if "default" in spec else "(required)"
        rows.append((name, " or ".join(k for k in kinds if k), ", ".join(bounds), default))
    return rows


@tools_app.command("show")
@remote
def tools_show(
    tool: Annotated[str, typer.Argument(help="SECTION/TOOL, e.g. image/resize")],
    as_json: JsonOpt = False,
) -> None:
    """A tool's settings: type, range or choices, default; and what it takes."""
    with client() as sdk:
        found = sdk.tools.get(tool)
    if as_json:
        dump(found.raw)
        return
    say(f"{found.section}/{found.id}: {found.name}\n{found.description or ''}".rstrip())
    table = Table("setting", "type", "range / choices", "default")
    for row in _setting_rows(found.raw.get("settings_schema") or {}):
        table.add_row(*row)
    console.print(table)


@tools_app.command("run")
@remote
def tools_run(
    tool: Annotated[str, typer.Argument(help="SECTION/TOOL, e.g. image/resize")],
    files: Annotated[list[Path], typer.Argument(help="Input files", exists=True, dir_okay=False)],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="key=value (JSON values parse), repeatable")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Save the result")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a tool on files; with -o, wait for it and save the result."""
    with client() as sdk:
        result = sdk.tools.run(tool, list(files), _settings(set_ or []), output=output)
    _report(result, output, as_json)


@pipeline_app.command("run")
@remote
def pipeline_run(
    pipeline: Annotated[
        Path,
        typer.Argument(
            help="FILE.json: {steps: [{toolId, settings}]}", exists=True, dir_okay=False
        ),
    ],
    file: Annotated[Path, typer.Argument(help="The input file", exists=True, dir_okay=False)],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Save the result")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a pipeline (steps from a JSON file) on a file."""
    try:
        spec = json.loads(pipeline.read_text())
    except (OSError, ValueError) as exc:
        raise SatchelError(
            f"{pipeline} is not readable JSON: {exc}", code=Code.BAD_PIPELINE
        ) from exc
    steps = spec.get("steps") if isinstance(spec, dict) else spec
    if not isinstance(steps, list) or not steps:
        raise SatchelError(f"{pipeline} has no steps.", code=Code.BAD_PIPELINE)
    with client() as sdk:
        result = sdk.pipelines.run(file, steps, output=output)
    _report(result, output, as_json)

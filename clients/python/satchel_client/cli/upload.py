"""`satchel upload`: files, folders and globs (or a picker), with progress bars, resume of
interrupted uploads, and `--space` to publish what was uploaded."""

from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from satchel_client import Client, SatchelError, Space, Uploaded
from satchel_client.cli.app import REMOTE, app, err_console
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import JsonOpt, client, dump, human_size, remote, resume_store, say

GLOB_CHARS = set("*?[")


def expand(args: list[str]) -> list[Path]:
    """Files named, found under folders (hidden ones skipped), or matched by globs."""
    found: dict[Path, None] = {}
    for arg in args:
        path = Path(arg).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in rel.parts):
                    found[child] = None
        elif path.is_file():
            found[path] = None
        elif GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(str(path), recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise SatchelError(f"Nothing matches {arg!r}.", code=Code.NO_FILES)
            found.update(dict.fromkeys(files))
        else:
            raise SatchelError(f"No such file or folder: {arg}", code=Code.FILE_NOT_FOUND)
    return list(found)


def folders_of(args: list[str]) -> dict[Path, str]:
    """The folder each file found under a folder argument keeps on the server: `album/`
    sends `album/sub/a.jpg` into `/album/sub` (files named or globbed go to the top)."""
    kept: dict[Path, str] = {}
    for arg in args:
        path = Path(arg).expanduser()
        if not path.is_dir():
            continue
        top = path.resolve().name
        for child in path.rglob("*"):
            if child.is_file():
                parts = [top, *child.relative_to(path).parent.parts]
                kept.setdefault(child, "/" + "/".join(p for p in parts if p))
    return kept


def _choices(text: str, count: int) -> list[int]:
    text = text.strip().lower()
    if text in ("a", "all", "*"):
        return list(range(count))
    picked: list[int] = []
    for part in text.replace(",", " ").split():
        first, _, last = part.partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError as exc:
            raise SatchelError(f"Not a file number: {part!r}.", code=Code.BAD_CHOICE) from exc
        if not 1 <= lo <= hi <= count:
            raise SatchelError(f"Choose numbers from 1 to {count}.", code=Code.BAD_CHOICE)
        picked.extend(range(lo - 1, hi))
    return list(dict.fromkeys(picked))


def pick(folder: Path) -> list[Path]:
    """The interactive picker: number the files here, read which ones to send."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise SatchelError(f"No files in {folder.resolve()} to pick from.", code=Code.NO_FILES)
    err_console.print(f"Files in {folder.resolve()}:")
    for i, p in enumerate(files, 1):
        err_console.print(f"  {i:>3}  {p.name}  [dim]{human_size(p.stat().st_size)}[/dim]")
    answer = typer.prompt("Upload which? (numbers, ranges like 1-3, or all)", err=True)
    return [files[i] for i in _choices(answer, len(files))]


def _space(sdk: Client, name: str, visibility: str) -> tuple[Space, bool]:
    found = sdk.spaces.find(name)  # two spaces of this name: space_ambiguous, not a guess
    if found is not None:
        return found, False
    return sdk.spaces.create(name, visibility=visibility), True


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}", table_column=None),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
        transient=False,
    )


@app.command(rich_help_panel=REMOTE)
@remote
def upload(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs; none: pick from here")
    ] = None,
    space: Annotated[
        str | None,
        typer.Option(help="Publish into this space (by name; created when missing)"),
    ] = None,
    visibility: Annotated[
        str, typer.Option(help="Visibility of a space --space creates")
    ] = "public",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Repeatable")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    folder: Annotated[
        str | None, typer.Option(help="Upload into this folder (folders' trees go under it)")
    ] = None,
    flat: Annotated[
        bool, typer.Option("--flat", help="Do not keep the folders' trees: all into --folder")
    ] = False,
    parallel: Annotated[int, typer.Option(min=1, max=16, help="Parts sent at once")] = 4,
    no_progress: Annotated[bool, typer.Option("--no-progress")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Upload files; an interrupted upload continues where it stopped when run again.

    A folder keeps its tree: `satchel upload album/` puts `album/sub/a.jpg` in the folder
    `/album/sub` (under --folder when given); --flat puts every file in --folder (or `/`)."""
    files = expand(paths) if paths else pick(Path.cwd())
    base = (folder or "/").rstrip("/")
    trees = {} if flat or not paths else folders_of(paths)
    placed = {f: (base + trees[f]) if f in trees else (base or "/") for f in files}
    if not files:
        raise SatchelError("No files to upload.", code=Code.NO_FILES)
    quiet = no_progress or as_json or not sys.stderr.isatty()
    options: dict[str, Any] = {
        "tags": tag or None,
        "description": description,
        "part_concurrency": parallel,
    }
    published = None
    with client() as sdk:
        try:
            results = _send_all(sdk, files, options, placed, quiet=quiet, as_json=as_json)
        except KeyboardInterrupt:
            err_console.print("Interrupted: run the same command again to resume.")
            raise typer.Exit(130) from None
        uploaded_ids = [r["asset"]["id"] for r in results if r.get("asset")]
        if space and uploaded_ids:
            target, created = _space(sdk, space, visibility)
            sdk.spaces.publish(target.id, uploaded_ids)
            published = {**target.raw, "created": created}
    if as_json:
        dump({"uploads": results, "space": published})
    elif published:
        made = "new " if published["created"] else ""
        say(
            f"Published {len(uploaded_ids)} into {made}{published['visibility']} space "
            f"{published['name']!r}: {published['share_url']}"
        )
    if any("error" in r for r in results):
        raise typer.Exit(1)


def _send_all(
    sdk: Client,
    files: list[Path],
    options: dict[str, Any],
    placed: dict[Path, str],
    *,
    quiet: bool,
    as_json: bool,
) -> list[dict[str, Any]]:
    """Each file in turn (its parts in parallel), with a bar per file and one overall."""
    results: list[dict[str, Any]] = []
    total = sum(f.stat().st_size for f in files)
    with _progress(quiet) as bars:
        overall = bars.add_task(f"{len(files)} files", total=total)
        done_before = 0
        for path in files:
            size = path.stat().st_size
            task: TaskID = bars.add_task(path.name, total=size)

            def on_progress(
                sent: int, _all: int, task: TaskID = task, base: int = done_before
            ) -> None:
                bars.update(task, completed=sent)
                bars.update(overall, completed=base + sent)

            try:
                up = sdk.assets.upload(
                    path,
                    progress=on_progress,
                    resume=resume_store(),
                    folder=placed.get(path, "/"),
                    **options,
                )
            except SatchelError as exc:
                results.append(
                    {"path": str(path), "error": {"code": exc.code, "message": exc.message}}
                )
                err_console.print(
                    f"[red]error:[/red] {_shown(path)}: {exc.message} ({exc.code})",
                    soft_wrap=True,
                    highlight=False,
                )
                continue
            finally:
                done_before += size
                bars.update(overall, completed=done_before)
            results.append(_result(path, up))
            if not as_json:
                # Above the bars while they run; plain lines when there are none.
                (bars.console.print if not quiet else say)(_line(path, up))
    return results


def _line(path: Path, up: Uploaded) -> str:
    asset = up.asset
    notes = [n for n, on in (("resumed", up.resumed), ("already stored", up.deduplicated)) if on]
    extra = f" ({', '.join(notes)})" if notes else ""
    ident = asset.id if asset else "?"
    return f"{_shown(path)} → {ident}{extra}"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _result(path: Path, up: Uploaded) -> dict[str, Any]:
    return {
        "path": str(path),
        "asset": up.asset.raw if up.asset else None,
        "job_id": up.job_id,
        "deduplicated": up.deduplicated,
        "resumed": up.resumed,
        "mode": up.mode,
        "parts_sent": up.parts_sent,
        "line": _line(path, up),
    }

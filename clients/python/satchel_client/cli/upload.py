"""`satchel upload`: files, folders and globs (or a picker), several files at once under one
overall bar and the files in flight, resume of interrupted uploads, and `--space` to
publish what was uploaded."""

from __future__ import annotations

import contextlib
import glob
import queue
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live

from satchel_client import Client, SatchelError, Space, Uploaded
from satchel_client.cli.app import REMOTE, app, err_console
from satchel_client.cli.board import Board, WatchedStore
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import JsonOpt, client, dump, remote, resume_store, say
from satchel_client.cli.units import human_size, rate_text

GLOB_CHARS = set("*?[")
FILES_AT_ONCE = 4


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
    allow_duplicates: Annotated[
        bool,
        typer.Option(
            "--allow-duplicates",
            help="Keep a name the folder already has (default: stored as 'name (2).ext')",
        ),
    ] = False,
    files_at_once: Annotated[
        int, typer.Option("--files", min=1, max=16, help="Files sent at once")
    ] = FILES_AT_ONCE,
    parallel: Annotated[
        int, typer.Option(min=1, max=16, help="Parts of a large file sent at once")
    ] = 4,
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
        "allow_duplicates": allow_duplicates or None,
    }
    published = None
    with client() as sdk:
        try:
            results, board = _send_all(
                sdk, files, options, placed, at_once=files_at_once, quiet=quiet, as_json=as_json
            )
        except KeyboardInterrupt:
            err_console.print("Interrupted: run the same command again to resume.")
            raise typer.Exit(130) from None
        uploaded_ids = [r["asset"]["id"] for r in results if r.get("asset")]
        if space and uploaded_ids:
            target, created = _space(sdk, space, visibility)
            sdk.spaces.publish(target.id, uploaded_ids)
            published = {**target.raw, "created": created}
    counts = summary(results, board)
    if as_json:
        dump({"uploads": results, "space": published, "summary": counts})
    else:
        (say if quiet else _note)(summary_line(counts))
    if published and not as_json:
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
    at_once: int,
    quiet: bool,
    as_json: bool,
) -> tuple[list[dict[str, Any]], Board]:
    """Up to `at_once` files at a time (each one's parts in parallel too), under one
    overall bar and the files in flight; a line per file as it ends, in the order they end.

    The senders are daemon threads: on Ctrl-C no new file starts and the command exits
    without waiting for a file's PUT (a large file's parts under way are finished); what was
    under way resumes from its saved state when the command runs again."""
    sizes = [f.stat().st_size for f in files]
    board = Board(sizes)
    store = WatchedStore(resume_store(), board)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(files)):
        todo.put(index)
    ended: queue.SimpleQueue[tuple[int, Uploaded | None, SatchelError | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def send(index: int) -> tuple[int, Uploaded | None, SatchelError | None]:
        path = files[index]
        board.start(index, path.name, sizes[index])
        try:
            up = sdk.assets.upload(
                path,
                progress=lambda sent, _all: board.progress(index, sent),
                resume=store,
                folder=placed.get(path, "/"),
                **options,
            )
        except SatchelError as exc:
            board.finish(index, single_put=False)
            return index, None, exc
        except OSError as exc:
            board.finish(index, single_put=False)
            return index, None, SatchelError(f"Could not read it: {exc}", code=Code.FILE_UNREADABLE)
        board.finish(index, single_put=up.mode == "single")
        return index, up, None

    def sender() -> None:
        while not stop.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            ended.put(send(index))

    results: list[dict[str, Any]] = [{} for _ in files]
    live = Live(board, console=err_console, refresh_per_second=8, transient=True)
    show = say if quiet else _note
    with live if not quiet else contextlib.nullcontext():
        for _ in range(min(at_once, len(files))):
            threading.Thread(target=sender, name="satchel-upload", daemon=True).start()
        try:
            for _ in files:
                index, up, exc = ended.get()
                path = files[index]
                if exc is not None:
                    results[index] = {
                        "path": str(path),
                        "error": {"code": exc.code, "message": exc.message},
                    }
                    err_console.print(
                        f"[red]error:[/red] {_shown(path)}: {exc.message} ({exc.code})",
                        soft_wrap=True,
                        highlight=False,
                    )
                elif up is not None:
                    results[index] = _result(path, up)
                    if not as_json:
                        show(_line(path, up))
        except BaseException:
            stop.set()
            raise
    return results, board


def summary(results: list[dict[str, Any]], board: Board) -> dict[str, Any]:
    """The counts of the final line (and of `--json`'s `summary`)."""
    failed = sum("error" in r for r in results)
    stored = sum(bool(r.get("deduplicated")) for r in results if "error" not in r)
    return {
        "files": len(results),
        "uploaded": len(results) - failed - stored,
        "already_stored": stored,
        "resumed": sum(bool(r.get("resumed")) for r in results),
        "failed": failed,
        "bytes_sent": board.acked,
        "seconds": round(board.elapsed(), 3),
        "most_in_flight": board.most_in_flight,
    }


def summary_line(counts: dict[str, Any]) -> str:
    others = [
        f"{counts[key]} {label}"
        for key, label in (
            ("already_stored", "already stored"),
            ("resumed", "resumed"),
            ("failed", "failed"),
        )
        if counts[key]
    ]
    head = f"Uploaded {counts['uploaded']} of {counts['files']} files"
    if others:
        head += f" ({', '.join(others)})"
    sent, seconds = counts["bytes_sent"], counts["seconds"]
    if not sent:
        return head + "."
    rate = f", {rate_text(sent / seconds)}" if seconds > 0 else ""
    return f"{head}: {human_size(sent)} sent in {seconds:.1f} s{rate}."


def _note(message: str) -> None:
    err_console.print(message, soft_wrap=True, highlight=False)


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

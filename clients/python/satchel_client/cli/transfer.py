"""`satchel export` and `satchel import`: a folder (with everything under it) or a space as
a ZIP with `manifest.json` (names, descriptions, tags, checksums), and such a ZIP back into
the library. Which of the two a ZIP holds is read from its manifest."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Annotated

import typer

from satchel_client import SatchelError
from satchel_client.cli.app import REMOTE, app
from satchel_client.cli.assets import destination
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import JsonOpt, client, dump, remote, say
from satchel_client.cli.sharing import find_space
from satchel_client.cli.units import human_size

FORMATS = {"satchel-folder": "folder", "satchel-space": "space"}


def _zip_name(name: str) -> str:
    """`trip.zip` for the folder `/2026/trip` or a space named "Trip"; `library.zip` for `/`."""
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")
    return f"{stem or 'library'}.zip"


def _kind_of(archive: Path) -> str:
    """The kind of export ("folder" or "space") its manifest.json names; the server checks
    the rest."""
    if not archive.is_file():
        raise SatchelError(f"{archive} is not a file.", code=Code.FILE_NOT_FOUND)
    try:
        with zipfile.ZipFile(archive) as opened:
            manifest = json.loads(opened.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SatchelError(
            f"{archive} is not a Satchel export (a ZIP with a readable manifest.json).",
            code=Code.FILE_UNREADABLE,
        ) from exc
    kind = FORMATS.get(str(manifest.get("format"))) if isinstance(manifest, dict) else None
    if kind is None:
        raise SatchelError(
            f"{archive}'s manifest.json is not a Satchel folder or space export.",
            code=Code.FILE_UNREADABLE,
        )
    return kind


@app.command("export", rich_help_panel=REMOTE)
@remote
def export(
    what: Annotated[str, typer.Argument(help="A folder (/trip), or with --space a space")],
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="The ZIP (default: <name>.zip here)")
    ] = None,
    space: Annotated[bool, typer.Option("--space", help="WHAT names a space")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a file already there")] = False,
    as_json: JsonOpt = False,
) -> None:
    """A folder and everything under it, or a space, as a ZIP with manifest.json."""
    with client() as sdk:
        if space:
            found = find_space(sdk, what)
            name = _zip_name(found.name)
            dest = destination(output or name, name, force=force)
            saved = sdk.spaces.export(found.id, dest)
        else:
            name = _zip_name(what.rstrip("/").rsplit("/", 1)[-1])
            dest = destination(output or name, name, force=force)
            saved = sdk.folders.export(what, dest)
    with zipfile.ZipFile(saved) as archive:
        count = len(json.loads(archive.read("manifest.json")).get("assets") or [])
    if as_json:
        dump({"saved_to": str(saved), "files": count, "bytes": saved.stat().st_size})
        return
    say(f"Saved {count} files ({human_size(saved.stat().st_size)}) to {saved}.")


@app.command("import", rich_help_panel=REMOTE)
@remote
def import_(
    archive: Annotated[Path, typer.Argument(help="A ZIP made by `satchel export`")],
    into: Annotated[
        str | None,
        typer.Option("--into", help="A folder export: the folder to put it under"),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="A space export: the new space's name")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A folder or space export back into your library (each file checked first)."""
    kind = _kind_of(archive)
    wrong = {"folder": "--name" if name else None, "space": "--into" if into else None}[kind]
    if wrong:
        raise SatchelError(
            f"{archive} is a {kind} export; {wrong} is for the other kind.",
            code=Code.BAD_CHOICE,
        )
    with client() as sdk:
        if kind == "folder":
            done = sdk.folders.import_zip(archive, path=into)
            where = f"into {done.get('folder')}"
        else:
            done = sdk.spaces.import_zip(archive, name=name)
            where = f"into the new space {done.get('name')!r} ({done.get('short_id')})"
    if as_json:
        dump({"kind": kind, **done})
        return
    say(f"Imported {done.get('asset_count', 0)} files {where}.")

"""`satchel mv`, `satchel fav`, `satchel folders` and `satchel trash ls|restore|empty`:
organising the library through the SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from satchel_client.cli.app import REMOTE, app, console
from satchel_client.cli.remote import JsonOpt, client, dump, remote, say
from satchel_client.cli.units import human_size

trash_app = typer.Typer(help="The trash: list, restore, empty.", no_args_is_help=True)
app.add_typer(trash_app, name="trash", rich_help_panel=REMOTE)


@app.command("mv", rich_help_panel=REMOTE)
@remote
def mv(
    items: Annotated[
        list[str], typer.Argument(help="Asset ids then the target folder, or FROM TO folders")
    ],
    allow_duplicates: Annotated[
        bool, typer.Option("--allow-duplicates", help="Keep both when a name is taken")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Move assets into a folder (`satchel mv ast_… /album`), or rename a folder with
    everything under it (`satchel mv /old /new`)."""
    if len(items) < 2:
        raise typer.BadParameter("Give what to move and where to.")
    *sources, target = items
    with client() as sdk:
        if len(sources) == 1 and sources[0].startswith("/"):
            result = sdk.folders.move(sources[0], target, allow_duplicates=allow_duplicates)
            message = f"Moved {sources[0]} to {target} ({result.get('moved', 0)} files)."
        else:
            result = sdk.assets.move(sources, target, allow_duplicates=allow_duplicates)
            missing = result.get("not_found_ids") or []
            message = f"Moved {len(result.get('moved') or [])} into {target}." + (
                f" Not found: {', '.join(missing)}." if missing else ""
            )
    if as_json:
        dump(result)
    else:
        say(message)


@app.command("fav", rich_help_panel=REMOTE)
@remote
def fav(
    asset_ids: Annotated[list[str], typer.Argument(help="Asset ids")],
    off: Annotated[bool, typer.Option("--off", help="Remove the star instead")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Star assets as favourites (`--off` to unstar); `satchel ls --fav` lists them."""
    with client() as sdk:
        done = [sdk.assets.favorite(a, not off) for a in asset_ids]
    if as_json:
        dump([dict(a.raw) for a in done])
        return
    for a in done:
        say(f"{'Starred' if a.is_favorite else 'Unstarred'} {a.id}.")


@app.command("public", rich_help_panel=REMOTE)
@remote
def public(
    asset_ids: Annotated[list[str], typer.Argument(help="Asset ids")],
    off: Annotated[bool, typer.Option("--off", help="Make them private again")] = False,
    keep_metadata: Annotated[
        bool, typer.Option("--keep-metadata", help="Serve location and camera data too")
    ] = False,
    previews_only: Annotated[
        bool, typer.Option("--previews-only", help="Visitors may not download the original")
    ] = False,
    days: Annotated[
        float | None, typer.Option("--days", help="Stop sharing after this many days")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Share assets at one stable URL for anyone (`--off` to stop). Visitors get photos
    without location and camera data unless `--keep-metadata`."""
    ends = datetime.now(UTC) + timedelta(days=days) if days is not None else None
    with client() as sdk:
        done = [
            sdk.assets.make_public(
                a,
                not off,
                strip_metadata=not keep_metadata,
                allow_download=not previews_only,
                expires_at=ends,
            )
            for a in asset_ids
        ]
    if as_json:
        dump([dict(a.raw) for a in done])
        return
    for a in done:
        say(f"{a.id}: {a.public_url}" if a.public_url else f"{a.id} is private.")


@app.command("folders", rich_help_panel=REMOTE)
@remote
def folders(as_json: JsonOpt = False) -> None:
    """Your folder tree, with counts and sizes (with subfolders)."""
    with client() as sdk:
        tree = sdk.folders.tree()
    if as_json:
        dump(tree)
        return
    table = Table("folder", "files", "size", "with subfolders")
    for f in tree:
        table.add_row(f["path"], str(f["count"]), human_size(f["bytes"]), str(f["total_count"]))
    console.print(table)


@trash_app.command("ls")
@remote
def trash_ls(as_json: JsonOpt = False) -> None:
    """What is in the trash, most recently trashed first."""
    with client() as sdk:
        found = sdk.trash.list()
    if as_json:
        dump([dict(a.raw) for a in found])
        return
    table = Table("id", "folder", "filename", "size", "trashed")
    for a in found:
        when = a.trashed_at.strftime("%Y-%m-%d %H:%M") if a.trashed_at else ""
        table.add_row(a.id, a.folder, a.filename, human_size(a.size), when)
    console.print(table)
    if not found:
        say("The trash is empty.")


@trash_app.command("restore")
@remote
def trash_restore(
    asset_ids: Annotated[list[str], typer.Argument(help="Asset ids")], as_json: JsonOpt = False
) -> None:
    """Take assets out of the trash: same ids, same bytes."""
    with client() as sdk:
        result = sdk.trash.restore(asset_ids)
    if as_json:
        dump(result)
        return
    say(f"Restored {len(result.get('restored') or [])}.")
    missing = result.get("not_found_ids") or []
    if missing:
        say(f"Not in the trash: {', '.join(missing)}.")


@trash_app.command("empty")
@remote
def trash_empty(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete everything in the trash for good."""
    if not yes and not as_json:
        typer.confirm("Delete everything in the trash for good?", abort=True)
    with client() as sdk:
        result = sdk.trash.empty()
    if as_json:
        dump(result)
        return
    blocked = result.get("blocked_ids") or []
    say(
        f"Deleted {result.get('deleted', 0)} for good."
        + (f" Kept (still needed): {', '.join(blocked)}." if blocked else "")
    )

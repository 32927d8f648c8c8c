"""Remote commands on assets: ls, get, rm, url, reprocess."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from satchel_client import Asset, SatchelError
from satchel_client.cli.app import REMOTE, app, console
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import JsonOpt, client, dump, remote, say
from satchel_client.cli.units import human_size


def _row(asset: Asset) -> dict[str, Any]:
    return dict(asset.raw)


@app.command("ls", rich_help_panel=REMOTE)
@remote
def ls(
    q: Annotated[str | None, typer.Argument(help="Full-text search (optional)")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "--type", help="image, video, ...")] = None,
    status: Annotated[str | None, typer.Option(help="pending, ready, failed, ...")] = None,
    tag: Annotated[str | None, typer.Option()] = None,
    folder: Annotated[str | None, typer.Option(help="Only this folder (`/album`)")] = None,
    recursive: Annotated[bool, typer.Option("-r", "--recursive", help="With subfolders")] = False,
    favorite: Annotated[bool, typer.Option("--fav", help="Only favourites")] = False,
    camera: Annotated[str | None, typer.Option(help="A camera model or make")] = None,
    sort: Annotated[
        str, typer.Option(help="created_at, size, filename or taken_at")
    ] = "created_at",
    limit: Annotated[int, typer.Option(help="At most this many (0: all)")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List your assets, newest first."""
    filters = {
        "q": q,
        "kind": kind,
        "status": status,
        "tag": tag,
        "sort": sort,
        "folder": folder,
        "recursive": "true" if recursive and folder else None,
        "is_favorite": "true" if favorite else None,
        "camera": camera,
    }
    found: list[Asset] = []
    with client() as sdk:
        page_size = min(limit, 200) if limit > 0 else 200
        for asset in sdk.assets.list(
            page_size=page_size, **{k: v for k, v in filters.items() if v}
        ):
            found.append(asset)
            if limit and len(found) >= limit:
                break
    if as_json:
        dump([_row(a) for a in found])
        return
    table = Table("id", "folder", "filename", "kind", "size", "status", "created")
    for a in found:
        created = a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else ""
        name = ("★ " if a.is_favorite else "") + a.filename
        table.add_row(a.id, a.folder, name, a.kind, human_size(a.size), a.status, created)
    console.print(table)
    if not found:
        say("No assets.")


def destination(output: str, filename: str, *, force: bool) -> Path:
    """`-o out/` (made when missing) or an existing folder gets the asset's own name."""
    path = Path(output).expanduser()
    if output.endswith(("/", os.sep)) or path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path = path / filename
    if path.exists() and not force:
        raise SatchelError(
            f"{path} already exists; choose another name or pass --force to replace it.",
            code=Code.OUTPUT_EXISTS,
        )
    return path


@app.command("get", rich_help_panel=REMOTE)
@remote
def get(
    asset_id: str,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Save the bytes here: a file, or a folder (ending in /)"
        ),
    ] = None,
    raw: Annotated[bool, typer.Option(help="The exact stored bytes (re-hashed first)")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a file already there")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show an asset; with -o, download its bytes (an existing file needs --force)."""
    with client() as sdk:
        asset = sdk.assets.get(asset_id)
        saved = None
        if output is not None:
            dest = destination(output, asset.filename, force=force)
            saved = sdk.assets.download(asset_id, dest, raw=raw)
    if as_json:
        dump({**_row(asset), **({"saved_to": str(saved)} if saved else {})})
        return
    if saved is not None:
        say(f"Saved {asset.filename} ({human_size(asset.size)}) to {saved}.")
        return
    table = Table(show_header=False, box=None)
    for key in ("id", "filename", "media_type", "kind", "size", "status", "sha256", "tags"):
        value = getattr(asset, key)
        table.add_row(key, human_size(value) if key == "size" else str(value))
    for key in ("width", "height", "duration", "pages", "failure_reason"):
        if (value := getattr(asset, key)) is not None:
            table.add_row(key, str(value))
    table.add_row("created", str(asset.created_at))
    console.print(table)


@app.command("rm", rich_help_panel=REMOTE)
@remote
def rm(
    asset_ids: Annotated[list[str], typer.Argument(help="Asset ids")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deleted; change nothing")
    ] = False,
    permanent: Annotated[
        bool, typer.Option("--permanent", help="Delete for good now, not to the trash")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Move assets to the trash (`satchel trash restore` brings them back); with
    --permanent, delete them and their bytes when nothing else uses them."""
    results = []
    with client() as sdk:
        for asset_id in asset_ids:
            results.append(sdk.assets.delete(asset_id, dry_run=dry_run, permanent=permanent))
    if as_json:
        dump(results)
        return
    for asset_id, result in zip(asset_ids, results, strict=True):
        meta = result.get("meta") or {}
        if dry_run:
            plan = {k: v for k, v in result.items() if k != "meta"}
            say(f"{asset_id}: would delete; reclaims {human_size(plan.get('reclaimable_bytes'))}.")
        elif meta.get("already_deleted"):
            say(f"{asset_id}: already deleted.")
        elif result.get("trashed"):
            say(f"Moved {asset_id} to the trash.")
        else:
            say(f"Deleted {asset_id}.")


@app.command("url", rich_help_panel=REMOTE)
@remote
def url(
    asset_id: str,
    expires_in: Annotated[int, typer.Option("--expires-in", help="Seconds")] = 3600,
    as_json: JsonOpt = False,
) -> None:
    """A signed link to an asset's content (works without a key until it expires)."""
    with client() as sdk:
        signed = sdk.assets.url(asset_id, expires_in)
    if as_json:
        dump(signed.raw)
        return
    print(signed.url)


@app.command("reprocess", rich_help_panel=REMOTE)
@remote
def reprocess(
    asset_ids: Annotated[list[str] | None, typer.Argument(help="Asset ids")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every ready or failed asset")] = False,
    kind: Annotated[str | None, typer.Option("--kind", "--type", help="Only this kind")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Assets per batch")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Process assets again (thumbnails, metadata), by id or --all in batches."""
    if not all_ and not asset_ids:
        raise typer.BadParameter("give asset ids, or --all")
    jobs: list[str] = []
    batches = 0
    with client() as sdk:
        if all_:
            for batch in sdk.assets.reprocess_all(limit=limit, kind=kind):
                batches += 1
                jobs.extend(batch.job_ids)
                if not as_json:
                    say(f"Batch {batches}: {batch.processed} assets queued.")
        for asset_id in asset_ids or []:
            job_id = sdk.assets.reprocess(asset_id)
            if job_id:
                jobs.append(job_id)
    if as_json:
        dump({"processed": len(jobs), "batches": batches, "job_ids": jobs})
        return
    say(f"Queued {len(jobs)} assets for processing.")

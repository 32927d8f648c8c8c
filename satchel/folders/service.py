"""The folder tree (counts and sizes per folder, subfolders included) and moves: assets to
a folder, or a folder (with everything under it) to a new path.

Folders are paths on assets, not rows: a folder exists while something is in it. A move
refuses to put two assets of the same name in one folder unless the owner allows it
(`allow_duplicates`), and refuses a folder into its own subtree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from satchel.assets import folders
from satchel.assets.models import Asset
from satchel.assets.service import live
from satchel.blobs import BlobStore
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, Invalid
from satchel.trash import service as trash


def tree(session: Session, *, owner_id: str) -> list[dict[str, Any]]:
    """Every folder with something in it, and its ancestors, sorted by path: `count` and
    `bytes` of the folder itself, `total_count` and `total_bytes` with its subfolders."""
    rows = session.execute(
        select(Asset.folder, func.count(), func.coalesce(func.sum(Asset.size), 0))
        .where(Asset.owner_id == owner_id, live())
        .group_by(Asset.folder)
    ).all()
    nodes: dict[str, dict[str, Any]] = {}

    def node(path: str) -> dict[str, Any]:
        if path not in nodes:
            name = path.rsplit("/", 1)[-1]
            nodes[path] = {
                "path": path,
                "name": name,
                "parent": None if path == folders.ROOT else folders.parent(path),
                "count": 0,
                "bytes": 0,
                "total_count": 0,
                "total_bytes": 0,
            }
        return nodes[path]

    node(folders.ROOT)
    for path, count, size in rows:
        node(path).update(count=int(count), bytes=int(size))
        current: str | None = path
        while current is not None:
            entry = node(current)
            entry["total_count"] += int(count)
            entry["total_bytes"] += int(size)
            current = None if current == folders.ROOT else folders.parent(current)
    return [nodes[p] for p in sorted(nodes)]


def _clashes(
    session: Session, *, owner_id: str, moving: ColumnElement[bool], landing: dict[str, str]
) -> list[str]:
    """`folder/filename` of moving assets that would meet a staying one of the same name
    (or each other) in their new folders."""
    moving_rows = session.execute(
        select(Asset.id, Asset.folder, Asset.filename).where(
            Asset.owner_id == owner_id, live(), moving
        )
    ).all()
    targets = {landing.get(folder, folder) for _, folder, _ in moving_rows}
    if not targets:
        return []
    staying = {
        (folder, name)
        for folder, name in session.execute(
            select(Asset.folder, Asset.filename).where(
                Asset.owner_id == owner_id, live(), Asset.folder.in_(targets), ~moving
            )
        )
    }
    seen: set[tuple[str, str]] = set()
    clashes = []
    for _, folder, name in moving_rows:
        key = (landing.get(folder, folder), name)
        if key in staying or key in seen:
            clashes.append(f"{key[0].rstrip('/')}/{name}")
        seen.add(key)
    return clashes


def _refuse_clashes(clashes: list[str]) -> None:
    if clashes:
        raise Conflict(
            f"{len(clashes)} file(s) of the same name are already there "
            f"({', '.join(clashes[:5])}); send allow_duplicates=true to keep both.",
            code=Code.FOLDER_NAME_TAKEN,
        )


def move_assets(
    *, db: Database, owner_id: str, ids: list[str], folder: str, allow_duplicates: bool = False
) -> tuple[list[str], list[str]]:
    """Move the owner's assets into `folder`; returns (moved ids, ids not found)."""
    target = folders.normalize(folder)
    wanted = list(dict.fromkeys(ids))
    with db.write_session() as session:
        found = set(
            session.scalars(
                select(Asset.id).where(Asset.owner_id == owner_id, live(), Asset.id.in_(wanted))
            )
        )
        moving = Asset.id.in_(found)
        if not allow_duplicates:
            rows = session.execute(select(Asset.folder).where(moving).distinct()).scalars()
            _refuse_clashes(
                _clashes(
                    session, owner_id=owner_id, moving=moving, landing=dict.fromkeys(rows, target)
                )
            )
        session.execute(
            update(Asset).where(moving).values(folder=target, updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        session.commit()
    return [i for i in wanted if i in found], [i for i in wanted if i not in found]


def move_folder(
    *, db: Database, owner_id: str, source: str, target: str, allow_duplicates: bool = False
) -> int:
    """Rename or move `source` and everything under it to `target`; returns how many
    assets moved. Into its own subtree, or the top itself, is refused."""
    src, dst = folders.normalize(source, field="from"), folders.normalize(target, field="to")
    if src == folders.ROOT:
        raise Invalid(
            "The top folder cannot be moved; move its subfolders.",
            fields=[{"field": "from", "message": "not /"}],
        )
    if dst == src or dst.startswith(src + "/"):
        raise Invalid(
            f"Cannot move {src} into itself.",
            fields=[{"field": "to", "message": "inside the folder being moved"}],
        )
    selected = folders.selects(src, recursive=True)
    assert selected is not None
    with db.write_session() as session:
        paths = list(
            session.scalars(
                select(Asset.folder).where(Asset.owner_id == owner_id, live(), selected).distinct()
            )
        )
        landing = {p: folders.moved(p, source=src, target=dst) for p in paths}
        if not allow_duplicates:
            _refuse_clashes(_clashes(session, owner_id=owner_id, moving=selected, landing=landing))
        moved = 0
        for old, new in landing.items():
            result = session.execute(
                update(Asset)
                .where(Asset.owner_id == owner_id, live(), Asset.folder == old)
                .values(folder=new, updated_at=utcnow()),
                execution_options={"synchronize_session": False},
            )
            moved += result.rowcount  # type: ignore[attr-defined]
        session.commit()
    return moved


def ids_in(session: Session, *, owner_id: str, folder: str) -> list[str]:
    """The owner's assets in `folder` and under it (not trashed), oldest first."""
    selected = folders.selects(folders.normalize(folder), recursive=True)
    stmt = select(Asset.id).where(Asset.owner_id == owner_id, live())
    if selected is not None:
        stmt = stmt.where(selected)
    return list(session.scalars(stmt.order_by(Asset.seq)))


def delete_folder(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str,
    folder: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
    permanent: bool = False,
) -> dict[str, Any]:
    """The delete plan of everything in `folder` (and under it), carried out unless
    `dry_run`: to the trash, or with `permanent` for good."""
    path = folders.normalize(folder, field="path")
    with db.session() as session:
        ids = ids_in(session, owner_id=owner_id, folder=path)
    planned: list[dict[str, Any]] = []
    blocked: list[str] = []
    for asset_id in ids:
        try:
            done, _ = trash.delete(
                db=db,
                blobs=blobs,
                owner_id=owner_id,
                asset_id=asset_id,
                actor_id=actor_id,
                ip=ip,
                dry_run=dry_run,
                permanent=permanent,
            )
        except Conflict as exc:
            if exc.code != Code.ASSET_DELETE_BLOCKED:
                raise
            blocked.append(asset_id)
            continue
        if done.plan is not None:
            planned.append(done.plan)
            if dry_run and done.plan.get("blocked"):
                blocked.append(asset_id)
    return {
        "path": path,
        "assets": len(ids),
        "trashed": not dry_run and not permanent,
        "deleted": not dry_run and permanent,
        "blocked_ids": blocked,
        "reclaimable_bytes": sum(p.get("reclaimable_bytes", 0) for p in planned),
        "plans": planned,
    }

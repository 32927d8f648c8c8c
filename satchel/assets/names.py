"""One name per folder: an owner's live assets in one folder have distinct file names
unless the owner asks for duplicates (`allow_duplicates`).

An upload into a taken name is numbered the way file managers do (`photo.jpg` →
`photo (2).jpg`), so a folder upload or a re-upload of an edited file never fails; a
rename or a move onto a taken name is refused (`409 folder_name_taken`), since the
caller chose that name. The checks run inside write sessions, which are serialized
(SQLite's writer, PostgreSQL's writer turn), so two uploads cannot take one name.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.assets.filenames import MAX_FILENAME_BYTES
from satchel.assets.models import Asset, live
from satchel.codes import Code
from satchel.errors import Conflict

_BATCH = 64  # candidate names asked about in one query


def numbered(name: str, n: int) -> str:
    """`name` with ` (n)` before its extension, kept within the file-name limit."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    tail = f" ({n})" + (f".{ext}" if ext else "")
    budget = MAX_FILENAME_BYTES - len(tail.encode())
    return stem.encode()[:budget].decode(errors="ignore").rstrip() + tail


def taken(
    session: Session,
    *,
    owner_id: str,
    folder: str,
    names: Iterable[str],
    other_than: str | None = None,
) -> set[str]:
    """Which of `names` a live asset of the owner already has in `folder` (asset
    `other_than` aside)."""
    query = select(Asset.filename).where(
        Asset.owner_id == owner_id, Asset.folder == folder, Asset.filename.in_(list(names)), live()
    )
    if other_than is not None:
        query = query.where(Asset.id != other_than)
    return set(session.scalars(query))


def free_name(session: Session, *, owner_id: str, folder: str, name: str) -> str:
    """`name` if the folder lacks it, else the first free `name (n)`, n from 2."""
    if not taken(session, owner_id=owner_id, folder=folder, names=[name]):
        return name
    start = 2
    while True:
        candidates = [numbered(name, n) for n in range(start, start + _BATCH)]
        used = taken(session, owner_id=owner_id, folder=folder, names=candidates)
        for candidate in candidates:
            if candidate not in used:
                return candidate
        start += _BATCH


def refuse_taken(session: Session, *, asset: Asset) -> None:
    """Refuse `asset`'s (new) folder and name when another live asset has them."""
    if taken(
        session,
        owner_id=asset.owner_id,
        folder=asset.folder,
        names=[asset.filename],
        other_than=asset.id,
    ):
        where = f"{asset.folder.rstrip('/')}/{asset.filename}"
        raise Conflict(
            f"A file named {where!r} is already there; send allow_duplicates=true to keep both.",
            code=Code.FOLDER_NAME_TAKEN,
            fields=[{"field": "filename", "message": "taken in this folder"}],
        )

"""`satchel backup`, `satchel backup --verify` and `satchel restore`.

A backup is a folder: `manifest.json` (written last: a folder without one is not a
backup), the database (`satchel.db`, or `database.pgdump`), `blobs/` (the managed local
blobs the database snapshot points at, re-hashed while copied) and, when asked,
`keys.sealed` (the data folder's keys under a passphrase). Blobs in an S3 bucket are
listed in the manifest, not copied: the bucket is their own copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from satchel import __version__
from satchel.backups import database, keys
from satchel.codes import Code
from satchel.config import Settings
from satchel.db import utcnow
from satchel.errors import Conflict, Invalid

FORMAT = "satchel-backup"
MANIFEST = "manifest.json"
KEYS = "keys.sealed"
_CHUNK = 1 << 20


def _empty(folder: Path, code: str, what: str) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise Conflict(f"{folder} is not empty; {what} goes into an empty folder.", code=code)
    folder.mkdir(parents=True, exist_ok=True)


def _copy(src: Path, dst: Path) -> str:
    """Copy, returning the SHA-256 of the bytes as read (the copy is what was hashed)."""
    digest = hashlib.sha256()
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        while chunk := fin.read(_CHUNK):
            digest.update(chunk)
            fout.write(chunk)
    tmp.replace(dst)
    return digest.hexdigest()


def _sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _blob_path(root: Path, sha256: str) -> Path:
    return root / "blobs" / sha256[:2] / sha256  # the layout of LocalBlobStore


def backup(
    *, settings: Settings, dest: Path, include_keys: bool = False, passphrase: str | None = None
) -> dict[str, Any]:
    """Back up a (possibly running) Satchel into the empty folder `dest`."""
    if include_keys and not passphrase:
        raise Invalid(
            "Including the keys needs a passphrase to seal them with.",
            code=Code.BACKUP_KEYS_SEALED,
        )
    started = time.monotonic()
    _empty(dest, Code.BACKUP_TARGET_NOT_EMPTY, "a backup")
    url = settings.resolved_database_url
    if database.is_sqlite(url):
        db_file = "satchel.db"
        rows, external, revision = database.sqlite_snapshot(url, dest / db_file)
    else:
        db_file = "database.pgdump"
        rows, external, revision = database.pg_snapshot(url, dest / db_file)
    in_bucket = bool(settings.blobs_url)
    entries: list[list[Any]] = []
    missing: list[str] = []
    damaged: list[str] = []
    for sha, size in rows:
        if in_bucket:
            entries.append([sha, size, "bucket"])
            continue
        source = _blob_path(settings.data_dir, sha)
        if not source.is_file():
            if sha in external:
                entries.append([sha, size, "external"])
            else:  # deleted after the snapshot (GC, a delete), or lost: said, not hidden
                missing.append(sha)
            continue
        if _copy(source, _blob_path(dest, sha)) != sha:
            _blob_path(dest, sha).unlink()
            damaged.append(sha)
            continue
        entries.append([sha, size, "copied"])
    sealed = keys.seal(settings.data_dir, passphrase) if include_keys and passphrase else None
    if sealed is not None:
        (dest / KEYS).write_bytes(sealed)
    copied = [e for e in entries if e[2] == "copied"]
    manifest = {
        "format": FORMAT,
        "version": 1,
        "created_at": utcnow().isoformat(),
        "satchel_version": __version__,
        "database": {
            "kind": "sqlite" if db_file == "satchel.db" else "postgresql",
            "file": db_file,
            "sha256": _sha_of(dest / db_file),
            "size": (dest / db_file).stat().st_size,
            "revision": revision,
        },
        "storage": {"mode": "s3" if in_bucket else "local", "blobs_url": settings.blobs_url},
        "keys": {
            "included": sealed is not None,
            "from_config": settings.secret_key is not None,
        },
        "blobs": {
            "rows": len(rows),
            "copied": len(copied),
            "copied_bytes": sum(e[1] for e in copied),
            "in_bucket": sum(e[2] == "bucket" for e in entries),
            "external": sum(e[2] == "external" for e in entries),
            "missing": missing,
            "damaged": damaged,
        },
        "entries": entries,
    }
    _sync(dest)
    tmp = dest / (MANIFEST + ".part")
    tmp.write_text(json.dumps(manifest, indent=1))
    tmp.replace(dest / MANIFEST)
    _sync(dest)
    return {**_summary(manifest), "seconds": round(time.monotonic() - started, 2)}


def _sync(folder: Path) -> None:
    os.sync()  # one flush for every copied file, then the folder's entries
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _summary(manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in manifest.items() if k != "entries"}


def read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise Invalid(
            f"{src} is not a complete Satchel backup (no readable {MANIFEST}).",
            code=Code.BACKUP_INVALID,
        ) from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != 1:
        raise Invalid(
            f"{src} is not a Satchel backup this version reads.", code=Code.BACKUP_INVALID
        )
    return manifest


def verify(*, src: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Check a backup without restoring it: the database file, every copied blob's bytes,
    the entries against the database's blob rows, and the keys when a passphrase is given."""
    manifest = read_manifest(src)
    problems: list[str] = []
    db = manifest["database"]
    db_path = src / db["file"]
    if not db_path.is_file() or _sha_of(db_path) != db["sha256"]:
        problems.append(f"the database file {db['file']} is missing or changed")
    elif db["kind"] == "sqlite":
        if (result := database.integrity(db_path)) != "ok":
            problems.append(f"the database fails its integrity check: {result}")
        rows, _, _ = database.read_sqlite(db_path)
        listed = {e[0] for e in manifest["entries"]} | set(manifest["blobs"]["missing"])
        listed |= set(manifest["blobs"]["damaged"])
        if unlisted := [s for s, _ in rows if s not in listed]:
            problems.append(f"{len(unlisted)} blobs of the database are not in the manifest")
    checked = checked_bytes = 0
    for sha, size, where in manifest["entries"]:
        if where != "copied":
            continue
        path = _blob_path(src, sha)
        if not path.is_file() or path.stat().st_size != size or _sha_of(path) != sha:
            problems.append(f"blob {sha} is missing or damaged")
        checked, checked_bytes = checked + 1, checked_bytes + size
    for sha in manifest["blobs"]["missing"] + manifest["blobs"]["damaged"]:
        problems.append(f"blob {sha} was not in the data folder intact when backed up")
    if manifest["keys"]["included"]:
        if not (src / KEYS).is_file():
            problems.append(f"{KEYS} is missing")
        elif passphrase:
            keys.open_keys((src / KEYS).read_bytes(), passphrase)
    return {
        "ok": not problems,
        "problems": problems,
        "checked_blobs": checked,
        "checked_bytes": checked_bytes,
        "keys_checked": bool(manifest["keys"]["included"] and passphrase),
        "manifest": _summary(manifest),
    }


def restore(*, settings: Settings, src: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Restore a verified backup into an empty data folder (and an empty database)."""
    manifest = read_manifest(src)
    if manifest["keys"]["included"] and not passphrase:
        raise Invalid(
            "This backup holds sealed keys: give the passphrase it was made with.",
            code=Code.BACKUP_KEYS_SEALED,
        )
    report = verify(src=src, passphrase=passphrase)
    if not report["ok"]:
        raise Invalid(
            "The backup does not check out: " + "; ".join(report["problems"][:5]),
            code=Code.BACKUP_INVALID,
        )
    data_dir = settings.data_dir
    _empty(data_dir, Code.RESTORE_TARGET_NOT_EMPTY, "a restore")
    url = settings.resolved_database_url
    db = manifest["database"]
    if db["kind"] == "sqlite":
        if not database.is_sqlite(url):
            raise Invalid("A SQLite backup restores into SQLite only.", code=Code.BACKUP_INVALID)
        target = database.sqlite_path(url)
        if target.exists():
            raise Conflict(f"{target} exists already.", code=Code.RESTORE_TARGET_NOT_EMPTY)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / db["file"], target)
    else:
        database.pg_restore(url, src / db["file"])
    restored = 0
    for sha, _, where in manifest["entries"]:
        if where == "copied":
            _copy(_blob_path(src, sha), _blob_path(data_dir, sha))
            restored += 1
    if manifest["keys"]["included"] and passphrase:
        for name, value in keys.open_keys((src / KEYS).read_bytes(), passphrase).items():
            path = data_dir / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(value)
    _sync(data_dir)
    return {
        "data_dir": str(data_dir),
        "database": db["kind"],
        "blobs_restored": restored,
        "keys_restored": bool(manifest["keys"]["included"]),
        "revision": db["revision"],
    }

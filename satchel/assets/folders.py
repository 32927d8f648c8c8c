"""Folder paths: what a valid one is, its normal spelling, and the conditions that select
a folder (alone or with everything under it)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, or_

from satchel.assets.models import Asset
from satchel.errors import Invalid

ROOT = "/"
MAX_FOLDER_CHARS = 1024
MAX_SEGMENT_CHARS = 255


def _refuse(value: str, why: str, field: str) -> Invalid:
    return Invalid(
        f"The folder {value[:80]!r} is not valid: {why}.",
        fields=[{"field": field, "message": why}],
    )


def normalize(value: str | None, *, field: str = "folder") -> str:
    """`/a/b` from `a/b`, `/a/b/` or `\\a\\b`; None or empty is the top (`/`).

    Refused: `.` and `..` segments, empty segments (`a//b`), control characters, segments
    over 255 characters and paths over 1024.
    """
    if value is None:
        return ROOT
    text = unicodedata.normalize("NFC", value.strip().replace("\\", "/"))
    if text in ("", ROOT):
        return ROOT
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise _refuse(value, "it holds control characters", field)
    segments = text.strip("/").split("/")
    for segment in segments:
        if not segment.strip():
            raise _refuse(value, "it has an empty segment", field)
        if segment in (".", ".."):
            raise _refuse(value, "`.` and `..` are not folder names", field)
        if len(segment) > MAX_SEGMENT_CHARS or segment != segment.strip():
            raise _refuse(
                value, f"names have 1 to {MAX_SEGMENT_CHARS} characters, no outer spaces", field
            )
    path = "/" + "/".join(segments)
    if len(path) > MAX_FOLDER_CHARS:
        raise _refuse(value, f"at most {MAX_FOLDER_CHARS} characters", field)
    return path


def escape_like(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def under(path: str) -> ColumnElement[bool]:
    """Assets strictly below `path` (in one of its subfolders)."""
    prefix = "/" if path == ROOT else path + "/"
    return Asset.folder.like(escape_like(prefix) + "%", escape="\\")


def selects(path: str, *, recursive: bool) -> ColumnElement[bool] | None:
    """The condition for `folder=path` (with `recursive`, its subfolders too); None: all."""
    if not recursive:
        return Asset.folder == path
    if path == ROOT:
        return None
    return or_(Asset.folder == path, under(path))


def moved(folder: str, *, source: str, target: str) -> str:
    """Where an asset in `folder` lands when `source` (and its subtree) becomes `target`."""
    if folder == source:
        return target
    rest = folder[len(source) :] if source != ROOT else folder
    return (target.rstrip("/") + rest) or ROOT


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or ROOT

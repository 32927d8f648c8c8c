"""What the share pages show: a space's gallery and a profile, as plain dicts for templates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from satchel.assets.content import ACTIVE_TYPES
from satchel.runtime import Runtime
from satchel.spaces import profiles
from satchel.spaces.models import Space
from satchel.spaces.public import manifest

DESCRIPTION_CHARS = 200


def summary(text: str | None, fallback: str) -> str:
    """A one-paragraph description for link previews."""
    text = " ".join((text or "").split())
    if not text:
        return fallback
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1].rstrip() + "…"


def _display(item: dict[str, Any]) -> str:
    """How the gallery shows one asset (which template branch)."""
    kind, picture = item["kind"], item["preview_url"] or item["thumb_url"]
    if kind == "image":
        if picture or item["media_type"] not in ACTIVE_TYPES:
            return "image"
        return "file"  # an SVG is only ever shown through its rasterized preview
    if kind in ("video", "audio"):
        return str(kind)
    return "document" if picture else "file"


def space_page(session: Session, space: Space, base: str, runtime: Runtime) -> dict[str, Any]:
    data = manifest(session, space, base, runtime)
    items: list[dict[str, Any]] = data["assets"]
    for item in items:
        item["display"] = _display(item)
        item["picture_url"] = item["preview_url"] or item["thumb_url"]
        if item["display"] == "image" and item["picture_url"] is None:
            item["picture_url"] = item["url"]  # not processed yet: the original itself
        # Files a browser cannot play as stored (HEVC MOV, MKV, FLAC…) play their rendition.
        if item["playable_url"] is not None:
            item["url"] = item["playable_url"]
        item["label"] = item["alt_text"] or item["description"] or item["filename"]
    count = len(items)
    data["summary"] = summary(
        data["description"], f"{count} file{'s' if count != 1 else ''} shared with Satchel"
    )
    return data


def profile_page(session: Session, *, handle: str, base: str, runtime: Runtime) -> dict[str, Any]:
    data = profiles.public_view(session, handle=handle, base=base, runtime=runtime)
    data["name"] = data["display_name"] or f"@{data['handle']}"
    data["summary"] = summary(data["bio"], f"{data['name']} on Satchel")
    data["cover_url"] = f"{base}/u/{data['handle']}/cover"
    data["share_url"] = f"{base}/u/{data['handle']}"
    return data

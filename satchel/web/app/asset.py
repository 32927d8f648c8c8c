"""`/asset/{id}`: one asset's preview, metadata and actions (rename, move to a folder,
favourite, trash, download, a signed link to copy), through the same services as the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from satchel.api.deps import Public, RuntimeDep, client_ip
from satchel.assets import service as assets
from satchel.assets.views import base_url, content_url, to_out
from satchel.auth.service import require
from satchel.errors import Invalid, NotFound, SatchelError
from satchel.folders import service as folder_moves
from satchel.search import service as search_index
from satchel.trash import service as trash
from satchel.units import size_text
from satchel.web.app.shell import (
    BAD_FORM,
    Viewer,
    csrf_ok,
    library_url,
    redirect,
    refusal,
    render,
    viewer,
)

router = APIRouter()
Field = Annotated[str, Form(max_length=1024)]
LINK_LIFETIMES = {3600: "1 hour", 86400: "1 day", 7 * 86400: "7 days"}
DONE = {
    "renamed": "Renamed.",
    "moved": "Moved.",
    "favourite": "Added to favourites.",
    "unfavourite": "Removed from favourites.",
}


def _page(
    request: Request,
    runtime: RuntimeDep,
    who: Viewer,
    asset_id: str,
    *,
    message: str | None = None,
    status: int = 200,
    link_seconds: int = 0,
) -> Response:
    denied = refusal(who, scope="read", permission="files:own")
    if denied:
        return render("refused.html", request=request, who=who, message=denied, status=403)
    with runtime.db.session() as session:
        try:
            asset = assets.get(
                session=session,
                owner_id=who.principal.owner_filter("files:all"),
                asset_id=asset_id,
            )
        except NotFound:
            return render("not_found.html", request=request, who=who, status=404)
        base = base_url(request, runtime)
        view = to_out(asset, base, runtime)
        generation = asset.link_generation
    link = None
    if link_seconds:  # a signed link to the content, made once the asset is known to be theirs
        expires = int(time.time()) + link_seconds
        link = (
            content_url(runtime, base, view.id, expires=expires, generation=generation),
            datetime.fromtimestamp(expires, UTC),
        )
    max_link = runtime.settings.signed_url_max_seconds
    return render(
        "asset.html",
        request=request,
        who=who,
        status=status,
        a=view,
        facts=_facts(view),
        message=message,
        done=DONE.get(request.query_params.get("done", "")),
        link=link,
        lifetimes={s: t for s, t in LINK_LIFETIMES.items() if s <= max_link},
        folder_url=lambda p: library_url({"folder": p}),
        picture=view.kind == "image" or view.preview_url is not None,
    )


def _facts(a: Any) -> list[tuple[str, str]]:
    """The metadata panel: what is known, in words."""
    rows: list[tuple[str, str | None]] = [
        ("Type", a.media_type),
        ("Size", size_text(a.size)),
        ("Dimensions", f"{a.width} × {a.height} px" if a.width and a.height else None),
        ("Duration", f"{a.duration:.1f} s" if a.duration else None),
        ("Pages", str(a.pages) if a.pages else None),
        ("Taken", a.taken_at.strftime("%Y-%m-%d %H:%M") if a.taken_at else None),
        ("Camera", " ".join(p for p in (a.camera_make, a.camera_model) if p) or None),
        ("Lens", a.lens),
        (
            "Location",
            f"{a.latitude:.6f}, {a.longitude:.6f}"
            if a.latitude is not None and a.longitude is not None
            else None,
        ),
        ("Tags", ", ".join(a.tags) or None),
        ("Status", a.status),
        ("Added", a.created_at.strftime("%Y-%m-%d %H:%M")),
        ("SHA-256", a.sha256),
    ]
    return [(k, v) for k, v in rows if v]


@router.get("/asset/{asset_id}")
def asset_page(
    asset_id: str, request: Request, runtime: RuntimeDep, _: Public, link: int = 0
) -> Response:
    who = viewer(request, runtime)
    if who is None:
        return redirect("/sign-in")
    if link and (link not in LINK_LIFETIMES or link > runtime.settings.signed_url_max_seconds):
        return _page(
            request, runtime, who, asset_id, message="Choose a lifetime from the list.", status=422
        )
    return _page(request, runtime, who, asset_id, link_seconds=link)


def _action(
    request: Request,
    runtime: RuntimeDep,
    asset_id: str,
    csrf: str,
    act: Callable[[Viewer], str],
) -> Response:
    """Check the session and the form's token, do `act`, and go where it says (or show the
    page again with the refusal's message and status)."""
    who = viewer(request, runtime)
    if who is None:
        return redirect("/sign-in")
    if not csrf_ok(request, runtime, csrf, who):
        return _page(request, runtime, who, asset_id, message=BAD_FORM, status=403)
    try:
        require(who.principal, scope="write", permission="files:own")
        return redirect(act(who))
    except SatchelError as exc:
        return _page(request, runtime, who, asset_id, message=exc.message, status=exc.status)


def _owner(who: Viewer) -> str | None:
    return who.principal.owner_filter("files:all")


@router.post("/asset/{asset_id}/rename")
def rename(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    csrf: Field = "",
    filename: Field = "",
) -> Response:
    def act(who: Viewer) -> str:
        if not filename.strip():
            raise Invalid(
                "Give the file a name.", fields=[{"field": "filename", "message": "empty"}]
            )
        assets.patch(
            db=runtime.db, owner_id=_owner(who), asset_id=asset_id, changes={"filename": filename}
        )
        search_index.refresh(runtime, asset_id=asset_id)
        return f"/asset/{asset_id}?done=renamed"

    return _action(request, runtime, asset_id, csrf, act)


@router.post("/asset/{asset_id}/move")
def move(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    csrf: Field = "",
    folder: Field = "",
) -> Response:
    def act(who: Viewer) -> str:
        with runtime.db.session() as session:
            owner = assets.get(session=session, owner_id=_owner(who), asset_id=asset_id).owner_id
        folder_moves.move_assets(db=runtime.db, owner_id=owner, ids=[asset_id], folder=folder)
        return f"/asset/{asset_id}?done=moved"

    return _action(request, runtime, asset_id, csrf, act)


@router.post("/asset/{asset_id}/favourite")
def favourite(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    csrf: Field = "",
    on: Field = "",
) -> Response:
    def act(who: Viewer) -> str:
        wanted = on == "1"
        assets.patch(
            db=runtime.db, owner_id=_owner(who), asset_id=asset_id, changes={"is_favorite": wanted}
        )
        return f"/asset/{asset_id}?done={'favourite' if wanted else 'unfavourite'}"

    return _action(request, runtime, asset_id, csrf, act)


@router.post("/asset/{asset_id}/trash")
def to_trash(
    asset_id: str, request: Request, runtime: RuntimeDep, _: Public, csrf: Field = ""
) -> Response:
    def act(who: Viewer) -> str:
        with runtime.db.session() as session:
            folder = assets.get(session=session, owner_id=_owner(who), asset_id=asset_id).folder
        trash.delete(
            db=runtime.db,
            blobs=runtime.blobs,
            owner_id=_owner(who),
            asset_id=asset_id,
            actor_id=who.user.id,
            ip=client_ip(request),
        )
        return library_url({"folder": folder or "/", "done": "trashed"})

    return _action(request, runtime, asset_id, csrf, act)

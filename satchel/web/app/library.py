"""`/library`: the caller's assets as a grid, searched, filtered, sorted and browsed by
folder, page by page (an infinite scroll over the API's keyset cursor)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from satchel.api.deps import Public, RuntimeDep
from satchel.assets import folders
from satchel.assets.filters import LibraryFilter
from satchel.assets.listing import ListQuery, list_assets
from satchel.assets.views import base_url, to_out
from satchel.errors import Invalid
from satchel.folders import service as folder_tree
from satchel.web.app.shell import PAGE, library_url, redirect, refusal, render, viewer

router = APIRouter()
# tus PATCH size: bounded so no proxy's body limit refuses one (what a PATCH cut off
# delivered is kept either way, and the upload goes on from there).
CHUNK_BYTES = 8 << 20
KINDS = ("image", "video", "audio", "pdf", "document", "text", "other")
SORTS = {"created_at": "Newest added", "taken_at": "Date taken", "filename": "Name", "size": "Size"}
Text = Annotated[str, Query(max_length=200)]


def _crumbs(path: str) -> list[tuple[str, str]]:
    """(name, path) from the top down to `path`."""
    out = [("All files", folders.ROOT)]
    if path != folders.ROOT:
        parts = path.strip("/").split("/")
        out += [(p, "/" + "/".join(parts[: i + 1])) for i, p in enumerate(parts)]
    return out


@router.get("/library")
def library_page(
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    q: Text = "",
    kind: Text = "",
    sort: Text = "created_at",
    order: Literal["asc", "desc"] = "desc",
    folder: Annotated[str, Query(max_length=1024)] = "",
    cursor: Annotated[str, Query(max_length=400)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = PAGE,
    done: Text = "",
) -> Response:
    who = viewer(request, runtime)
    if who is None:
        return redirect("/sign-in")
    denied = refusal(who, scope="read", permission="files:own")
    if denied:
        return render("refused.html", request=request, who=who, message=denied, status=403)
    if sort not in SORTS:
        sort = "created_at"
    message = None
    try:
        path = folders.normalize(folder or None)
    except Invalid as exc:
        path, message = folders.ROOT, exc.message
    # The top shows everything; a folder shows what is in it (a search: and under it).
    chosen = None if path == folders.ROOT else path
    query = ListQuery(
        limit=limit,
        cursor=cursor or None,
        q=q.strip() or None,
        kind=kind if kind in KINDS else None,
        sort=sort,
        order=order,
        library=LibraryFilter(folder=chosen, recursive=bool(q.strip())),
    )
    base = base_url(request, runtime)
    owner = who.principal.owner_filter("files:all")
    with runtime.db.session() as session:
        try:
            rows, next_cursor = list_assets(session=session, owner_id=owner, query=query)
        except Invalid as exc:
            rows, next_cursor, message = [], None, exc.message
        items = [to_out(a, base, runtime) for a in rows]
        tree = [] if cursor else folder_tree.tree(session, owner_id=who.user.id)
    params: dict[str, Any] = {
        "q": q,
        "kind": query.kind or "",
        "sort": sort,
        "order": order,
        "folder": path,
        "limit": limit,
    }
    more = None if next_cursor is None else library_url(params, cursor=next_cursor)
    # A next page asked by the infinite scroll is just its cards and the next trigger.
    template = "library_page.html" if request.headers.get("HX-Request") else "library.html"
    return render(
        template,
        request=request,
        who=who,
        items=items,
        more=more,
        params=params,
        kinds=KINDS,
        sorts=SORTS,
        message=message,
        done="Moved to the trash." if done == "trashed" else None,
        chunk_bytes=CHUNK_BYTES,
        crumbs=_crumbs(path),
        subfolders=[f for f in tree if f["parent"] == path],
        folder_url=lambda p: library_url({"folder": p}),
    )

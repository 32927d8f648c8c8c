"""`/library`: the caller's assets as a grid, searched, filtered and sorted, page by page."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from satchel.api.deps import Public, RuntimeDep
from satchel.assets.listing import ListQuery, list_assets
from satchel.assets.views import base_url, to_out
from satchel.errors import Invalid
from satchel.web.app.shell import redirect, render, viewer

router = APIRouter()
PAGE = 60
KINDS = ("image", "video", "audio", "pdf", "document", "text", "other")
SORTS = {"created_at": "Newest added", "taken_at": "Date taken", "filename": "Name", "size": "Size"}
Text = Annotated[str, Query(max_length=200)]


@router.get("/library")
def library_page(
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    q: Text = "",
    kind: Text = "",
    sort: Text = "created_at",
    order: Literal["asc", "desc"] = "desc",
    cursor: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    who = viewer(request, runtime)
    if who is None:
        return redirect("/sign-in")
    if sort not in SORTS:
        sort = "created_at"
    query = ListQuery(
        limit=PAGE,
        cursor=cursor or None,
        q=q.strip() or None,
        kind=kind if kind in KINDS else None,
        sort=sort,
        order=order,
    )
    base = base_url(request, runtime)
    message = None
    with runtime.db.session() as session:
        try:
            rows, next_cursor = list_assets(
                session=session, owner_id=who.principal.owner_filter("files:all"), query=query
            )
        except Invalid as exc:
            rows, next_cursor, message = [], None, exc.message
        items = [to_out(a, base, runtime) for a in rows]
    params = {"q": q, "kind": query.kind or "", "sort": sort, "order": order}
    more = None
    if next_cursor is not None:
        wanted = {k: v for k, v in {**params, "cursor": next_cursor}.items() if v}
        more = "/library?" + urlencode(wanted)
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
    )

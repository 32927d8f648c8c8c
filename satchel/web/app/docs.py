"""`/api/docs` (Swagger UI from the package, nothing from a CDN) and the app's static files."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from satchel.api.deps import Public
from satchel.web.app.shell import STATIC, headers, render

router = APIRouter()

# Swagger UI sets style attributes as it renders; its scripts are still only ours.
DOCS_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
STATIC_CACHE = "public, max-age=3600"


@router.get("/api/docs")
def api_docs(request: Request, _: Public) -> Response:
    return render("docs.html", request=request, who=None, csp=DOCS_CSP)


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"])
def static_file(name: str, _: Public) -> Response:
    root = STATIC.resolve()
    wanted = (root / name).resolve()
    if not wanted.is_relative_to(root) or not wanted.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    media_type = mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
    extra = headers()
    extra["Cache-Control"] = STATIC_CACHE
    return FileResponse(wanted, media_type=media_type, headers=extra)

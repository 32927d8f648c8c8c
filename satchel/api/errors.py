"""Exception handlers: every failure leaves as the error envelope, never as a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from satchel.codes import Code
from satchel.errors import SatchelError

log = logging.getLogger("satchel.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


def error_response(
    status: int,
    code: str,
    message: str,
    fields: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def install(app: FastAPI) -> None:
    @app.exception_handler(SatchelError)
    async def satchel_error(_: Request, exc: SatchelError) -> JSONResponse:
        if exc.status >= 500:
            log.error("request failed: %s (%s)", exc.code, exc.message)
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "field": _field_name(tuple(e.get("loc", ()))),
                "message": e.get("msg", ""),
                "code": e.get("type"),
            }
            for e in exc.errors()
        ]
        return error_response(422, "validation_error", "The request is not valid.", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        if exc.status_code == 404:
            code = Code.ROUTE_NOT_FOUND
            message = f"No route {request.url.path}."
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        return error_response(exc.status_code, code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(OperationalError)
    async def database_error(_: Request, exc: OperationalError) -> JSONResponse:
        text = str(exc.orig).lower()
        if "full" in text:
            return error_response(507, "storage_full", "The storage is full; nothing was stored.")
        if "locked" in text or "busy" in text:
            return error_response(
                503,
                "database_busy",
                "The database is busy; try again.",
                headers={"Retry-After": "1"},
            )
        log.exception("database error", exc_info=exc)
        return error_response(503, "database_unavailable", "The database failed; try again.")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, "internal_error", "An unexpected error occurred.")

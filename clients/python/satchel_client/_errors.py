"""One exception class per error family; each carries the server's code, message and fields."""

from __future__ import annotations

from typing import Any


class SatchelError(Exception):
    """Base of every error the SDK raises.

    `code` is the server's stable snake_case code (or a client-side one such as
    `connection_failed`), `message` is for people, `fields` lists per-field problems.
    """

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status
        self.fields = fields or []
        self.headers = headers or {}

    def __str__(self) -> str:
        return f"{self.message} ({self.code})"


class ConnectionFailed(SatchelError):
    """The server could not be reached, or the connection broke."""

    default_code = "connection_failed"


class UnexpectedResponse(SatchelError):
    """The server answered something that is not the API's JSON envelope."""

    default_code = "unexpected_response"


class ApiError(SatchelError):
    """An error answered by the server: HTTP status plus `{error: {code, message, fields}}`."""

    default_code = "http_error"


class BadRequest(ApiError):  # 400
    default_code = "bad_request"


class Unauthorized(ApiError):  # 401
    default_code = "unauthorized"


class Forbidden(ApiError):  # 403: forbidden, insufficient_scope, signature_*
    default_code = "forbidden"


class NotFound(ApiError):  # 404: not_found, asset_not_found, route_not_found, ...
    default_code = "not_found"


class Conflict(ApiError):  # 409: asset_integrity_mismatch, asset_delete_blocked, handle_taken
    default_code = "conflict"


class TooLarge(ApiError):  # 413: asset_file_too_large, asset_image_too_large
    default_code = "asset_file_too_large"


class Invalid(ApiError):  # 422 (and 415): validation_error and friends
    default_code = "validation_error"


class RateLimited(ApiError):  # 429
    default_code = "rate_limited"

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class ServerError(ApiError):  # 5xx other than 503
    default_code = "internal_error"


class Unavailable(ServerError):  # 503: feature_unavailable, database_busy, ...
    default_code = "feature_unavailable"


class UploadUnavailable(SatchelError):
    """The server does not offer what this upload needs (multipart, say)."""

    default_code = "upload_unavailable"


class JobFailed(SatchelError):
    """A job this client waited for ended failed or cancelled."""

    default_code = "job_failed"


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: BadRequest,
    409: Conflict,
    413: TooLarge,
    415: Invalid,
    416: BadRequest,
    422: Invalid,
    429: RateLimited,
    503: Unavailable,
}


def error_for(status: int, body: Any, headers: dict[str, str]) -> ApiError:
    """The exception for an error answer (body: the decoded JSON, or None)."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        fields = error.get("fields")
        return cls(
            str(error.get("message") or f"HTTP {status}"),
            code=str(error.get("code") or cls.default_code),
            status=status,
            fields=[f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else [],
            headers=headers,
        )
    return cls(f"The server answered HTTP {status}.", status=status, headers=headers)

"""The error tree every service raises from; one handler turns it into the error envelope.
The codes themselves are the members of `satchel.codes.Code`.

SatchelError (500)              internal_error
├── Invalid (422)               validation_error, asset_content_type_not_allowed,
│                               asset_file_corrupt, asset_file_empty, asset_file_required,
│                               asset_description_too_long, asset_alt_text_too_long, ...
├── BadRequest (400)            bad_request
├── Unauthorized (401)          unauthorized
├── Forbidden (403)             forbidden, insufficient_scope, signature_invalid,
│                               signature_expired
├── NotFound (404)              not_found, asset_not_found, route_not_found
├── MethodNotAllowed (405)      method_not_allowed
├── Conflict (409)              conflict, asset_integrity_mismatch, asset_not_uploaded,
│                               asset_delete_blocked, handle_taken
├── TooLarge (413)              asset_file_too_large, asset_image_too_large
├── UnsupportedMediaType (415)  unsupported_media_type (a body of a type the route takes not)
├── RangeNotSatisfiable (416)   range_not_satisfiable
├── InsufficientStorage (507)   storage_full
└── Unavailable (503)           feature_unavailable, database_unavailable
"""

from __future__ import annotations

from typing import Any, ClassVar

from satchel.codes import Code


class SatchelError(Exception):
    """Base of every error a client may see; `code` is stable, `message` is for people."""

    status: ClassVar[int] = 500
    code: str = Code.INTERNAL_ERROR

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or []
        self.headers = headers or {}


class Invalid(SatchelError):
    status = 422
    code = Code.VALIDATION_ERROR


class BadRequest(SatchelError):
    status = 400
    code = Code.BAD_REQUEST


class UnsupportedMediaType(SatchelError):
    status = 415
    code = Code.UNSUPPORTED_MEDIA_TYPE


class Unauthorized(SatchelError):
    status = 401
    code = Code.UNAUTHORIZED


class Forbidden(SatchelError):
    status = 403
    code = Code.FORBIDDEN


class NotFound(SatchelError):
    status = 404
    code = Code.NOT_FOUND


class MethodNotAllowed(SatchelError):
    status = 405
    code = Code.METHOD_NOT_ALLOWED


class Conflict(SatchelError):
    status = 409
    code = Code.CONFLICT


class Gone(SatchelError):
    status = 410
    code = Code.LINK_REVOKED


class TooLarge(SatchelError):
    status = 413
    code = Code.ASSET_FILE_TOO_LARGE


class RangeNotSatisfiable(SatchelError):
    status = 416
    code = Code.RANGE_NOT_SATISFIABLE


class InsufficientStorage(SatchelError):
    status = 507
    code = Code.STORAGE_FULL


class Unavailable(SatchelError):
    status = 503
    code = Code.FEATURE_UNAVAILABLE

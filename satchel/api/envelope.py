"""The `{data, meta}` success shape and the `{error: {code, message, fields}}` error shape."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    data: T
    meta: dict[str, Any] = Field(default_factory=dict)


class ErrorField(BaseModel):
    field: str
    message: str
    code: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[ErrorField] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def envelope(data: T, **meta: Any) -> Envelope[T]:
    return Envelope[T](data=data, meta=meta)


# Documented on every route so clients see the error shape in OpenAPI.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorEnvelope, "description": "A client error, with a stable code."},
    "5XX": {"model": ErrorEnvelope, "description": "A server error, with a stable code."},
}

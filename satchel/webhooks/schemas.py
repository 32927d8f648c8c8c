"""Request and response bodies of `/webhooks`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from satchel.webhooks.events import EVENTS


def _known(events: list[str] | None) -> list[str] | None:
    if events is None:
        return None
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise ValueError(f"unknown events {unknown}; known: {', '.join(EVENTS)}")
    if not events:
        raise ValueError("subscribe to at least one event")
    return list(dict.fromkeys(events))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class EndpointIn(_In):
    url: str = Field(max_length=2000, description="Where events are POSTed (http or https).")
    events: list[str] = Field(default_factory=lambda: list(EVENTS), description="Events to send.")
    description: str = Field("", max_length=500)
    is_global: bool = Field(
        False, description="Hear every owner's events (admins only); default: the caller's."
    )

    _check = field_validator("events")(_known)


class EndpointPatch(_In):
    url: str | None = Field(None, max_length=2000)
    events: list[str] | None = None
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(None, description="Re-enabling resets the failure count.")

    _check = field_validator("events")(_known)


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    is_global: bool
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    secret: str | None = Field(
        None, description="The signing secret (`whsec_…`), only in the answer that creates it."
    )


class DeliveryOut(BaseModel):
    id: str = Field(description="Also the `webhook-id` header, the same on every attempt.")
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_response_ms: int | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict[str, object]


class EventOut(BaseModel):
    name: str

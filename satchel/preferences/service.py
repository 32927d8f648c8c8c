"""Known runtime settings, their validation and defaults."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.audit.service import record
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Invalid, NotFound
from satchel.preferences.models import Preference


class Known(BaseModel):
    """Every setting the API accepts, with its type and default."""

    disabledTools: list[str] = Field(
        default_factory=list, description="Tool ids hidden from the catalog and refused."
    )
    enableExperimentalTools: bool = Field(False, description="Show tools marked experimental.")
    loginAttemptLimit: int = Field(
        5, ge=1, le=1000, description="Failed sign-ins per account in 15 minutes before 429."
    )


DEFAULTS = Known().model_dump()
_FIELDS = Known.model_fields


def all_values(session: Session) -> dict[str, Any]:
    stored = {p.key: p.value for p in session.scalars(select(Preference))}
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}


def get_value(session: Session, key: str) -> Any:
    if key not in DEFAULTS:
        raise NotFound(f"No setting {key!r}.", code=Code.SETTING_NOT_FOUND)
    return all_values(session)[key]


def update(
    session: Session, *, actor_id: str, changes: dict[str, Any], ip: str | None
) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise Invalid(
            f"Unknown settings: {', '.join(unknown)}.",
            code=Code.SETTING_UNKNOWN,
            fields=[{"field": k, "message": "unknown setting"} for k in unknown],
        )
    clean: dict[str, Any] = {}
    errors = []
    for key, value in changes.items():
        field = _FIELDS[key]
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(field.annotation or Any)
            clean[key] = adapter.validate_python(value, strict=False)
            Known.model_validate({**DEFAULTS, key: clean[key]})
        except ValidationError as exc:
            errors.append({"field": key, "message": exc.errors()[0]["msg"]})
    if errors:
        raise Invalid("Some settings are not valid.", fields=errors)
    now = utcnow()
    for key, value in clean.items():
        row = session.get(Preference, key)
        if row is None:
            session.add(Preference(key=key, value=value, updated_at=now, updated_by=actor_id))
        else:
            row.value, row.updated_at, row.updated_by = value, now, actor_id
    record(
        session,
        action="SETTINGS_UPDATED",
        actor_id=actor_id,
        ip=ip,
        target_type="settings",
        keys=sorted(clean),
    )
    session.commit()
    return all_values(session)

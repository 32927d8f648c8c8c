"""Saved pipelines: saving, listing and deleting them (running them is `service`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Invalid, NotFound
from satchel.ids import new_id
from satchel.runs.models import SavedPipeline
from satchel.tools import runner


def save(
    session: Session,
    *,
    owner_id: str,
    name: str,
    description: str | None,
    steps: list[dict[str, Any]],
    max_steps: int,
) -> SavedPipeline:
    runner.plan_pipeline(steps, max_steps=max_steps)  # a saved pipeline is a valid one
    if not name.strip():
        raise Invalid("A pipeline needs a name.", fields=[{"field": "name", "message": "empty"}])
    now = utcnow()
    row = SavedPipeline(
        id=new_id("pln"),
        owner_id=owner_id,
        name=name.strip(),
        description=description,
        steps=steps,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.commit()
    return row


def list_saved(session: Session, *, owner_id: str | None) -> list[SavedPipeline]:
    stmt = select(SavedPipeline).order_by(SavedPipeline.created_at.desc())
    if owner_id is not None:
        stmt = stmt.where(SavedPipeline.owner_id == owner_id)
    return list(session.scalars(stmt.limit(1000)))


def get(session: Session, *, owner_id: str | None, pipeline_id: str) -> SavedPipeline:
    row = session.get(SavedPipeline, pipeline_id)
    if row is None or (owner_id is not None and row.owner_id != owner_id):
        raise NotFound(f"No pipeline {pipeline_id}.", code=Code.PIPELINE_NOT_FOUND)
    return row


def delete(session: Session, *, owner_id: str | None, pipeline_id: str) -> None:
    session.delete(get(session, owner_id=owner_id, pipeline_id=pipeline_id))
    session.commit()

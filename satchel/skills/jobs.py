"""Skill job handlers: one skill run (`?async=true`) and enrichment after processing."""

from __future__ import annotations

import contextlib
from typing import Any

from satchel.errors import SatchelError
from satchel.jobs.registry import JobContext, JobStatus, job
from satchel.skills import service
from satchel.skills.catalog import BY_NAME


@job(service.RUN_SKILL)
def run_skill(ctx: JobContext) -> JobStatus:
    if ctx.subject_id is None:
        return JobStatus.SKIPPED
    try:
        execution = service.run_skill(
            ctx.runtime,
            owner_id=ctx.params.get("owner"),
            asset_id=ctx.subject_id,
            skill_name=str(ctx.params["skill"]),
            params=dict(ctx.params.get("params") or {}),
            queued=True,
            report=ctx.progress,
        )
    except SatchelError as exc:
        ctx.error = f"{exc.code}: {exc.message}"
        return JobStatus.FAILED
    ctx.result = execution
    if not execution["succeeded"]:
        ctx.error = "; ".join(
            s["error_message"] for s in execution["steps"] if s.get("error_message")
        )
        return JobStatus.FAILED
    return JobStatus.COMPLETED


def skills_for(runtime: Any, kind: str) -> list[str]:
    """The skills enrichment runs for this kind of asset (the `enrichment_skills` setting)."""
    chosen: dict[str, list[str]] = runtime.settings.enrichment_skills
    return [name for name in chosen.get(kind, []) if name in BY_NAME]


@job(service.ENRICH)
def enrich(ctx: JobContext) -> JobStatus:
    """Run the configured skills on a processed asset, then index it (idempotent)."""
    if ctx.subject_id is None:
        return JobStatus.SKIPPED
    runtime = ctx.runtime
    from satchel.search import service as search

    with runtime.db.session() as session:
        try:
            asset = service.get_asset(session, owner_id=None, asset_id=ctx.subject_id)
        except SatchelError:
            return JobStatus.SKIPPED  # deleted meanwhile
        kind = asset.kind
    names = list(ctx.params.get("skills") or skills_for(runtime, kind))
    done: dict[str, bool] = {}
    for i, name in enumerate(names):
        ctx.progress(int(100 * i / max(1, len(names))), name)
        if not BY_NAME[name].applies_to(kind):
            continue
        try:
            execution = service.run_skill(
                runtime,
                owner_id=None,
                asset_id=ctx.subject_id,
                skill_name=name,
                trigger="enrichment",
                queued=True,
            )
            done[name] = bool(execution["succeeded"])
        except SatchelError as exc:
            done[name] = False
            ctx.error = f"{name}: {exc.code}"
    with contextlib.suppress(SatchelError):
        search.reindex(runtime, asset_id=ctx.subject_id)
    ctx.result = {"asset_id": ctx.subject_id, "skills": done}
    return JobStatus.COMPLETED

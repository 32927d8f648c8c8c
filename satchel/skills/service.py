"""Running skills on stored assets: each step in the sandbox (tools) or here (composed
results), its outcome recorded as the asset's last skill execution, its facts as AI
results; the search index is refreshed after."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Invalid, NotFound, SatchelError
from satchel.runs import service as runs
from satchel.skills.catalog import BY_NAME, SKILLS, Skill, Step
from satchel.skills.models import AiResult, SkillExecution
from satchel.tools import registry, runner
from satchel.tools.base import InputFile, Inputs

RUN_SKILL = "skills.run"
ENRICH = "skills.enrich"
Report = Callable[[int, str | None], None]


def skill(name: str) -> Skill:
    found = BY_NAME.get(name)
    if found is None:
        raise NotFound(
            f"No skill {name!r} (known: {', '.join(BY_NAME)}).", code=Code.SKILL_NOT_FOUND
        )
    return found


def _step_view(step: Step) -> dict[str, Any]:
    why = None
    if step.tool is not None:
        tool = registry.tools().get(step.tool)
        why = "not installed" if tool is None else tool.unavailable()
    return {
        "name": step.name,
        "tool": step.tool,
        "result_kind": step.result,
        "applies_to": sorted(step.kinds),
        "optional": step.optional,
        "available": why is None,
        "unavailable_reason": why,
    }


def list_skills() -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "description": s.description,
            "steps": [_step_view(step) for step in s.steps],
            "slow": s.slow,
        }
        for s in SKILLS
    ]


def get_asset(session: Session, *, owner_id: str | None, asset_id: str) -> Asset:
    stmt = select(Asset).where(Asset.id == asset_id)
    if owner_id is not None:
        stmt = stmt.where(Asset.owner_id == owner_id)
    asset = session.scalars(stmt).first()
    if asset is None or asset.sha256 is None:
        raise NotFound(f"No asset {asset_id}.", code=Code.ASSET_NOT_FOUND)
    return asset


def check_applies(s: Skill, kind: str) -> None:
    if not s.applies_to(kind):
        raise Invalid(
            f"The {s.name} skill does not apply to {kind} assets.",
            code=Code.SKILL_NOT_APPLICABLE,
        )


def results_of(session: Session, asset_id: str) -> dict[str, dict[str, Any]]:
    rows = session.scalars(select(AiResult).where(AiResult.asset_id == asset_id))
    return {r.kind: dict(r.payload_json) for r in rows}


def _save_result(runtime: Any, asset_id: str, kind: str, skill_name: str, payload: Any) -> None:
    with runtime.db.write_session() as session:
        session.execute(
            delete(AiResult).where(AiResult.asset_id == asset_id, AiResult.kind == kind)
        )
        session.add(
            AiResult(
                asset_id=asset_id,
                kind=kind,
                skill_name=skill_name,
                payload_json=payload,
                created_at=utcnow(),
            )
        )
        session.commit()


def _run_tool(
    runtime: Any, step: Step, source: Path, asset: dict[str, Any], *, queued: bool, workdir: Path
) -> dict[str, Any]:
    assert step.tool is not None
    tool = registry.get(step.tool)
    runner.check_available(tool)
    inputs = Inputs((InputFile(source, asset["filename"], asset["media_type"]),))
    result = runs.run_in_sandbox(
        runtime, runs.Plan(tool=tool), inputs, dict(step.settings), workdir=workdir, queued=queued
    )
    return dict(result.data or {})


def run_skill(
    runtime: Any,
    *,
    owner_id: str | None,
    asset_id: str,
    skill_name: str,
    trigger: str = "manual",
    params: dict[str, Any] | None = None,
    queued: bool = False,
    report: Report | None = None,
) -> dict[str, Any]:
    """Run every step of a skill on the asset; the execution as recorded."""
    s = skill(skill_name)
    params = params or {}
    with runtime.db.session() as session:
        row = get_asset(session, owner_id=owner_id, asset_id=asset_id)
        check_applies(s, row.kind)
        asset = {
            "id": row.id,
            "kind": row.kind,
            "media_type": row.media_type,
            "filename": row.filename,
            "width": row.width,
            "height": row.height,
            "info": dict(row.info or {}),
            "alt_text": row.alt_text,
        }
        sha, owner, location = row.sha256, row.owner_id, row.store
        known = results_of(session, asset_id)
    assert sha is not None
    started = utcnow()
    steps: list[dict[str, Any]] = []
    fresh: dict[str, dict[str, Any]] = {}
    scratch = str(runtime.blobs.scratch_dir)
    with (
        tempfile.TemporaryDirectory(prefix="skill-", dir=scratch) as tmp,
        runtime.blobs.at(location).local_copy(sha) as source,
    ):
        for i, step in enumerate(s.steps):
            if report is not None:
                report(int(100 * i / len(s.steps)), step.name)
            steps.append(
                _run_step(runtime, s, step, source, asset, known, fresh, queued, Path(tmp))
            )
    alt = fresh.get("alt_text")
    if alt is not None and (not asset["alt_text"] or params.get("overwrite")):
        _set_alt_text(runtime, asset_id, str(alt["text"]))
    required = [st for st, step in zip(steps, s.steps, strict=True) if not step.optional]
    succeeded = all(st["succeeded"] is not False for st in required) and any(
        st["succeeded"] for st in steps
    )
    from satchel.search import service as search

    with contextlib.suppress(SatchelError):  # semantic search is optional; keywords still work
        search.reindex(runtime, asset_id=asset_id)
    return _record(runtime, asset_id, owner, s.name, trigger, started, succeeded, steps)


def _run_step(
    runtime: Any,
    s: Skill,
    step: Step,
    source: Path,
    asset: dict[str, Any],
    known: dict[str, dict[str, Any]],
    fresh: dict[str, dict[str, Any]],
    queued: bool,
    workdir: Path,
) -> dict[str, Any]:
    began = utcnow()
    record: dict[str, Any] = {"step_name": step.name, "started_at": began.isoformat()}
    if asset["kind"] not in step.kinds:
        record.update(succeeded=None, skipped=True, error_message=None)
    elif step.optional and step.result in known and step.result not in fresh:
        fresh[step.result] = known[step.result]  # a prerequisite another skill made: reuse
        record.update(succeeded=True, reused=True, error_message=None)
    else:
        try:
            if step.tool is not None:
                payload = _run_tool(runtime, step, source, asset, queued=queued, workdir=workdir)
            else:
                assert step.compose is not None
                payload = step.compose(asset, {**known, **fresh})
            assert step.result is not None
            fresh[step.result] = payload
            _save_result(runtime, asset["id"], step.result, s.name, payload)
            record.update(succeeded=True, error_message=None)
        except SatchelError as exc:
            record.update(succeeded=False, error_message=f"{exc.code}: {exc.message}")
    record["completed_at"] = utcnow().isoformat()
    return record


def _set_alt_text(runtime: Any, asset_id: str, text: str) -> None:
    with runtime.db.write_session() as session:
        row = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
        if row is not None:
            row.alt_text = text[:1000]
            row.updated_at = utcnow()
        session.commit()


def _record(
    runtime: Any,
    asset_id: str,
    owner_id: str,
    name: str,
    trigger: str,
    started: Any,
    succeeded: bool,
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    with runtime.db.write_session() as session:
        row = SkillExecution(
            asset_id=asset_id,
            owner_id=owner_id,
            skill_name=name,
            trigger=trigger,
            started_at=started,
            completed_at=utcnow(),
            succeeded=succeeded,
            steps=steps,
        )
        session.add(row)
        session.commit()
        return execution_view(row)


def execution_view(row: SkillExecution) -> dict[str, Any]:
    return {
        "skill_name": row.skill_name,
        "trigger": row.trigger,
        "started_at": row.started_at.isoformat(),
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        "succeeded": row.succeeded,
        "steps": list(row.steps),
    }


def last_execution(session: Session, asset_id: str) -> dict[str, Any] | None:
    row = session.scalars(
        select(SkillExecution)
        .where(SkillExecution.asset_id == asset_id)
        .order_by(SkillExecution.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else execution_view(row)


def ai_results_view(session: Session, asset_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AiResult).where(AiResult.asset_id == asset_id).order_by(AiResult.kind)
    )
    return [
        {
            "kind": r.kind,
            "skill_name": r.skill_name,
            "payload_json": dict(r.payload_json),
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]

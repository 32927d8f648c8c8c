"""`/assets/skills` and `/assets/{id}/skills/{name}/run`: AI skills on stored assets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from satchel.api.deps import ReadFiles, RuntimeDep, WriteFiles
from satchel.api.envelope import Envelope, envelope
from satchel.assets.views import base_url, to_out
from satchel.jobs import service as jobs
from satchel.skills import service

router = APIRouter(tags=["skills"])


@router.get("/assets/skills", summary="The AI skills that can run on assets")
def list_skills(_: ReadFiles) -> Envelope[list[dict[str, Any]]]:
    return envelope(service.list_skills())


@router.post(
    "/assets/{asset_id}/skills/{skill_name}/run",
    summary="Run a skill on an asset (waits for it; `?async=true` answers 202 with a job)",
)
def run_skill(
    asset_id: str,
    skill_name: str,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    principal: WriteFiles,
    params: Annotated[dict[str, Any] | None, Body(examples=[{}])] = None,
    run_async: Annotated[bool, Query(alias="async")] = False,
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    skill = service.skill(skill_name)
    if run_async:
        with runtime.db.write_session() as session:
            asset = service.get_asset(session, owner_id=owner, asset_id=asset_id)
            service.check_applies(skill, asset.kind)
            job = jobs.create(
                session,
                kind=service.RUN_SKILL,
                owner_id=principal.user_id,
                subject_id=asset_id,
                params={"skill": skill.name, "params": params or {}, "owner": owner},
            )
            job_id = job.id
            session.commit()
        runtime.queue.enqueue(job_id)
        response.status_code = 202
        return envelope({"job_id": job_id, "skill_name": skill.name, "status": "queued"})
    execution = service.run_skill(
        runtime, owner_id=owner, asset_id=asset_id, skill_name=skill.name, params=params
    )
    with runtime.db.session() as session:
        asset = service.get_asset(session, owner_id=owner, asset_id=asset_id)
        out = to_out(asset, base_url(request, runtime), runtime).model_dump(mode="json")
        out["ai_results"] = service.ai_results_view(session, asset_id)
        out["last_skill_execution"] = execution
    return envelope({**execution, "asset": out})

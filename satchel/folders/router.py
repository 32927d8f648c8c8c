"""HTTP routes of folders: the tree, moving assets, renaming or moving a folder, and
deleting one (everything inside goes to the trash, or for good)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import AliasChoices, BaseModel, Field

from satchel.api.deps import ReadFiles, RuntimeDep, SessionDep, WriteFiles, client_ip
from satchel.api.envelope import Envelope, envelope
from satchel.assets.schemas import Request as Body
from satchel.folders import service

router = APIRouter(tags=["folders"])


class Folder(BaseModel):
    path: str
    name: str
    parent: str | None
    count: int = Field(description="Assets in this folder itself.")
    bytes: int
    total_count: int = Field(description="With every subfolder.")
    total_bytes: int


class MoveAssets(Body):
    ids: list[str] = Field(min_length=1, max_length=1000)
    folder: str = Field(max_length=1024)
    allow_duplicates: bool = False


class Moved(BaseModel):
    moved: list[str]
    not_found_ids: list[str]


class MoveFolder(Body):
    source: str = Field(validation_alias=AliasChoices("from", "source", "path"), max_length=1024)
    target: str = Field(validation_alias=AliasChoices("to", "target"), max_length=1024)
    allow_duplicates: bool = False


class FolderMoved(BaseModel):
    source: str
    target: str
    moved: int


@router.get("/folders", summary="The caller's folder tree, with counts and sizes")
def folder_tree(session: SessionDep, principal: ReadFiles) -> Envelope[list[Folder]]:
    rows = service.tree(session, owner_id=principal.user_id)
    return envelope([Folder.model_validate(r) for r in rows])


@router.post("/assets/move", summary="Move assets into a folder")
def move_assets(body: MoveAssets, runtime: RuntimeDep, principal: WriteFiles) -> Envelope[Moved]:
    moved, missing = service.move_assets(
        db=runtime.db,
        owner_id=principal.user_id,
        ids=body.ids,
        folder=body.folder,
        allow_duplicates=body.allow_duplicates,
    )
    return envelope(Moved(moved=moved, not_found_ids=missing))


@router.post("/folders/move", summary="Rename or move a folder and everything under it")
def move_folder(
    body: MoveFolder, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[FolderMoved]:
    count = service.move_folder(
        db=runtime.db,
        owner_id=principal.user_id,
        source=body.source,
        target=body.target,
        allow_duplicates=body.allow_duplicates,
    )
    return envelope(FolderMoved(source=body.source, target=body.target, moved=count))


@router.delete(
    "/folders",
    summary="Delete a folder: everything in it (and under it) to the trash, or for good",
    description="`dry_run=true` answers the delete plan of every asset inside and changes "
    "nothing; `permanent=true` runs the delete engine on each. Assets that hard references "
    "still need stay where they are and are listed in `blocked_ids`.",
)
def delete_folder(
    request: Request,
    runtime: RuntimeDep,
    principal: WriteFiles,
    path: str = Query(max_length=1024),
    dry_run: bool = False,
    permanent: bool = False,
) -> Envelope[dict[str, Any]]:
    result = service.delete_folder(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.user_id,
        folder=path,
        actor_id=principal.user_id,
        ip=client_ip(request),
        dry_run=dry_run,
        permanent=permanent,
    )
    return envelope(result, dry_run=dry_run)

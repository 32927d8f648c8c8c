"""Every API operation, written once as a generator of `Call`s (see `_core`)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from satchel_client._core import Call, FileSlice, Op, Reply, api_path
from satchel_client._errors import SatchelError, UnexpectedResponse
from satchel_client._models import (
    Account,
    ApiKey,
    Asset,
    Job,
    Login,
    Model,
    Page,
    Reprocessed,
    Session,
    SignedUrl,
    Space,
    Tool,
    ToolResult,
    Usage,
    Webhook,
    WebhookDelivery,
)

M = TypeVar("M", bound=Model)


def _one(cls: type[M], reply: Reply) -> M:
    data = reply.data
    if not isinstance(data, dict):
        raise UnexpectedResponse("The answer has no `data` object.", status=reply.status)
    return cls.from_api(data)


def _many(cls: type[M], reply: Reply) -> list[M]:
    data = reply.data
    if not isinstance(data, list):
        raise UnexpectedResponse("The answer has no `data` list.", status=reply.status)
    return [cls.from_api(item) for item in data if isinstance(item, dict)]


def _page(cls: type[M], reply: Reply) -> Page[M]:
    meta = reply.meta
    cursor = meta.get("next_cursor")
    return Page(
        _many(cls, reply),
        str(cursor) if cursor else None,
        bool(meta.get("has_more", cursor is not None)),
    )


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _get(url: str, **params: Any) -> Call:
    return Call("GET", url, params=_clean(params) or None, idempotent=True)


# --- assets ----------------------------------------------------------------------------


def list_assets(params: dict[str, Any], cursor: str | None) -> Op[Page[Asset]]:
    reply = yield _get("/assets", **params, cursor=cursor)
    return _page(Asset, reply)


def get_asset(asset_id: str) -> Op[Asset]:
    return _one(Asset, (yield _get(f"/assets/{asset_id}")))


def patch_asset(asset_id: str, changes: dict[str, Any]) -> Op[Asset]:
    # The same body twice leaves the same asset: safe to retry.
    reply = yield Call("PATCH", f"/assets/{asset_id}", json=changes, idempotent=True)
    return _one(Asset, reply)


def make_public(
    asset_id: str, on: bool, strip_metadata: bool, allow_download: bool, expires_at: Any
) -> Op[Asset]:
    changes: dict[str, Any] = {"is_public": on}
    if on:
        changes |= {
            "public_strip_metadata": strip_metadata,
            "public_allow_download": allow_download,
            "public_expires_at": expires_at.isoformat() if expires_at is not None else None,
        }
    return patch_asset(asset_id, changes)


def delete_asset(asset_id: str, dry_run: bool, permanent: bool = False) -> Op[dict[str, Any]]:
    params = {"dry_run": "true"} if dry_run else {}
    if permanent:
        params["permanent"] = "true"
    reply = yield Call("DELETE", f"/assets/{asset_id}", params=params, idempotent=True)
    return {**(reply.data or {}), **{"meta": reply.meta}}


def move_assets(ids: list[str], folder: str, allow_duplicates: bool) -> Op[dict[str, Any]]:
    body = {"ids": ids, "folder": folder, "allow_duplicates": allow_duplicates}
    reply = yield Call("POST", "/assets/move", json=body, idempotent=True)
    return dict(reply.data or {})


def asset_facets(params: dict[str, Any]) -> Op[dict[str, Any]]:
    return dict((yield _get("/assets/facets", **params)).data or {})


def asset_duplicates(cursor: str | None) -> Op[list[dict[str, Any]]]:
    reply = yield _get("/assets/duplicates", cursor=cursor, limit=200)
    return [g for g in reply.data or [] if isinstance(g, dict)]


def folder_tree() -> Op[list[dict[str, Any]]]:
    return [f for f in (yield _get("/folders")).data or [] if isinstance(f, dict)]


def move_folder(source: str, target: str, allow_duplicates: bool) -> Op[dict[str, Any]]:
    body = {"from": source, "to": target, "allow_duplicates": allow_duplicates}
    reply = yield Call("POST", "/folders/move", json=body, idempotent=True)
    return dict(reply.data or {})


def delete_folder(path: str, dry_run: bool, permanent: bool) -> Op[dict[str, Any]]:
    params = _clean(
        {
            "path": path,
            "dry_run": "true" if dry_run else None,
            "permanent": "true" if permanent else None,
        }
    )
    reply = yield Call("DELETE", "/folders", params=params, idempotent=True)
    return dict(reply.data or {})


def export_zip(url: str, params: dict[str, Any], dest: Path) -> Op[Path]:
    """A space's or folder's export (`GET …/export`), streamed into `dest`."""
    yield Call("GET", url, params=_clean(params), idempotent=True, download_to=dest)
    return dest


def import_zip(url: str, archive: Path, params: dict[str, Any]) -> Op[dict[str, Any]]:
    """An exported ZIP sent back as the request body (`POST …/import`). Not retried: a
    second try after a lost answer would import a second copy."""
    if not archive.is_file():
        raise SatchelError(f"{archive} is not a file.", code="file_not_found")
    reply = yield Call(
        "POST",
        url,
        params=_clean(params),
        body=FileSlice(archive, 0, archive.stat().st_size),
        headers={"content-type": "application/zip"},
    )
    return dict(reply.data or {})


def list_trash(cursor: str | None, limit: int) -> Op[Page[Asset]]:
    return _page(Asset, (yield _get("/trash", cursor=cursor, limit=limit)))


def trash_assets(ids: list[str]) -> Op[dict[str, Any]]:
    return dict((yield Call("POST", "/trash", json={"ids": ids}, idempotent=True)).data or {})


def restore_assets(ids: list[str]) -> Op[dict[str, Any]]:
    reply = yield Call("POST", "/trash/restore", json={"ids": ids}, idempotent=True)
    return dict(reply.data or {})


def empty_trash() -> Op[dict[str, Any]]:
    return dict((yield Call("POST", "/trash/empty", idempotent=True)).data or {})


def asset_url(asset_id: str, expires_in: int | None) -> Op[SignedUrl]:
    return _one(SignedUrl, (yield _get(f"/assets/{asset_id}/url", expires_in=expires_in)))


def asset_references(asset_id: str) -> Op[dict[str, Any]]:
    reply = yield _get(f"/assets/{asset_id}/references")
    return dict(reply.data or {})


def asset_spaces(asset_id: str) -> Op[list[Space]]:
    return _many(Space, (yield _get(f"/assets/{asset_id}/spaces")))


def reprocess(asset_id: str) -> Op[tuple[Asset, str | None]]:
    reply = yield Call("POST", f"/assets/{asset_id}/reprocess")
    return _one(Asset, reply), reply.meta.get("job_id")


def bulk_reprocess(cursor: str | None, limit: int | None, kind: str | None) -> Op[Reprocessed]:
    params = _clean({"cursor": cursor, "limit": limit, "kind": kind})
    reply = yield Call("POST", "/assets/bulk-reprocess", params=params or None)
    return _one(Reprocessed, reply)


def download(
    asset_id: str, dest: Path, on_bytes: Callable[[int], None] | None, raw: bool
) -> Op[Path]:
    yield Call(
        "GET",
        f"/assets/{asset_id}/{'raw' if raw else 'content'}",
        idempotent=True,
        download_to=dest,
        on_bytes=on_bytes,
    )
    return dest


# --- spaces ----------------------------------------------------------------------------


def create_space(body: dict[str, Any]) -> Op[Space]:
    return _one(Space, (yield Call("POST", "/spaces", json=_clean(body))))


def list_spaces() -> Op[list[Space]]:
    return _many(Space, (yield _get("/spaces")))


def pick_space(spaces: list[Space], name_or_id: str) -> Space | None:
    """The space with this id, short id or name (names compared case-insensitively); two
    spaces of that name are an error, never a silent pick."""
    for space in spaces:
        if name_or_id in (space.id, space.short_id):
            return space
    wanted = name_or_id.casefold()
    named = [s for s in spaces if s.name.casefold() == wanted]
    if len(named) > 1:
        ids = ", ".join(s.id for s in named)
        raise SatchelError(
            f"{len(named)} of your spaces are named {name_or_id!r} ({ids}): name one by its id.",
            code="space_ambiguous",
        )
    return named[0] if named else None


def get_space(space_id: str) -> Op[Space]:
    return _one(Space, (yield _get(f"/spaces/{space_id}")))


def update_space(space_id: str, changes: dict[str, Any]) -> Op[Space]:
    return _one(Space, (yield Call("PATCH", f"/spaces/{space_id}", json=changes, idempotent=True)))


def delete_space(space_id: str) -> Op[dict[str, Any]]:
    reply = yield Call("DELETE", f"/spaces/{space_id}", idempotent=True)
    return dict(reply.data or {})


def publish(space_id: str, asset_ids: list[str]) -> Op[list[dict[str, Any]]]:
    reply = yield Call(
        "POST", f"/spaces/{space_id}/publications", json={"asset_ids": asset_ids}, idempotent=True
    )
    return list(reply.data or [])


def publications(space_id: str) -> Op[list[Asset]]:
    return _many(Asset, (yield _get(f"/spaces/{space_id}/publications")))


def unpublish(space_id: str, asset_id: str) -> Op[dict[str, Any]]:
    reply = yield Call("DELETE", f"/spaces/{space_id}/publications/{asset_id}", idempotent=True)
    return dict(reply.data or {})


# --- keys, account, usage, auth --------------------------------------------------------


def list_keys() -> Op[list[ApiKey]]:
    return _many(ApiKey, (yield _get("/api-keys")))


def create_key(body: dict[str, Any]) -> Op[ApiKey]:
    return _one(ApiKey, (yield Call("POST", "/api-keys", json=_clean(body))))


def revoke_current_key() -> Op[dict[str, Any]]:
    reply = yield Call("DELETE", "/api-keys/current", idempotent=True)
    return dict(reply.data or {})


def revoke_key(key_id: str) -> Op[dict[str, Any]]:
    reply = yield Call("DELETE", f"/api-keys/{key_id}", idempotent=True)
    return dict(reply.data or {})


def get_account() -> Op[Account]:
    return _one(Account, (yield _get("/account")))


def patch_account(changes: dict[str, Any]) -> Op[Account]:
    return _one(Account, (yield Call("PATCH", "/account", json=changes, idempotent=True)))


def update_profile(changes: dict[str, Any]) -> Op[Account]:
    reply = yield Call("PATCH", "/account/profile", json=changes, idempotent=True)
    return _one(Account, reply)


def onboard(display_name: str | None) -> Op[Account]:
    body = {"display_name": display_name} if display_name is not None else {}
    return _one(Account, (yield Call("POST", "/account/onboard", json=body, idempotent=True)))


def usage() -> Op[Usage]:
    return _one(Usage, (yield _get("/usage")))


def login(username: str, password: str) -> Op[Login]:
    body = {"username": username, "password": password}
    return _one(Login, (yield Call("POST", "/auth/login", json=body, auth=False)))


def whoami() -> Op[Session]:
    return _one(Session, (yield _get("/auth/session")))


def health() -> Op[dict[str, Any]]:
    reply = yield Call("GET", "/health", auth=False, idempotent=True)
    return dict(reply.data or reply.body or {})


# --- jobs ------------------------------------------------------------------------------


def get_job(job_id: str) -> Op[Job]:
    return _one(Job, (yield _get(f"/jobs/{job_id}")))


def list_jobs(params: dict[str, Any], cursor: str | None) -> Op[Page[Job]]:
    return _page(Job, (yield _get("/jobs", **params, cursor=cursor)))


def cancel_job(job_id: str) -> Op[Job]:
    return _one(Job, (yield Call("POST", f"/jobs/{job_id}/cancel", idempotent=True)))


# --- tools and pipelines ---------------------------------------------------------------


def get_tool(tool: str) -> Op[Tool]:
    """One tool ("section/id") with its settings' JSON schema (`raw["settings_schema"]`)."""
    return _one(Tool, (yield _get(f"/tools/{tool}")))


def list_tools() -> Op[list[Tool]]:
    reply = yield _get("/tools")
    data = reply.data
    if isinstance(data, dict):  # sections → tools
        items = [
            {"section": section, **tool}
            for section, tools in data.items()
            if isinstance(tools, list)
            for tool in tools
            if isinstance(tool, dict)
        ]
        return [Tool.from_api(item) for item in items]
    return _many(Tool, reply)


def _file_parts(name: str, paths: list[Path]) -> list[tuple[str, tuple[str, Path | bytes, str]]]:
    return [
        (name, (p.name, p, mimetypes.guess_type(p.name)[0] or "application/octet-stream"))
        for p in paths
    ]


def run_tool(
    section: str,
    tool_id: str,
    files: list[Path],
    settings: dict[str, Any],
    output: Path | None,
    background: bool = False,
) -> Op[ToolResult]:
    form = {"settings": json.dumps(settings)}
    if background:
        form["async"] = "true"
    if len(files) <= 1:
        reply = yield Call(
            "POST", f"/tools/{section}/{tool_id}", files=_file_parts("file", files), form=form
        )
        return _tool_result(reply)
    # A batch answers a ZIP archive as it is made, not JSON.
    if output is None:
        raise SatchelError(
            "A batch answers a ZIP archive: give an output file.", code="output_required"
        )
    reply = yield Call(
        "POST",
        f"/tools/{section}/{tool_id}/batch",
        files=_file_parts("files", files),
        form=form,
        download_to=output,
    )
    return ToolResult.from_api(
        {
            "job_id": reply.headers.get("x-job-id", ""),
            "filename": output.name,
            "saved_to": str(output),
        }
    )


def run_pipeline(
    file: Path, steps: list[dict[str, Any]], background: bool = False
) -> Op[ToolResult]:
    form = {"pipeline": json.dumps({"steps": steps})}
    if background:
        form["async"] = "true"
    reply = yield Call("POST", "/pipeline/execute", files=_file_parts("file", [file]), form=form)
    return _tool_result(reply)


def _tool_result(reply: Reply) -> ToolResult:
    data = reply.data if isinstance(reply.data, dict) else reply.body
    if not isinstance(data, dict):
        raise UnexpectedResponse("The tool's answer has no data.", status=reply.status)
    aliases = {
        "jobId": "job_id",
        "downloadUrl": "download_url",
        "originalSize": "original_size",
        "processedSize": "processed_size",
    }
    data = {aliases.get(k, k): v for k, v in data.items()}
    return ToolResult.from_api(data)


def fetch(url: str, dest: Path) -> Op[Path]:
    yield Call("GET", api_path(url), idempotent=True, download_to=dest)
    return dest


# --- webhooks --------------------------------------------------------------------------


def list_webhooks() -> Op[list[Webhook]]:
    return _many(Webhook, (yield _get("/webhooks")))


def create_webhook(body: dict[str, Any]) -> Op[Webhook]:
    return _one(Webhook, (yield Call("POST", "/webhooks", json=_clean(body))))


def get_webhook(webhook_id: str) -> Op[Webhook]:
    return _one(Webhook, (yield _get(f"/webhooks/{webhook_id}")))


def update_webhook(webhook_id: str, changes: dict[str, Any]) -> Op[Webhook]:
    call = Call("PATCH", f"/webhooks/{webhook_id}", json=_clean(changes), idempotent=True)
    return _one(Webhook, (yield call))


def delete_webhook(webhook_id: str) -> Op[None]:
    yield Call("DELETE", f"/webhooks/{webhook_id}", idempotent=True)


def webhook_deliveries(webhook_id: str, limit: int) -> Op[list[WebhookDelivery]]:
    return _many(WebhookDelivery, (yield _get(f"/webhooks/{webhook_id}/deliveries", limit=limit)))


def redeliver(webhook_id: str, delivery_id: str) -> Op[WebhookDelivery]:
    url = f"/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"
    return _one(WebhookDelivery, (yield Call("POST", url)))

"""`AsyncClient`: the same SDK for asyncio; every call is awaited, lists are async iterators."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from satchel_client import _ops as ops
from satchel_client import _upload
from satchel_client._aio import AsyncDriver
from satchel_client._client import _options, _path, _settings_of
from satchel_client._core import Call, Op
from satchel_client._errors import JobFailed, SatchelError
from satchel_client._models import (
    Account,
    ApiKey,
    Asset,
    Job,
    JobEvent,
    Login,
    Page,
    Reprocessed,
    Session,
    SignedUrl,
    Space,
    Tool,
    ToolResult,
    Uploaded,
    Usage,
    Webhook,
    WebhookDelivery,
)
from satchel_client._upload import Progress, ResumeStore, UploadOptions

T = TypeVar("T")


class _Resource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _run(self, op: Op[T]) -> T:
        return await self._client._driver.run(op)


class AsyncAssets(_Resource):
    async def list(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Asset]:
        async for page in self.pages(page_size=page_size, **filters):
            for item in page.items:
                yield item

    async def pages(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Page[Asset]]:
        cursor: str | None = None
        while True:
            page = await self._run(ops.list_assets({"limit": page_size, **filters}, cursor))
            yield page
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    async def get(self, asset_id: str) -> Asset:
        return await self._run(ops.get_asset(asset_id))

    async def patch(self, asset_id: str, **changes: Any) -> Asset:
        return await self._run(ops.patch_asset(asset_id, changes))

    async def delete(
        self, asset_id: str, *, dry_run: bool = False, permanent: bool = False
    ) -> dict[str, Any]:
        """To the trash; with `permanent`, for good (the id is tombstoned)."""
        return await self._run(ops.delete_asset(asset_id, dry_run, permanent))

    async def url(self, asset_id: str, expires_in: int | None = None) -> SignedUrl:
        return await self._run(ops.asset_url(asset_id, expires_in))

    async def move(
        self, ids: builtins.list[str], folder: str, *, allow_duplicates: bool = False
    ) -> dict[str, Any]:
        """Move assets into a folder (`/album/sub`); same-named files there refuse the move
        (`folder_name_taken`) unless `allow_duplicates`."""
        return await self._run(ops.move_assets(ids, folder, allow_duplicates))

    async def favorite(self, asset_id: str, on: bool = True) -> Asset:
        return await self._run(ops.patch_asset(asset_id, {"is_favorite": on}))

    async def archive(self, asset_id: str, on: bool = True) -> Asset:
        return await self._run(ops.patch_asset(asset_id, {"is_archived": on}))

    async def make_public(
        self,
        asset_id: str,
        on: bool = True,
        *,
        strip_metadata: bool = True,
        allow_download: bool = True,
        expires_at: datetime | None = None,
    ) -> Asset:
        """Share at one stable URL (`/p/…`) for anyone; visitors get it without location and
        camera data unless `strip_metadata=False`, previews only with `allow_download=False`,
        and nothing after `expires_at` (a datetime). `on=False` makes it private again."""
        return await self._run(
            ops.make_public(asset_id, on, strip_metadata, allow_download, expires_at)
        )

    async def facets(self, **filters: Any) -> dict[str, Any]:
        """Counts per kind, year/month taken, camera, orientation and tag."""
        return await self._run(ops.asset_facets(filters))

    async def duplicates(self) -> builtins.list[dict[str, Any]]:
        """Groups of assets holding exactly the same bytes (first page of 200 groups)."""
        return await self._run(ops.asset_duplicates(None))

    async def references(self, asset_id: str) -> dict[str, Any]:
        return await self._run(ops.asset_references(asset_id))

    async def spaces(self, asset_id: str) -> builtins.list[Space]:
        return await self._run(ops.asset_spaces(asset_id))

    async def reprocess(self, asset_id: str) -> str | None:
        _, job_id = await self._run(ops.reprocess(asset_id))
        return job_id

    async def bulk_reprocess(
        self, *, cursor: str | None = None, limit: int | None = None, kind: str | None = None
    ) -> Reprocessed:
        return await self._run(ops.bulk_reprocess(cursor, limit, kind))

    async def reprocess_all(
        self, *, limit: int | None = None, kind: str | None = None
    ) -> AsyncIterator[Reprocessed]:
        cursor: str | None = None
        while True:
            batch = await self.bulk_reprocess(cursor=cursor, limit=limit, kind=kind)
            yield batch
            if not batch.has_more or not batch.next_cursor:
                return
            cursor = batch.next_cursor

    async def upload(
        self,
        path: str | Path,
        *,
        progress: Progress | None = None,
        resume: ResumeStore | None = None,
        **options: Any,
    ) -> Uploaded:
        """See `Client.assets.upload`."""
        op = _upload.upload(
            path=Path(path),
            base_url=self._client.base_url,
            options=UploadOptions(**options),
            store=resume,
            progress=progress,
        )
        return await self._run(op)

    async def abort_upload(self, asset_id: str, upload_id: str) -> dict[str, Any]:
        return await self._run(_upload.abort(asset_id, upload_id))

    async def download(self, asset_id: str, dest: str | Path, *, raw: bool = False) -> Path:
        return await self._run(ops.download(asset_id, Path(dest), None, raw))


class AsyncSpaces(_Resource):
    async def create(
        self,
        name: str,
        *,
        visibility: str = "private",
        description: str | None = None,
        password: str | None = None,
        allow_duplicate_name: bool = False,
    ) -> Space:
        """A new space; a name you already use is refused (`space_name_taken`) unless
        `allow_duplicate_name`."""
        body = {
            "name": name,
            "visibility": visibility,
            "description": description,
            "password": password,
            "allow_duplicate_name": allow_duplicate_name,
        }
        return await self._run(ops.create_space(body))

    async def list(self) -> builtins.list[Space]:
        return await self._run(ops.list_spaces())

    async def get(self, space_id: str) -> Space:
        return await self._run(ops.get_space(space_id))

    async def find(self, name_or_id: str) -> Space | None:
        """The space with this id, short id or name (names compared case-insensitively);
        raises `space_ambiguous` when two spaces have that name."""
        return ops.pick_space(await self.list(), name_or_id)

    async def update(self, space_id: str, **changes: Any) -> Space:
        return await self._run(ops.update_space(space_id, changes))

    async def delete(self, space_id: str) -> dict[str, Any]:
        return await self._run(ops.delete_space(space_id))

    async def publish(
        self, space_id: str, asset_ids: builtins.list[str]
    ) -> builtins.list[dict[str, Any]]:
        return await self._run(ops.publish(space_id, asset_ids))

    async def publications(self, space_id: str) -> builtins.list[Asset]:
        return await self._run(ops.publications(space_id))

    async def unpublish(self, space_id: str, asset_id: str) -> dict[str, Any]:
        return await self._run(ops.unpublish(space_id, asset_id))

    async def export(self, space_id: str, dest: str | Path) -> Path:
        """The space's files as a ZIP with `manifest.json` (names, descriptions, tags,
        checksums), saved to `dest`."""
        return await self._run(ops.export_zip(f"/spaces/{space_id}/export", {}, Path(dest)))

    async def import_zip(self, archive: str | Path, *, name: str | None = None) -> dict[str, Any]:
        """A new space from an export (each file checked against its SHA-256): its `id`,
        `short_id`, `name`, `asset_count` and `asset_ids`."""
        return await self._run(ops.import_zip("/spaces/import", Path(archive), {"name": name}))


class AsyncApiKeys(_Resource):
    async def list(self) -> builtins.list[ApiKey]:
        return await self._run(ops.list_keys())

    async def create(
        self, name: str, *, scopes: builtins.list[str] | None = None, expires_at: str | None = None
    ) -> ApiKey:
        body = {"name": name, "scopes": scopes, "expires_at": expires_at}
        return await self._run(ops.create_key(body))

    async def revoke(self, key_id: str) -> dict[str, Any]:
        return await self._run(ops.revoke_key(key_id))

    async def revoke_current(self) -> dict[str, Any]:
        """Revoke the key this client signs with (any scope may give up its own key)."""
        return await self._run(ops.revoke_current_key())


class AsyncWebhooks(_Resource):
    async def list(self) -> builtins.list[Webhook]:
        return await self._run(ops.list_webhooks())

    async def create(
        self,
        url: str,
        *,
        events: builtins.list[str] | None = None,
        description: str | None = None,
        is_global: bool | None = None,
    ) -> Webhook:
        body = {"url": url, "events": events, "description": description, "is_global": is_global}
        return await self._run(ops.create_webhook(body))

    async def get(self, webhook_id: str) -> Webhook:
        return await self._run(ops.get_webhook(webhook_id))

    async def update(self, webhook_id: str, **changes: Any) -> Webhook:
        return await self._run(ops.update_webhook(webhook_id, changes))

    async def delete(self, webhook_id: str) -> None:
        await self._run(ops.delete_webhook(webhook_id))

    async def deliveries(
        self, webhook_id: str, *, limit: int = 50
    ) -> builtins.list[WebhookDelivery]:
        return await self._run(ops.webhook_deliveries(webhook_id, limit))

    async def redeliver(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        return await self._run(ops.redeliver(webhook_id, delivery_id))


class AsyncAccount(_Resource):
    async def get(self) -> Account:
        return await self._run(ops.get_account())

    async def patch(self, **changes: Any) -> Account:
        return await self._run(ops.patch_account(changes))

    async def update_profile(self, **changes: Any) -> Account:
        return await self._run(ops.update_profile(changes))

    async def onboard(self, display_name: str | None = None) -> Account:
        return await self._run(ops.onboard(display_name))


class AsyncJobs(_Resource):
    async def get(self, job_id: str) -> Job:
        return await self._run(ops.get_job(job_id))

    async def list(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Job]:
        cursor: str | None = None
        while True:
            page = await self._run(ops.list_jobs({"limit": page_size, **filters}, cursor))
            for job in page.items:
                yield job
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    async def cancel(self, job_id: str) -> Job:
        return await self._run(ops.cancel_job(job_id))

    async def progress(self, job_id: str) -> AsyncIterator[JobEvent]:
        import json

        buffer: builtins.list[str] = []
        lines = self._client._driver.stream_lines(Call("GET", f"/jobs/{job_id}/progress"))
        async for line in lines:
            if line.startswith("data:"):
                buffer.append(line[5:].lstrip())
            elif not line.strip() and buffer:
                yield JobEvent.from_api(json.loads("\n".join(buffer)))
                buffer = []
        if buffer:
            yield JobEvent.from_api(json.loads("\n".join(buffer)))

    async def wait(self, job_id: str, *, raise_on_failure: bool = True) -> Job:
        async for event in self.progress(job_id):
            if event.done:
                break
        job = await self.get(job_id)
        if raise_on_failure and job.status in ("failed", "cancelled"):
            raise JobFailed(f"Job {job_id} {job.status}: {job.error or 'no reason given'}.")
        return job


class AsyncTools(_Resource):
    async def list(self) -> builtins.list[Tool]:
        return await self._run(ops.list_tools())

    async def get(self, tool: str) -> Tool:
        """One tool, "section/id" (e.g. "image/resize"), with its settings' schema."""
        return await self._run(ops.get_tool(tool))

    async def run(
        self,
        tool: str,
        files: builtins.list[str | Path] | str | Path,
        settings: dict[str, Any] | None = None,
        *,
        output: str | Path | None = None,
        background: bool = False,
    ) -> ToolResult:
        section, tool_id = _settings_of(tool)
        paths = [Path(f) for f in (files if isinstance(files, list) else [files])]
        result = await self._run(
            ops.run_tool(section, tool_id, paths, settings or {}, _path(output), background)
        )
        return await self._client._collect(result, output)


class AsyncPipelines(_Resource):
    async def run(
        self,
        file: str | Path,
        steps: builtins.list[dict[str, Any]],
        *,
        output: str | Path | None = None,
        background: bool = False,
    ) -> ToolResult:
        result = await self._run(ops.run_pipeline(Path(file), steps, background))
        return await self._client._collect(result, output)


class AsyncFolders(_Resource):
    async def tree(self) -> builtins.list[dict[str, Any]]:
        """Every folder with counts and sizes (its own, and with its subfolders)."""
        return await self._run(ops.folder_tree())

    async def move(
        self, source: str, target: str, *, allow_duplicates: bool = False
    ) -> dict[str, Any]:
        """Rename or move a folder and everything under it."""
        return await self._run(ops.move_folder(source, target, allow_duplicates))

    async def delete(
        self, path: str, *, dry_run: bool = False, permanent: bool = False
    ) -> dict[str, Any]:
        """Everything in the folder to the trash (or for good); `dry_run`: the plan only."""
        return await self._run(ops.delete_folder(path, dry_run, permanent))

    async def export(self, path: str, dest: str | Path) -> Path:
        """The folder and everything under it as a ZIP with `manifest.json`, saved to `dest`."""
        return await self._run(ops.export_zip("/folders/export", {"path": path}, Path(dest)))

    async def import_zip(self, archive: str | Path, *, path: str | None = None) -> dict[str, Any]:
        """A folder export back into the library, its tree kept under `path` (default: the
        folder it came from): `folder`, `asset_count`, `asset_ids`."""
        return await self._run(ops.import_zip("/folders/import", Path(archive), {"path": path}))


class AsyncTrash(_Resource):
    async def list(self, *, limit: int = 200) -> builtins.list[Asset]:
        """The trash, most recently trashed first (first page)."""
        return (await self._run(ops.list_trash(None, limit))).items

    async def add(self, ids: builtins.list[str]) -> dict[str, Any]:
        return await self._run(ops.trash_assets(ids))

    async def restore(self, ids: builtins.list[str]) -> dict[str, Any]:
        return await self._run(ops.restore_assets(ids))

    async def empty(self) -> dict[str, Any]:
        """Delete everything in the trash for good."""
        return await self._run(ops.empty_trash())


class AsyncClient:
    """The Satchel API over HTTP, for asyncio. See `Client`."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._options = _options(base_url, token, timeout, max_retries)
        self._driver = AsyncDriver(self._options, http)
        self.assets = AsyncAssets(self)
        self.spaces = AsyncSpaces(self)
        self.api_keys = AsyncApiKeys(self)
        self.webhooks = AsyncWebhooks(self)
        self.account = AsyncAccount(self)
        self.jobs = AsyncJobs(self)
        self.tools = AsyncTools(self)
        self.pipelines = AsyncPipelines(self)
        self.folders = AsyncFolders(self)
        self.trash = AsyncTrash(self)

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def token(self) -> str | None:
        return self._options.token

    async def usage(self) -> Usage:
        return await self._driver.run(ops.usage())

    async def login(self, username: str, password: str) -> Login:
        signed = await self._driver.run(ops.login(username, password))
        self._options.token = signed.token
        return signed

    async def whoami(self) -> Session:
        return await self._driver.run(ops.whoami())

    async def health(self) -> dict[str, Any]:
        return await self._driver.run(ops.health())

    async def _collect(self, result: ToolResult, output: str | Path | None) -> ToolResult:
        if output is None or result.raw.get("saved_to"):
            return result
        url = result.download_url
        if result.is_async or not url:
            job = await self.jobs.wait(result.job_id)
            url = str((job.result or {}).get("download_url") or "")
            if not url:
                raise SatchelError(f"Job {result.job_id} finished without a file to download.")
        await self._driver.run(ops.fetch(url, Path(output)))
        return result

    async def aclose(self) -> None:
        await self._driver.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

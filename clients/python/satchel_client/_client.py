"""`Client`: the synchronous SDK."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from satchel_client import _ops as ops
from satchel_client import _upload
from satchel_client._core import Call, Op, Options, SyncDriver, parse_sse
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


def _options(base_url: str | None, token: str | None, timeout: float, max_retries: int) -> Options:
    url = base_url or os.environ.get("SATCHEL_URL") or "http://127.0.0.1:8080"
    return Options(
        base_url=url,
        token=token if token is not None else os.environ.get("SATCHEL_TOKEN"),
        timeout=timeout,
        max_retries=max_retries,
    )


def _settings_of(tool: str) -> tuple[str, str]:
    section, sep, tool_id = tool.partition("/")
    if not sep or not section or not tool_id:
        raise SatchelError(f"A tool is SECTION/TOOL (image/resize), not {tool!r}.", code="bad_tool")
    return section, tool_id


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value is not None else None


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _run(self, op: Op[T]) -> T:
        return self._client._driver.run(op)


class Assets(_Resource):
    def list(self, *, page_size: int = 100, **filters: Any) -> Iterator[Asset]:
        """Every asset matching the filters (`q`, `kind`, `status`, `tag`, `sort`, ...),
        fetched page by page as the iterator advances."""
        for page in self.pages(page_size=page_size, **filters):
            yield from page.items

    def pages(self, *, page_size: int = 100, **filters: Any) -> Iterator[Page[Asset]]:
        cursor: str | None = None
        while True:
            page: Page[Asset] = self._run(ops.list_assets({"limit": page_size, **filters}, cursor))
            yield page
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    def get(self, asset_id: str) -> Asset:
        return self._run(ops.get_asset(asset_id))

    def patch(self, asset_id: str, **changes: Any) -> Asset:
        return self._run(ops.patch_asset(asset_id, changes))

    def delete(
        self, asset_id: str, *, dry_run: bool = False, permanent: bool = False
    ) -> dict[str, Any]:
        """To the trash; with `permanent`, for good (the id is tombstoned)."""
        return self._run(ops.delete_asset(asset_id, dry_run, permanent))

    def url(self, asset_id: str, expires_in: int | None = None) -> SignedUrl:
        return self._run(ops.asset_url(asset_id, expires_in))

    def move(
        self, ids: builtins.list[str], folder: str, *, allow_duplicates: bool = False
    ) -> dict[str, Any]:
        """Move assets into a folder (`/album/sub`); same-named files there refuse the move
        (`folder_name_taken`) unless `allow_duplicates`."""
        return self._run(ops.move_assets(ids, folder, allow_duplicates))

    def favorite(self, asset_id: str, on: bool = True) -> Asset:
        return self._run(ops.patch_asset(asset_id, {"is_favorite": on}))

    def archive(self, asset_id: str, on: bool = True) -> Asset:
        return self._run(ops.patch_asset(asset_id, {"is_archived": on}))

    def make_public(
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
        return self._run(ops.make_public(asset_id, on, strip_metadata, allow_download, expires_at))

    def facets(self, **filters: Any) -> dict[str, Any]:
        """Counts per kind, year/month taken, camera, orientation and tag."""
        return self._run(ops.asset_facets(filters))

    def duplicates(self) -> builtins.list[dict[str, Any]]:
        """Groups of assets holding exactly the same bytes (first page of 200 groups)."""
        return self._run(ops.asset_duplicates(None))

    def references(self, asset_id: str) -> dict[str, Any]:
        return self._run(ops.asset_references(asset_id))

    def spaces(self, asset_id: str) -> builtins.list[Space]:
        return self._run(ops.asset_spaces(asset_id))

    def reprocess(self, asset_id: str) -> str | None:
        """Process the asset again; answers the job id."""
        _, job_id = self._run(ops.reprocess(asset_id))
        return job_id

    def bulk_reprocess(
        self, *, cursor: str | None = None, limit: int | None = None, kind: str | None = None
    ) -> Reprocessed:
        return self._run(ops.bulk_reprocess(cursor, limit, kind))

    def reprocess_all(
        self, *, limit: int | None = None, kind: str | None = None
    ) -> Iterator[Reprocessed]:
        """Walk every batch of `bulk_reprocess` until `has_more` is false."""
        cursor: str | None = None
        while True:
            batch = self.bulk_reprocess(cursor=cursor, limit=limit, kind=kind)
            yield batch
            if not batch.has_more or not batch.next_cursor:
                return
            cursor = batch.next_cursor

    def upload(
        self,
        path: str | Path,
        *,
        progress: Progress | None = None,
        resume: ResumeStore | None = None,
        **options: Any,
    ) -> Uploaded:
        """Upload a file: announce it, send its bytes (one PUT, or parts in parallel when
        the server answers multipart), complete. Options: `filename`, `content_type`,
        `tags`, `description`, `alt_text`, `attributes`, `is_public`, `folder`,
        `is_favorite`, `allow_duplicates` (a taken name in the folder is kept, not
        numbered `name (2).ext`), `dedupe`, `mode`
        (`auto`, `single`, `multipart`), `part_concurrency`, `part_retries`. With `resume`
        (a `FileResumeStore`), an interrupted upload continues where it stopped."""
        op = _upload.upload(
            path=Path(path),
            base_url=self._client.base_url,
            options=UploadOptions(**options),
            store=resume,
            progress=progress,
        )
        return self._run(op)

    def abort_upload(self, asset_id: str, upload_id: str) -> dict[str, Any]:
        return self._run(_upload.abort(asset_id, upload_id))

    def download(
        self,
        asset_id: str,
        dest: str | Path,
        *,
        raw: bool = False,
        progress: Progress | None = None,
    ) -> Path:
        """Save the asset's bytes to `dest` (written to a temporary name, then renamed)."""
        done = 0

        def on_bytes(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, 0)

        return self._run(ops.download(asset_id, Path(dest), on_bytes, raw))


class Spaces(_Resource):
    def create(
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
        return self._run(ops.create_space(body))

    def list(self) -> builtins.list[Space]:
        return self._run(ops.list_spaces())

    def get(self, space_id: str) -> Space:
        return self._run(ops.get_space(space_id))

    def find(self, name_or_id: str) -> Space | None:
        """The space with this id, short id or name (names compared case-insensitively);
        raises `space_ambiguous` when two spaces have that name."""
        return ops.pick_space(self.list(), name_or_id)

    def update(self, space_id: str, **changes: Any) -> Space:
        return self._run(ops.update_space(space_id, changes))

    def delete(self, space_id: str) -> dict[str, Any]:
        return self._run(ops.delete_space(space_id))

    def publish(
        self, space_id: str, asset_ids: builtins.list[str]
    ) -> builtins.list[dict[str, Any]]:
        return self._run(ops.publish(space_id, asset_ids))

    def publications(self, space_id: str) -> builtins.list[Asset]:
        return self._run(ops.publications(space_id))

    def unpublish(self, space_id: str, asset_id: str) -> dict[str, Any]:
        return self._run(ops.unpublish(space_id, asset_id))

    def export(self, space_id: str, dest: str | Path) -> Path:
        """The space's files as a ZIP with `manifest.json` (names, descriptions, tags,
        checksums), saved to `dest`."""
        return self._run(ops.export_zip(f"/spaces/{space_id}/export", {}, Path(dest)))

    def import_zip(self, archive: str | Path, *, name: str | None = None) -> dict[str, Any]:
        """A new space from an export (each file checked against its SHA-256): its `id`,
        `short_id`, `name`, `asset_count` and `asset_ids`."""
        return self._run(ops.import_zip("/spaces/import", Path(archive), {"name": name}))


class ApiKeys(_Resource):
    def list(self) -> builtins.list[ApiKey]:
        return self._run(ops.list_keys())

    def create(
        self, name: str, *, scopes: builtins.list[str] | None = None, expires_at: str | None = None
    ) -> ApiKey:
        """Mint a key; the answer's `key` is the raw key, shown only this once."""
        body = {"name": name, "scopes": scopes, "expires_at": expires_at}
        return self._run(ops.create_key(body))

    def revoke(self, key_id: str) -> dict[str, Any]:
        return self._run(ops.revoke_key(key_id))

    def revoke_current(self) -> dict[str, Any]:
        """Revoke the key this client signs with (any scope may give up its own key)."""
        return self._run(ops.revoke_current_key())


class Webhooks(_Resource):
    def list(self) -> builtins.list[Webhook]:
        return self._run(ops.list_webhooks())

    def create(
        self,
        url: str,
        *,
        events: builtins.list[str] | None = None,
        description: str | None = None,
        is_global: bool | None = None,
    ) -> Webhook:
        """Add an endpoint; the answer's `secret` (`whsec_…`) is shown only this once."""
        body = {"url": url, "events": events, "description": description, "is_global": is_global}
        return self._run(ops.create_webhook(body))

    def get(self, webhook_id: str) -> Webhook:
        return self._run(ops.get_webhook(webhook_id))

    def update(self, webhook_id: str, **changes: Any) -> Webhook:
        """Change `url`, `events`, `description`, or `enabled` (re-enabling resets failures)."""
        return self._run(ops.update_webhook(webhook_id, changes))

    def delete(self, webhook_id: str) -> None:
        self._run(ops.delete_webhook(webhook_id))

    def deliveries(self, webhook_id: str, *, limit: int = 50) -> builtins.list[WebhookDelivery]:
        """The delivery log, newest first."""
        return self._run(ops.webhook_deliveries(webhook_id, limit))

    def redeliver(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        return self._run(ops.redeliver(webhook_id, delivery_id))


class AccountResource(_Resource):
    def get(self) -> Account:
        return self._run(ops.get_account())

    def patch(self, **changes: Any) -> Account:
        return self._run(ops.patch_account(changes))

    def update_profile(self, **changes: Any) -> Account:
        return self._run(ops.update_profile(changes))

    def onboard(self, display_name: str | None = None) -> Account:
        return self._run(ops.onboard(display_name))


class Jobs(_Resource):
    def get(self, job_id: str) -> Job:
        return self._run(ops.get_job(job_id))

    def list(self, *, page_size: int = 100, **filters: Any) -> Iterator[Job]:
        cursor: str | None = None
        while True:
            page: Page[Job] = self._run(ops.list_jobs({"limit": page_size, **filters}, cursor))
            yield from page.items
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    def cancel(self, job_id: str) -> Job:
        return self._run(ops.cancel_job(job_id))

    def progress(self, job_id: str) -> Iterator[JobEvent]:
        """Progress events (Server-Sent Events) until the job ends."""
        lines = self._client._driver.stream_lines(Call("GET", f"/jobs/{job_id}/progress"))
        for event in parse_sse(lines):
            yield JobEvent.from_api(event)

    def wait(self, job_id: str, *, raise_on_failure: bool = True) -> Job:
        """Follow the job's progress until it ends; answers the finished job."""
        for event in self.progress(job_id):
            if event.done:
                break
        job = self.get(job_id)
        if raise_on_failure and job.status in ("failed", "cancelled"):
            raise JobFailed(f"Job {job_id} {job.status}: {job.error or 'no reason given'}.")
        return job


class Tools(_Resource):
    def list(self) -> builtins.list[Tool]:
        return self._run(ops.list_tools())

    def get(self, tool: str) -> Tool:
        """One tool, "section/id" (e.g. "image/resize"), with its settings' schema."""
        return self._run(ops.get_tool(tool))

    def run(
        self,
        tool: str,
        files: builtins.list[str | Path] | str | Path,
        settings: dict[str, Any] | None = None,
        *,
        output: str | Path | None = None,
        background: bool = False,
    ) -> ToolResult:
        """Run `section/tool` on the files; with `output`, wait for it and save the result."""
        section, tool_id = _settings_of(tool)
        paths = [Path(f) for f in (files if isinstance(files, list) else [files])]
        result: ToolResult = self._run(
            ops.run_tool(section, tool_id, paths, settings or {}, _path(output), background)
        )
        return self._client._collect(result, output)


class Pipelines(_Resource):
    def run(
        self,
        file: str | Path,
        steps: builtins.list[dict[str, Any]],
        *,
        output: str | Path | None = None,
        background: bool = False,
    ) -> ToolResult:
        """Run the steps (`[{"toolId": ..., "settings": {...}}]`) on the file, in order."""
        result: ToolResult = self._run(ops.run_pipeline(Path(file), steps, background))
        return self._client._collect(result, output)


class Folders(_Resource):
    def tree(self) -> builtins.list[dict[str, Any]]:
        """Every folder with counts and sizes (its own, and with its subfolders)."""
        return self._run(ops.folder_tree())

    def move(self, source: str, target: str, *, allow_duplicates: bool = False) -> dict[str, Any]:
        """Rename or move a folder and everything under it."""
        return self._run(ops.move_folder(source, target, allow_duplicates))

    def delete(
        self, path: str, *, dry_run: bool = False, permanent: bool = False
    ) -> dict[str, Any]:
        """Everything in the folder to the trash (or for good); `dry_run`: the plan only."""
        return self._run(ops.delete_folder(path, dry_run, permanent))

    def export(self, path: str, dest: str | Path) -> Path:
        """The folder and everything under it as a ZIP with `manifest.json`, saved to `dest`."""
        return self._run(ops.export_zip("/folders/export", {"path": path}, Path(dest)))

    def import_zip(self, archive: str | Path, *, path: str | None = None) -> dict[str, Any]:
        """A folder export back into the library, its tree kept under `path` (default: the
        folder it came from): `folder`, `asset_count`, `asset_ids`."""
        return self._run(ops.import_zip("/folders/import", Path(archive), {"path": path}))


class Trash(_Resource):
    def list(self, *, limit: int = 200) -> builtins.list[Asset]:
        """The trash, most recently trashed first (first page)."""
        return self._run(ops.list_trash(None, limit)).items

    def add(self, ids: builtins.list[str]) -> dict[str, Any]:
        return self._run(ops.trash_assets(ids))

    def restore(self, ids: builtins.list[str]) -> dict[str, Any]:
        return self._run(ops.restore_assets(ids))

    def empty(self) -> dict[str, Any]:
        """Delete everything in the trash for good."""
        return self._run(ops.empty_trash())


class Client:
    """The Satchel API over HTTP. `base_url` and `token` default to `SATCHEL_URL` and
    `SATCHEL_TOKEN`. Idempotent calls are retried with backoff on 429, 5xx and broken
    connections (`max_retries`)."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        http: httpx.Client | None = None,
    ) -> None:
        self._options = _options(base_url, token, timeout, max_retries)
        self._driver = SyncDriver(self._options, http)
        self.assets = Assets(self)
        self.spaces = Spaces(self)
        self.api_keys = ApiKeys(self)
        self.webhooks = Webhooks(self)
        self.account = AccountResource(self)
        self.jobs = Jobs(self)
        self.tools = Tools(self)
        self.pipelines = Pipelines(self)
        self.folders = Folders(self)
        self.trash = Trash(self)

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def token(self) -> str | None:
        return self._options.token

    def usage(self) -> Usage:
        return self._driver.run(ops.usage())

    def login(self, username: str, password: str) -> Login:
        """Sign in with a password; the session token is used for the calls that follow."""
        signed = self._driver.run(ops.login(username, password))
        self._options.token = signed.token
        return signed

    def whoami(self) -> Session:
        return self._driver.run(ops.whoami())

    def health(self) -> dict[str, Any]:
        return self._driver.run(ops.health())

    def _collect(self, result: ToolResult, output: str | Path | None) -> ToolResult:
        if output is None or result.raw.get("saved_to"):
            return result
        url = result.download_url
        if result.is_async or not url:
            job = self.jobs.wait(result.job_id)
            url = str((job.result or {}).get("download_url") or "")
            if not url:
                raise SatchelError(f"Job {result.job_id} finished without a file to download.")
        self._driver.run(ops.fetch(url, Path(output)))
        return result

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

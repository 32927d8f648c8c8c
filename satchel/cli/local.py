"""Local admin commands: they work on this machine's data folder and database, not over
HTTP (serve, worker, migrate, config, user create/reset-password, gc, scrub)."""

from __future__ import annotations

import contextlib
import json
import os
from typing import Annotated, Any

import typer
from pydantic import SecretStr
from rich.table import Table
from satchel_client.cli.app import LOCAL, app, console

from satchel.config import Settings

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


@app.command(rich_help_panel=LOCAL)
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides SATCHEL_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides SATCHEL_PORT")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Run no job workers here (use `satchel worker`)")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Announce the start as one JSON line")
    ] = False,
) -> None:
    """Migrate the database and serve the API (with job workers unless --no-worker)."""
    from satchel import metrics

    metrics.prepare(Settings().data_dir)  # before anything counts: shared with the workers
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from satchel.api.app import create_app
    from satchel.cli import guard
    from satchel.logs import setup as logs
    from satchel.runtime import start

    settings = Settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    # The port and the folder first: a second server fails here, before repair touches
    # the live data folder (and before it says "serving").
    sock = guard.bind(settings.host, settings.port)
    folder_lock = guard.hold_data_folder(settings)
    runtime = start(settings)
    summary = runtime.repair()
    if as_json:
        announce = {
            "url": f"http://{settings.host}:{settings.port}",
            "admin_api_key": runtime.generated_admin_key,
            "repair": summary,
        }
        print(json.dumps(announce), flush=True)
    elif (
        summary["level"] != "info" or summary["temp_files_removed"] or summary["deletes_completed"]
    ):
        console.print(f"Startup repair: {json.dumps(summary)}")
    if not as_json:
        from satchel.features.service import missing_defaults

        console.print(f"Satchel serving on http://{settings.host}:{settings.port}/api/docs")
        for line in missing_defaults():  # OCR, speech, faces, segmentation, search
            console.print(f"[yellow]Not ready:[/yellow] {line}")
        if runtime.generated_admin_key:  # last, so that it is not lost in what came before
            admin_key_notice(runtime.generated_admin_key, f"http://{settings.host}:{settings.port}")
    supervisor = None
    if not no_worker and settings.workers > 0:
        from satchel.jobs.supervisor import WorkerProcesses

        # Worker processes, not threads: a decoder that crashes or hangs on a hostile file
        # takes one worker down, never the API.
        # The sandbox stops a tool run at its own limit first; this is the last resort.
        longest = max(settings.processing_seconds * 2, settings.tool_job_seconds)
        supervisor = WorkerProcesses(count=settings.workers, hard_timeout=longest + 30)
    if settings.api_processes > 1:
        # Several HTTP processes on one socket, each with its own runtime (built by
        # `create_app` from the same SATCHEL_* settings); the job workers stay one set,
        # supervised here.
        runtime.close()
        if supervisor is not None:
            supervisor.start()
        try:
            config = uvicorn.Config(
                "satchel.api.app:create_app",
                factory=True,
                workers=settings.api_processes,
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level,
                log_config=logs.dict_config(
                    level=settings.log_level, log_format=settings.log_format
                ),
                http="httptools",
                loop="uvloop",
                proxy_headers=False,  # the client address is ours to decide (client_ip)
            )
            with contextlib.suppress(KeyboardInterrupt):
                Multiprocess(config, sockets=[sock]).run()
        finally:
            if supervisor is not None:
                supervisor.stop()
        return
    config = uvicorn.Config(
        create_app(settings, runtime, background=supervisor, freeze_heap=True),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=logs.dict_config(level=settings.log_level, log_format=settings.log_format),
        http="httptools",
        loop="uvloop",
        proxy_headers=False,  # the client address is ours to decide (api/deps.client_ip)
    )
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    runtime.close()
    del folder_lock  # released with the process; named so that it is held until here
    if not server.started:
        raise typer.Exit(3)


@app.command(rich_help_panel=LOCAL)
def worker(
    count: Annotated[
        int | None, typer.Option(help="Worker threads (default SATCHEL_WORKERS)")
    ] = None,
    hard_timeout: Annotated[
        float | None,
        typer.Option(help="Exit (to be restarted) when a job runs longer than this, in seconds"),
    ] = None,
    exit_with_parent: Annotated[
        bool, typer.Option(help="Stop when the process that started this one is gone")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Announce the start as one JSON line")
    ] = False,
    processes: Annotated[
        int,
        typer.Option(
            help="Worker processes, each with one thread, supervised here and restarted "
            "when one dies (0: threads in this process)",
            min=0,
        ),
    ] = 0,
) -> None:
    """Run job workers only (no HTTP), until SIGINT or SIGTERM."""
    import signal
    import threading

    from satchel.logs import setup as logs
    from satchel.runtime import start

    settings = Settings()
    logs.configure(level=settings.log_level, log_format=settings.log_format)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if processes > 0:
        _supervise(processes, hard_timeout, stop, as_json)
        return
    runtime = start(settings)
    workers = runtime.start_workers(count, hard_timeout=hard_timeout)
    if as_json:
        print(json.dumps({"threads": workers.count, "queue": runtime.queue.mode}), flush=True)
    else:
        console.print(f"Satchel worker: {workers.count} threads on the {runtime.queue.mode} queue.")
    parent = os.getppid()
    while not stop.wait(1.0):
        if exit_with_parent and os.getppid() != parent:
            break  # `serve` went away without stopping us (killed): do not linger
    console.print("Stopping: finishing the jobs under way.")
    runtime.close()


def _supervise(count: int, hard_timeout: float | None, stop: Any, as_json: bool) -> None:
    from satchel.jobs.supervisor import WorkerProcesses

    settings = Settings()
    settings.check()
    longest = max(settings.processing_seconds * 2, settings.tool_job_seconds)
    supervisor = WorkerProcesses(count=count, hard_timeout=hard_timeout or longest + 30)
    supervisor.start()
    if as_json:
        print(json.dumps({"processes": count, "pids": supervisor.pids()}), flush=True)
    else:
        console.print(f"Satchel worker: {count} processes.")
    while not stop.wait(1.0):
        pass
    console.print("Stopping: the worker processes finish the jobs under way.")
    supervisor.stop()


def _failed(message: str, code: str, as_json: bool) -> typer.Exit:
    if as_json:
        print(json.dumps({"error": {"code": code, "message": message, "fields": []}}))
    else:
        console.print(f"[red]error:[/red] {message} ({code})")
    return typer.Exit(1)


@app.command(rich_help_panel=LOCAL)
def migrate(as_json: JsonOpt = False) -> None:
    """Create the data folder and bring the database schema up to date."""
    from satchel.runtime import start

    runtime = start(Settings())
    if as_json:
        print(json.dumps({"up_to_date": True, "admin_api_key": runtime.generated_admin_key}))
    else:
        console.print("Database is up to date.")
        if runtime.generated_admin_key:
            admin_key_notice(
                runtime.generated_admin_key,
                f"http://{runtime.settings.host}:{runtime.settings.port}",
            )
    runtime.close()


def admin_key_notice(key: str, base: str) -> None:
    """The first start's admin key, said once, clearly, with what to do next."""
    console.rule("[bold]The admin user's API key[/bold]")
    console.print(
        f"  [bold green]{key}[/bold green]\n"
        "It belongs to the user [bold]admin[/bold] and is shown only this once: keep it.\n"
        f'  curl -H "Authorization: Bearer {key}" {base}/api/v1/assets\n'
        "Give admin a password (to sign in):  .venv/bin/satchel user reset-password admin\n"
        "Lost the key? Make another:          .venv/bin/satchel user mint-key admin",
        soft_wrap=True,
    )
    console.rule()


def _shown(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    if isinstance(value, str) and "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        return f"{scheme}://********@{rest.rsplit('@', 1)[1]}"
    return str(value) if not isinstance(value, (int, float, bool, list, type(None))) else value


@app.command(rich_help_panel=LOCAL)
def config(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the defaults as the README's table")
    ] = False,
) -> None:
    """Print every setting with its value (secrets masked) and what it does."""
    if markdown:
        from satchel.config import reference

        print(reference(), end="")
        return
    settings = Settings()
    rows = [
        (f"SATCHEL_{name.upper()}", _shown(getattr(settings, name)), field.description or "")
        for name, field in Settings.model_fields.items()
    ]
    if as_json:
        print(json.dumps({k: v for k, v, _ in rows}, indent=2))
        return
    table = Table("setting", "value", "description")
    for name, value, description in rows:
        table.add_row(name, json.dumps(value) if not isinstance(value, str) else value, description)
    console.print(table)


@app.command(rich_help_panel=LOCAL)
def gc(
    execute: Annotated[
        bool, typer.Option("--execute", help="Delete (default: only report)")
    ] = False,
    grace: Annotated[
        float | None, typer.Option(help="Seconds; default SATCHEL_GC_GRACE_SECONDS")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Find (and with --execute remove) bytes nothing points at and stale temporary files."""
    from satchel.lifecycle.gc import collect
    from satchel.runtime import start

    runtime = start(Settings())
    try:
        grace_seconds = runtime.settings.gc_grace_seconds if grace is None else grace
        report = collect(
            db=runtime.db, blobs=runtime.blobs, dry_run=not execute, grace_seconds=grace_seconds
        )
    finally:
        runtime.close()
    if as_json:
        print(json.dumps(report))
        return
    verb = "Removed" if execute else "Would remove"
    console.print(
        f"{verb} {report['deleted_blobs'] if execute else report['orphan_blobs']} orphan blobs "
        f"({report['reclaimed_bytes'] if execute else report['orphan_bytes']} bytes), "
        f"{report['temp_files_removed'] if execute else report['temp_files']} temporary files, "
        f"{report['expired_uploads']} expired uploads."
    )


@app.command(rich_help_panel=LOCAL)
def scrub(
    sample: Annotated[
        float, typer.Option(help="Percent of blobs to check (random sample)")
    ] = 100.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Re-hash stored bytes; exit 1 and list every blob that no longer matches."""
    from satchel.lifecycle.scrub import scrub as run_scrub
    from satchel.runtime import start

    runtime = start(Settings())
    try:
        report = run_scrub(db=runtime.db, blobs=runtime.blobs, sample_pct=sample)
    finally:
        runtime.close()
    if as_json:
        print(json.dumps(report))
    else:
        console.print(
            f"Checked {report['checked']} blobs ({report['bytes_checked']} bytes): "
            f"{len(report['mismatches'])} mismatches."
        )
        for m in report["mismatches"]:
            console.print(f"  {m['sha256']}  {m['problem']}  assets={m['assets']}")
    if report["mismatches"]:
        raise typer.Exit(1)

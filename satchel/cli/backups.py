"""`satchel backup DEST`, `satchel backup --verify SRC` and `satchel restore SRC`: local
commands that run beside (or without) the server, on its data folder and database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from satchel_client.cli.app import LOCAL, app, console, err_console

from satchel.config import Settings
from satchel.errors import SatchelError

KEYS_PHRASE_ENV = "SATCHEL_BACKUP_PASSPHRASE"

PassphraseFile = Annotated[
    Path | None,
    typer.Option(help=f"File holding the keys' passphrase (default: ${KEYS_PHRASE_ENV})"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _passphrase(path: Path | None, *, ask: bool) -> str | None:
    if path is not None:
        return path.read_text().strip()
    if value := os.environ.get(KEYS_PHRASE_ENV):
        return value
    if ask:
        return str(
            typer.prompt("Passphrase for the keys", hide_input=True, confirmation_prompt=True)
        )
    return None


def _fail(exc: SatchelError, as_json: bool) -> typer.Exit:
    if as_json:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message, "fields": []}}))
    else:
        err_console.print(f"[red]error:[/red] {exc.message} ({exc.code})")
    return typer.Exit(1)


def _say(report: dict[str, Any], as_json: bool, text: str) -> None:
    if as_json:
        print(json.dumps(report))
    else:
        console.print(text)


@app.command(rich_help_panel=LOCAL)
def backup(
    dest: Annotated[Path, typer.Argument(help="An empty folder (or, with --verify, a backup)")],
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the backup at DEST instead of making one")
    ] = False,
    include_keys: Annotated[
        bool,
        typer.Option("--include-keys", help="Add the data folder's keys, sealed with a passphrase"),
    ] = False,
    passphrase_file: PassphraseFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Back up the database and blobs while the server runs (or check a backup)."""
    from satchel.backups import archive

    try:
        if verify:
            passphrase = _passphrase(passphrase_file, ask=False)
            report = archive.verify(src=dest, passphrase=passphrase)
            text = (
                f"{'OK' if report['ok'] else 'NOT OK'}: {report['checked_blobs']} blobs "
                f"({report['checked_bytes']} bytes) re-hashed"
                + "".join(f"\n  {p}" for p in report["problems"])
            )
            _say(report, as_json, text)
            if not report["ok"]:
                raise typer.Exit(1)
            return
        passphrase = _passphrase(passphrase_file, ask=include_keys) if include_keys else None
        report = archive.backup(
            settings=Settings(), dest=dest, include_keys=include_keys, passphrase=passphrase
        )
    except SatchelError as exc:
        raise _fail(exc, as_json) from None
    blobs = report["blobs"]
    text = (
        f"Backed up to {dest} in {report['seconds']} s: the database (revision "
        f"{report['database']['revision']}), {blobs['copied']} blobs "
        f"({blobs['copied_bytes']} bytes)"
        + (f", {blobs['in_bucket']} listed in the bucket" if blobs["in_bucket"] else "")
        + "."
    )
    if blobs["missing"] or blobs["damaged"]:
        text += f"\n{len(blobs['missing'])} blobs missing, {len(blobs['damaged'])} damaged."
    if not report["keys"]["included"] and not report["keys"]["from_config"]:
        text += (
            "\nThe data folder's keys are not in it: storage connections and webhook secrets "
            "need them (--include-keys), or set SATCHEL_SECRET_KEY."
        )
    _say(report, as_json, text)


@app.command(rich_help_panel=LOCAL)
def restore(
    src: Annotated[Path, typer.Argument(help="A backup made by `satchel backup`")],
    passphrase_file: PassphraseFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Restore a backup into an empty data folder (SATCHEL_DATA_DIR) and database."""
    from satchel.backups import archive

    try:
        report = archive.restore(
            settings=Settings(), src=src, passphrase=_passphrase(passphrase_file, ask=False)
        )
    except SatchelError as exc:
        raise _fail(exc, as_json) from None
    text = (
        f"Restored {report['blobs_restored']} blobs and the {report['database']} database into "
        f"{report['data_dir']}. Next: `satchel scrub`, then `satchel serve`."
    )
    _say(report, as_json, text)

"""`satchel webhooks ...`: endpoints and their delivery log, through the SDK."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from satchel_client.cli.app import REMOTE, app, console
from satchel_client.cli.remote import JsonOpt, client, dump, remote, say

webhooks_app = typer.Typer(help="Webhooks: signed event deliveries to your own endpoints.")
app.add_typer(webhooks_app, name="webhooks", rich_help_panel=REMOTE)


@webhooks_app.command("create")
@remote
def webhooks_create(
    url: str,
    event: Annotated[
        list[str] | None, typer.Option("--event", help="An event to send (repeatable; default all)")
    ] = None,
    is_global: Annotated[
        bool, typer.Option("--global", help="Every owner's events (admin keys only)")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an endpoint; its signing secret is printed only this once."""
    with client() as sdk:
        hook = sdk.webhooks.create(url, events=event or None, is_global=is_global or None)
    if as_json:
        dump(hook.raw)
        return
    say(f"Created {hook.id} for {', '.join(hook.events)}. The signing secret, shown only now:")
    print(hook.secret)


@webhooks_app.command("ls")
@remote
def webhooks_ls(as_json: JsonOpt = False) -> None:
    """List your endpoints (and the global ones, with an admin key)."""
    with client() as sdk:
        hooks = sdk.webhooks.list()
    if as_json:
        dump([h.raw for h in hooks])
        return
    table = Table("id", "url", "events", "enabled")
    for h in hooks:
        state = "yes" if h.enabled else f"no: {h.disabled_reason}"
        table.add_row(h.id, h.url, ",".join(h.events), state)
    console.print(table)


@webhooks_app.command("deliveries")
@remote
def webhooks_deliveries(webhook_id: str, as_json: JsonOpt = False) -> None:
    """The endpoint's delivery log, newest first."""
    with client() as sdk:
        rows = sdk.webhooks.deliveries(webhook_id)
    if as_json:
        dump([r.raw for r in rows])
        return
    table = Table("id", "event", "status", "attempts", "last answer", "ms")
    for r in rows:
        answer = str(r.last_status_code or "") or (r.last_error or "")
        table.add_row(r.id, r.event, r.status, str(r.attempts), answer, str(r.last_response_ms))
    console.print(table)


@webhooks_app.command("redeliver")
@remote
def webhooks_redeliver(webhook_id: str, delivery_id: str, as_json: JsonOpt = False) -> None:
    """Send one delivery again (the same webhook-id)."""
    with client() as sdk:
        row = sdk.webhooks.redeliver(webhook_id, delivery_id)
    if as_json:
        dump(row.raw)
        return
    say(f"Queued {row.id} again.")


@webhooks_app.command("rm")
@remote
def webhooks_rm(webhook_id: str, as_json: JsonOpt = False) -> None:
    """Remove an endpoint."""
    with client() as sdk:
        sdk.webhooks.delete(webhook_id)
    if as_json:
        dump({"id": webhook_id, "deleted": True})
        return
    say(f"Removed {webhook_id}.")

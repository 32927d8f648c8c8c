"""Remote commands for signing in, spaces, API keys and usage."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
from rich.table import Table

from satchel_client import ApiError, Client, SatchelError, Space
from satchel_client.cli.app import REMOTE, app, console
from satchel_client.cli.codes import Code
from satchel_client.cli.remote import (
    DEFAULT_SERVER,
    JsonOpt,
    client,
    config_path,
    dump,
    load_config,
    remote,
    save_config,
    say,
    server_and_token,
)
from satchel_client.cli.units import human_size


def _mint_key(sdk: Client, scope: str) -> tuple[str, str, str | None]:
    """A long-lived key for this machine with `scope` (the key, how it is described, its
    id); the session token when the account may not make keys."""
    name = f"satchel-cli on {socket.gethostname()}"[:200]
    try:
        key = sdk.api_keys.create(name, scopes=[scope])
    except ApiError as exc:
        if exc.code in ("validation_error", "invalid_scope"):
            raise
        return str(sdk.token), "session token (expires; sign in again then)", None
    assert key.key
    return key.key, f"API key {key.id} ({', '.join(key.scopes)})", key.id


@app.command(rich_help_panel=REMOTE)
@remote
def login(
    server: Annotated[str | None, typer.Option(help="Server URL (prompted for)")] = None,
    token: Annotated[
        str | None, typer.Option(help="An API key to use instead of a password")
    ] = None,
    username: Annotated[str | None, typer.Option(help="Prompted for when omitted")] = None,
    password: Annotated[str | None, typer.Option(help="Prompted for when omitted")] = None,
    scope: Annotated[
        str, typer.Option(help="What the key minted for this machine may do: read, write, admin")
    ] = "write",
    as_json: JsonOpt = False,
) -> None:
    """Sign in once; the server URL and a key are saved (mode 0600) in your config folder.
    `logout` revokes the key this made."""
    saved_url, _ = server_and_token()
    url = server or typer.prompt("Server", default=saved_url or DEFAULT_SERVER)
    url = url.rstrip("/")
    how, minted = "API key", None
    if scope not in ("read", "write", "admin"):
        raise SatchelError("--scope is read, write or admin.", code=Code.BAD_CHOICE)
    if token is None:
        user = username or typer.prompt("Username")
        secret = password if password is not None else typer.prompt("Password", hide_input=True)
        with Client(url, None) as sdk:
            sdk.login(user, secret)
            token, how, minted = _mint_key(sdk, scope)
    with Client(url, token) as sdk:
        me = sdk.whoami()
    name = str(me.user.get("username") or me.user.get("id"))
    saved = {"url": url, "token": token, "username": name}
    if minted is not None:
        saved["minted_key_id"] = minted  # what `logout` revokes
    path = save_config(saved)
    if as_json:
        dump({"url": url, "username": name, "credential": how, "config": str(path)})
        return
    say(f"Signed in to {url} as {name} ({how}); saved in {path}.")


@app.command(rich_help_panel=REMOTE)
@remote
def logout(as_json: JsonOpt = False) -> None:
    """Forget the saved sign-in, and revoke the key `login` minted for this machine (a key
    given with `login --token` is yours to keep: it stays valid)."""
    saved = load_config()
    revoked = None
    if saved.get("minted_key_id") and saved.get("token") and saved.get("url"):
        try:
            with Client(str(saved["url"]), str(saved["token"])) as sdk:
                revoked = sdk.api_keys.revoke_current().get("id")
        except ApiError as exc:
            if exc.status not in (401, 404):  # already revoked, or gone: nothing to undo
                raise
    config_path().unlink(missing_ok=True)
    if as_json:
        dump({"signed_out": bool(saved), "revoked_key": revoked})
    elif not saved:
        say("Not signed in.")
    else:
        say("Signed out" + (f"; key {revoked} revoked." if revoked else "."))


@app.command(rich_help_panel=REMOTE)
@remote
def whoami(as_json: JsonOpt = False) -> None:
    """Who the saved sign-in belongs to, on which server."""
    with client() as sdk:
        me = sdk.whoami()
        if as_json:
            dump({"url": sdk.base_url, **me.raw})
            return
        say(f"{me.user.get('username')} on {sdk.base_url} (scopes: {', '.join(me.scopes)})")


@app.command(rich_help_panel=REMOTE)
@remote
def usage(as_json: JsonOpt = False) -> None:
    """Storage used: assets, bytes, and the split by content type."""
    with client() as sdk:
        used = sdk.usage()
    if as_json:
        dump(used.raw)
        return
    say(
        f"{used.total_assets} assets, {human_size(used.total_bytes)} "
        f"({human_size(used.stored_bytes)} stored after deduplication)"
    )
    table = Table("content type", "assets", "bytes")
    for row in used.by_content_type:
        table.add_row(
            str(row.get("content_type")), str(row.get("count")), human_size(row.get("total_bytes"))
        )
    if used.by_content_type:
        console.print(table)


# --- spaces ----------------------------------------------------------------------------

spaces_app = typer.Typer(help="Spaces: group assets, and share them (public or protected).")
app.add_typer(spaces_app, name="spaces", rich_help_panel=REMOTE)


def find_space(sdk: Client, name_or_id: str) -> Space:
    space = sdk.spaces.find(name_or_id)
    if space is None:
        raise SatchelError(f"No space named {name_or_id!r}.", code=Code.SPACE_NOT_FOUND)
    return space


def _space_row(space: Space) -> dict[str, object]:
    return dict(space.raw)


@spaces_app.command("create")
@remote
def spaces_create(
    name: str,
    visibility: Annotated[str, typer.Option(help="private, public or protected")] = "private",
    password: Annotated[str | None, typer.Option(help="For protected spaces")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a space."""
    with client() as sdk:
        space = sdk.spaces.create(
            name, visibility=visibility, password=password, description=description
        )
    if as_json:
        dump(_space_row(space))
        return
    say(f"Created {space.visibility} space {space.name!r} ({space.id}): {space.share_url}")


@spaces_app.command("ls")
@remote
def spaces_ls(as_json: JsonOpt = False) -> None:
    """List your spaces."""
    with client() as sdk:
        spaces = sdk.spaces.list()
    if as_json:
        dump([_space_row(s) for s in spaces])
        return
    table = Table("id", "name", "visibility", "assets", "share url")
    for s in spaces:
        table.add_row(s.id, s.name, s.visibility, str(s.asset_count), s.share_url)
    console.print(table)


@spaces_app.command("url")
@remote
def spaces_url(
    space: Annotated[str, typer.Argument(help="Name or id")], as_json: JsonOpt = False
) -> None:
    """The share URL of a space."""
    with client() as sdk:
        found = find_space(sdk, space)
    if as_json:
        dump({"id": found.id, "visibility": found.visibility, "share_url": found.share_url})
        return
    print(found.share_url)


@spaces_app.command("publish")
@remote
def spaces_publish(
    space: Annotated[str, typer.Argument(help="Name or id")],
    asset_ids: Annotated[list[str], typer.Argument(help="Asset ids")],
    as_json: JsonOpt = False,
) -> None:
    """Publish assets into a space."""
    with client() as sdk:
        found = find_space(sdk, space)
        results = sdk.spaces.publish(found.id, asset_ids)
    failed = [r for r in results if r.get("error") or r.get("ok") is False]
    if as_json:
        dump({"space": _space_row(found), "results": results})
    else:
        say(
            f"Published {len(results) - len(failed)} of {len(asset_ids)} into "
            f"{found.name!r}: {found.share_url}"
        )
        for r in failed:
            say(f"  {r.get('asset_id')}: {r.get('error')}")
    if failed:
        raise typer.Exit(1)


# --- keys ------------------------------------------------------------------------------

keys_app = typer.Typer(help="API keys: long-lived tokens for scripts and integrations.")
app.add_typer(keys_app, name="keys", rich_help_panel=REMOTE)


@keys_app.command("create")
@remote
def keys_create(
    name: str,
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read, write or admin (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a key; the raw key is printed only this once."""
    with client() as sdk:
        key = sdk.api_keys.create(name, scopes=scope or None)
    if as_json:
        dump(key.raw)
        return
    say(f"Created {key.id} ({', '.join(key.scopes)}). The key, shown only now:")
    print(key.key)


@keys_app.command("ls")
@remote
def keys_ls(as_json: JsonOpt = False) -> None:
    """List your keys (never the raw values)."""
    with client() as sdk:
        keys = sdk.api_keys.list()
    if as_json:
        dump([k.raw for k in keys])
        return
    table = Table("id", "name", "prefix", "scopes", "last used")
    for k in keys:
        last = k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never"
        table.add_row(k.id, k.name, k.prefix, ",".join(k.scopes), last)
    console.print(table)


@keys_app.command("revoke")
@remote
def keys_revoke(key_id: str, as_json: JsonOpt = False) -> None:
    """Revoke a key (idempotent)."""
    with client() as sdk:
        result = sdk.api_keys.revoke(key_id)
    if as_json:
        dump(result)
        return
    say(f"Revoked {key_id}.")

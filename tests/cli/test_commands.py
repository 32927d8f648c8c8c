"""The command tree: every command takes --json, and every command the issue names is there."""

from __future__ import annotations

from typing import Any

import typer

from satchel.cli.main import app


def _leaves(group: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(getattr(group, "commands", None), dict):
        found: dict[str, Any] = {}
        for name, sub in group.commands.items():
            found.update(_leaves(sub, f"{prefix}{name} "))
        return found
    return {prefix.strip(): group}


def test_every_command_takes_json() -> None:
    commands = _leaves(typer.main.get_command(app))
    expected = {
        "serve", "worker", "migrate", "config", "user create", "user reset-password", "gc",
        "user list", "user mint-key", "user disable", "user enable", "user delete",
        "scrub", "login", "logout", "whoami", "upload", "ls", "get", "rm", "url", "reprocess",
        "spaces create", "spaces ls", "spaces url", "spaces publish", "keys create", "keys ls",
        "keys revoke", "tools ls", "tools show", "tools run", "pipeline run", "usage",
        "backup", "restore",
        "mv", "fav", "public", "folders", "trash ls", "trash restore", "trash empty",
        "webhooks create", "webhooks ls", "webhooks deliveries", "webhooks redeliver",
        "webhooks rm", "export", "import",
    }  # fmt: skip
    assert set(commands) == expected
    for name, command in commands.items():
        flags = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert "--json" in flags, f"`satchel {name}` has no --json"

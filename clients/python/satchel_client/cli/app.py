"""The `satchel` Typer application and its console; commands register themselves on it."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    help="Satchel: store, understand, transform and share files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

LOCAL = "Local admin (on the server's own machine)"
REMOTE = "Remote (through a server; sign in with `satchel login`)"

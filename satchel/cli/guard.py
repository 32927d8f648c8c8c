"""What `satchel serve` makes sure of before it touches the data folder: that its port is
free (the socket is bound first, then handed to uvicorn) and that no other server works on
the same folder (a lock held for the life of the process). A second server on a busy port
or folder fails at once, before startup repair could run on live data."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
from typing import IO

import typer
from satchel_client.cli.app import err_console

from satchel.config import Settings

LOCK_NAME = "serve.lock"


def _refuse(message: str) -> typer.Exit:
    err_console.print(f"[red]{message}[/red]")
    return typer.Exit(2)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or exit 2 saying why."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise _refuse(
                f"Port {port} on {host} is already in use (is another `satchel serve` "
                "running?). Stop it, or choose another port with --port or SATCHEL_PORT."
            ) from None
        raise _refuse(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
    sock.listen(2048)
    sock.set_inheritable(True)  # uvicorn's worker processes serve on it too
    return sock


def hold_data_folder(settings: Settings) -> IO[str] | None:
    """Lock the data folder for this server (embedded SQLite only: in scale-out mode
    several nodes share one database on purpose). Exit 2 when another server holds it."""
    if not settings.resolved_database_url.startswith("sqlite"):
        return None
    folder = settings.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_NAME, "a+")  # noqa: SIM115 (held until the process ends)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise _refuse(
            f"Another `satchel serve` ({holder}) is using the data folder {folder}. Two "
            "servers must not work on one folder: stop it, or set SATCHEL_DATA_DIR."
        ) from None
    with contextlib.suppress(OSError):
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
    return handle

"""What every remote command shares: the saved sign-in, the SDK client, `--json` output,
and errors as one line with a non-zero exit code."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from satchel_client import Client, FileResumeStore, SatchelError
from satchel_client.cli.app import console, err_console
from satchel_client.cli.codes import Code

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_SERVER = "http://127.0.0.1:8080"

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts)")]


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/satchel`, else `~/.config/satchel`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "satchel"


def config_path() -> Path:
    return config_dir() / "config.json"


def load_config() -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SatchelError(
            f"{config_path()} is not readable JSON ({exc}); run `satchel login` again.",
            code=Code.CONFIG_UNREADABLE,
        ) from exc
    return data if isinstance(data, dict) else {}


def save_config(data: dict[str, Any]) -> Path:
    """Written to a temporary file created 0600, then renamed: never readable by others."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".config.json.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2)
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def server_and_token() -> tuple[str, str | None]:
    """`SATCHEL_URL` / `SATCHEL_TOKEN` when set, else what `satchel login` saved."""
    saved = load_config()
    url = os.environ.get("SATCHEL_URL") or saved.get("url") or DEFAULT_SERVER
    token = os.environ.get("SATCHEL_TOKEN") or saved.get("token")
    return str(url), str(token) if token else None


def client() -> Client:
    url, token = server_and_token()
    if not token:
        raise SatchelError(
            "Not signed in: run `satchel login` (or set SATCHEL_URL and SATCHEL_TOKEN).",
            code=Code.NOT_SIGNED_IN,
        )
    return Client(url, token)


def resume_store() -> FileResumeStore:
    return FileResumeStore(config_dir() / "uploads")


def fail(exc: SatchelError, *, as_json: bool) -> typer.Exit:
    """Print the error as one line (JSON with --json) on stderr; the exit to raise."""
    if as_json:
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        print(json.dumps(body), file=sys.stderr)
    else:
        err_console.print(f"[red]error:[/red] {exc.message} ({exc.code})", soft_wrap=True)
        for item in exc.fields or []:  # what exactly: each field, or pipeline step, named
            where = item.get("field") or item.get("step") or item.get("loc") or "?"
            err_console.print(f"  {where}: {item.get('message', '')}", soft_wrap=True, markup=False)
    return typer.Exit(1)


def remote(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn SDK errors into one line and exit 1; Ctrl-C into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        as_json = bool(kwargs.get("as_json"))
        try:
            return fn(*args, **kwargs)
        except SatchelError as exc:
            raise fail(exc, as_json=as_json) from exc
        except KeyboardInterrupt:
            err_console.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper


def dump(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def say(message: str) -> None:
    console.print(message, soft_wrap=True, highlight=False)


def parse_value(text: str) -> Any:
    """`--set` values: JSON when they parse (numbers, true, objects), else the string."""
    try:
        return json.loads(text)
    except ValueError:
        return text

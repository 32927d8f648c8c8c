"""Run `satchel` as a user does: a real process, with its own config folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SATCHEL = [sys.executable, "-m", "satchel.cli"]


@dataclass
class Cli:
    home: Path  # XDG_CONFIG_HOME
    cwd: Path

    def env(self) -> dict[str, str]:
        env = {**os.environ, "XDG_CONFIG_HOME": str(self.home), "COLUMNS": "200"}
        for name in ("SATCHEL_URL", "SATCHEL_TOKEN"):
            env.pop(name, None)
        return env

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*SATCHEL, *args],
            env=self.env(),
            cwd=self.cwd,
            input=input,
            capture_output=True,
            text=True,
            check=False,
            timeout=240,
        )

    def ok(self, *args: str, input: str | None = None) -> str:
        done = self.run(*args, input=input)
        assert done.returncode == 0, f"{args}: rc={done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input))

    @property
    def config_file(self) -> Path:
        return self.home / "satchel" / "config.json"

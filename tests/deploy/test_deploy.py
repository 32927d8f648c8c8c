"""deploy/ is checked statically: no container engine can build its image here (base images
come from a container registry this machine cannot reach), so the files are parsed and
every setting and command they use is checked against Satchel's own."""

from __future__ import annotations

import configparser
import secrets
import shlex
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from typer.testing import CliRunner

from satchel.cli.main import app
from satchel.config import ConfigurationError, Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FIELDS = {f"SATCHEL_{name.upper()}" for name in Settings.model_fields}


def env_file(name: str) -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


@pytest.mark.parametrize("name", ["api.env", "worker.env"])
def test_env_files_are_valid_scale_out_settings(name: str) -> None:
    pairs = env_file(name)
    assert set(pairs) <= FIELDS, set(pairs) - FIELDS
    settings = Settings(_env_file=DEPLOY / name)  # type: ignore[call-arg]
    assert settings.scale_out and settings.blobs_url and settings.queue_url
    # The shipped placeholder is refused: a copied file starts only with a real key.
    with pytest.raises(ConfigurationError, match="weak_secret: SATCHEL_SECRET_KEY"):
        settings.check()
    settings.secret_key = SecretStr(secrets.token_hex(32))
    settings.check()


def test_both_roles_share_what_must_be_shared() -> None:
    api, worker = env_file("api.env"), env_file("worker.env")
    for key in ("DATABASE_URL", "QUEUE_URL", "BLOBS_URL", "S3_ENDPOINT_URL", "SECRET_KEY"):
        assert api[f"SATCHEL_{key}"] == worker[f"SATCHEL_{key}"]


def _commands() -> list[list[str]]:
    found = []
    for unit in ("satchel-api.service", "satchel-worker.service"):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(DEPLOY / unit)
        assert parser["Install"]["WantedBy"] == "multi-user.target"
        assert parser["Service"]["EnvironmentFile"].endswith(".env")
        found.append(shlex.split(parser["Service"]["ExecStart"])[1:])
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for service in compose["services"].values():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "satchel":
            found.append(command[1:])
    return found


def test_units_and_compose_run_real_commands() -> None:
    commands = _commands()
    assert ["serve", "--no-worker"] in commands and ["worker", "--processes", "2"] in commands
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)


def test_compose_has_the_whole_cluster() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "seaweedfs", "api1", "api2", "worker", "migrate"} <= set(services)
    for name in ("api1", "api2", "worker"):
        env = services[name]["environment"]
        assert set(env) <= FIELDS, set(env) - FIELDS
        assert env["SATCHEL_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["SATCHEL_QUEUE_URL"].startswith("redis://")
    assert "--no-worker" in services["api1"]["command"]

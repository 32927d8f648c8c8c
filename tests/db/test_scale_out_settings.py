"""Scale-out refuses node-local keys, and nodes sharing the configured key agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from satchel.config import ConfigurationError, Settings
from satchel.runtime import start
from tests.conftest import ADMIN_KEY, CLUSTER_SECRET, drop_pg_database, pg_database

PG_URL = "postgresql+psycopg://satchel@127.0.0.1:9/satchel"  # never reached: refused first


@pytest.mark.parametrize("key", [None, "too-short"])
def test_a_shared_database_without_a_shared_key_is_refused(tmp_path: Path, key: str | None) -> None:
    settings = Settings(data_dir=tmp_path, database_url=PG_URL, secret_key=key)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="SATCHEL_SECRET_KEY"):
        start(settings)
    assert not (tmp_path / "secret.key").exists()


def test_the_embedded_default_needs_no_key(tmp_path: Path) -> None:
    start(Settings(data_dir=tmp_path)).close()
    assert (tmp_path / "secret.key").exists()


def test_serve_says_what_to_set(tmp_path: Path) -> None:
    env = {**os.environ, "SATCHEL_DATABASE_URL": PG_URL, "SATCHEL_DATA_DIR": str(tmp_path)}
    env.pop("SATCHEL_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "satchel.cli", "serve", "--no-worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "SATCHEL_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_two_nodes_with_the_shared_key_trust_each_other(
    tmp_path: Path, pg_server: str, pg_template: str
) -> None:
    """Each node has its own data folder; URLs one signs, and credentials one seals, the
    other accepts and opens."""
    url = pg_database(pg_server, "t_two_nodes", template=pg_template)
    nodes = [
        start(
            Settings(
                data_dir=tmp_path / name,
                admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
                database_url=url,
                secret_key=CLUSTER_SECRET,  # type: ignore[arg-type]
            )
        )
        for name in ("a", "b")
    ]
    try:
        a, b = nodes
        signature = a.signer.sign("/api/v1/assets/ast_1/content", expires=4_102_444_800)
        b.signer.verify("/api/v1/assets/ast_1/content", expires="4102444800", signature=signature)
        sealed = a.blobs.box.seal({"secret": "s3cr3t"}, bound_to="stc_1")
        assert b.blobs.box.open(sealed, bound_to="stc_1") == {"secret": "s3cr3t"}
        assert not (tmp_path / "a" / "secret.key").exists()
    finally:
        for node in nodes:
            node.close()
        drop_pg_database(pg_server, "t_two_nodes")

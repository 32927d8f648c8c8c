"""Backups' edges: sealed keys and their passphrase, damage found by --verify, refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from satchel.backups import archive
from satchel.config import Settings
from satchel.errors import SatchelError
from satchel.runtime import Runtime
from tests.conftest import upload


def _restored_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "restored")


async def test_keys_are_sealed_and_come_back_with_the_passphrase(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await upload(client, b"kept with its keys", filename="k.txt")
    dest = tmp_path / "b"
    report = archive.backup(settings=settings, dest=dest, include_keys=True, passphrase="pp 1")
    assert report["keys"]["included"] and report["blobs"]["copied"] == 1
    assert b"storage" not in (dest / archive.KEYS).read_bytes()  # sealed, names too
    with pytest.raises(SatchelError) as wrong:
        archive.verify(src=dest, passphrase="nope")
    assert wrong.value.code == "backup_keys_wrong_phrase"
    assert archive.verify(src=dest, passphrase="pp 1")["keys_checked"]

    target = _restored_settings(tmp_path)
    with pytest.raises(SatchelError) as sealed:
        archive.restore(settings=target, src=dest)
    assert sealed.value.code == "backup_keys_sealed"
    archive.restore(settings=target, src=dest, passphrase="pp 1")
    for name in ("secret.key", "storage.key"):
        restored = target.data_dir / name
        assert restored.read_bytes() == (settings.data_dir / name).read_bytes()
        assert restored.stat().st_mode & 0o777 == 0o600
    with pytest.raises(SatchelError) as again:
        archive.restore(settings=target, src=dest, passphrase="pp 1")
    assert again.value.code == "restore_target_not_empty"


async def test_verify_finds_damage_and_restore_refuses_it(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await upload(client, b"one", filename="1.txt")
    await upload(client, b"two", filename="2.txt")
    dest = tmp_path / "b"
    report = archive.backup(settings=settings, dest=dest)
    assert not report["keys"]["included"] and report["blobs"]["copied"] == 2
    assert archive.verify(src=dest)["ok"]

    damaged = dest.with_name("damaged")
    shutil.copytree(dest, damaged)
    manifest = json.loads((damaged / archive.MANIFEST).read_text())
    sha = next(e[0] for e in manifest["entries"] if e[2] == "copied")
    (damaged / "blobs" / sha[:2] / sha).write_bytes(b"onf")
    result = archive.verify(src=damaged)
    assert not result["ok"] and result["problems"] == [f"blob {sha} is missing or damaged"]
    with pytest.raises(SatchelError) as refused:
        archive.restore(settings=_restored_settings(tmp_path), src=damaged)
    assert refused.value.code == "backup_invalid"

    (damaged / archive.MANIFEST).unlink()  # an interrupted backup has no manifest
    with pytest.raises(SatchelError) as partial:
        archive.verify(src=damaged)
    assert partial.value.code == "backup_invalid"
    with pytest.raises(SatchelError) as busy:
        archive.backup(settings=settings, dest=dest)
    assert busy.value.code == "backup_target_not_empty"
    with pytest.raises(SatchelError) as no_phrase:
        archive.backup(settings=settings, dest=tmp_path / "c", include_keys=True)
    assert no_phrase.value.code == "backup_keys_sealed"

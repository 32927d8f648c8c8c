"""Key ids on signatures and sealed credentials: a rotated secret keeps earlier links and
credentials working while the old key is listed as previous, and only then."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from satchel.api.app import create_app
from satchel.auth.signing import key_id
from satchel.config import Settings
from satchel.runtime import start
from satchel.storage.crypto import CredentialBox
from tests.conftest import make_png, upload
from tests.web.helpers import make_space

OLD = "old-9f3c2a7e41b86d05c1e7a4f29b3d8e60c5a1f7d2"  # strong enough to start with
NEW = "new-4b8e1d6a93c07f52e8a1b4d7c60f39e2a7d5b18c"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"secret_key": SecretStr(OLD)})


Node = Callable[..., Any]


@pytest.fixture
def node(settings: Settings) -> Node:
    """Another server on the same data, started with other keys."""

    @asynccontextmanager
    async def open_node(**changes: Any) -> AsyncIterator[httpx.AsyncClient]:
        keys = {
            k: SecretStr(v) if isinstance(v, str) else [SecretStr(x) for x in v]
            for k, v in changes.items()
        }
        runtime = start(settings.model_copy(update=keys))
        app = create_app(runtime.settings, runtime)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as visitor:
                yield visitor
        finally:
            runtime.close()

    return open_node


async def test_rotated_secret_keeps_earlier_links_during_the_grace_period(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, node: Node
) -> None:
    asset = (await upload(client, make_png(seed=901)))["data"]["id"]
    space = await make_space(client, asset_ids=(asset,))
    manifest = (await anon.get(f"/api/v1/public/spaces/{space['short_id']}")).json()["data"]
    link = manifest["assets"][0]["url"]
    sig = link.split("sig=")[1]
    assert sig.startswith(key_id(OLD.encode()) + ".")
    assert (await anon.get(link)).status_code == 200
    # The key rotated, the old one kept as previous: the old link works, new ones use NEW.
    async with node(secret_key=NEW, previous_secret_keys=[OLD]) as visitor:
        assert (await visitor.get(link)).status_code == 200
        fresh = (await visitor.get(f"/api/v1/public/spaces/{space['short_id']}")).json()
        new_link = fresh["data"]["assets"][0]["url"]
        assert new_link.split("sig=")[1].startswith(key_id(NEW.encode()) + ".")
        assert (await visitor.get(new_link)).status_code == 200
        # A signature that names the old key but was made with another is still refused.
        forged = link.replace(sig, key_id(OLD.encode()) + "." + sig.split(".")[1][::-1])
        assert (await visitor.get(forged)).status_code == 403
    # The grace period over (the old key dropped): its links stop.
    async with node(secret_key=NEW) as visitor:
        refused = await visitor.get(link)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "signature_invalid"
        assert (await visitor.get(new_link)).status_code == 200


def test_sealed_credentials_name_their_key_and_survive_rotation(tmp_path: Path) -> None:
    values = {"secret_access_key": secrets.token_hex(20)}
    before = CredentialBox(data_dir=tmp_path, secret_key=OLD)
    sealed = before.seal(values, bound_to="sc_1")
    assert before.open(sealed, bound_to="sc_1") == values
    # A separate sealing key: what the secret key sealed still opens; new seals use it.
    separate = CredentialBox(data_dir=tmp_path, secret_key=OLD, sealing_key=NEW)
    assert separate.open(sealed, bound_to="sc_1") == values
    resealed = separate.seal(values, bound_to="sc_1")
    assert resealed[1:5] != sealed[1:5]  # another key id
    with pytest.raises(Exception, match="cannot be decrypted"):
        before.open(resealed, bound_to="sc_1")
    # A rotated secret key, the old one kept as previous; then dropped.
    rotated = CredentialBox(data_dir=tmp_path, secret_key=NEW, previous=(OLD,))
    assert rotated.open(sealed, bound_to="sc_1") == values
    with pytest.raises(Exception, match="cannot be decrypted") as dropped:
        CredentialBox(data_dir=tmp_path, secret_key=NEW).open(sealed, bound_to="sc_1")
    assert getattr(dropped.value, "code", None) == "storage_credentials_unreadable"
    # Still bound to its row.
    with pytest.raises(Exception, match="cannot be decrypted"):
        rotated.open(sealed, bound_to="sc_2")
    # Sealed before a key was configured (the data folder's key file): still readable after.
    filed = CredentialBox(data_dir=tmp_path, secret_key=None).seal(values, bound_to="sc_3")
    assert (tmp_path / "storage.key").is_file()
    configured = CredentialBox(data_dir=tmp_path, secret_key=NEW)
    assert configured.open(filed, bound_to="sc_3") == values


def test_sealed_values_of_the_first_format_still_open(tmp_path: Path) -> None:
    """Values sealed before key ids (version 1: no key id) open with any known key."""
    from satchel.storage import crypto

    box = CredentialBox(data_dir=tmp_path, secret_key=NEW, previous=(OLD,))
    _, aead = crypto._derive(OLD.encode())
    nonce = secrets.token_bytes(12)
    legacy = b"\x01" + nonce + aead.encrypt(nonce, b'{"k": "v"}', b"sc_9")
    assert box.open(legacy, bound_to="sc_9") == {"k": "v"}

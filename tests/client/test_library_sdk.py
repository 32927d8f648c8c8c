"""The SDK's library methods against a real server (issue 20): folders kept on upload, the
folder tree with its counts, moves of assets and folders, favourites and archive with
their filters, facets, exact duplicates, and the trash with restore and empty.

The live server is shared by the session's SDK and CLI tests: everything here lives in a
folder of its own, and the trash is left as it was found (empty)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from satchel_client import Client, Conflict, NotFound

from tests.conftest import make_png


def _png(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    path.write_bytes(make_png(7, 3, seed=seed))
    return path


def test_folders_flags_facets_duplicates_and_trash(sdk: Client, tmp_path: Path) -> None:
    root = f"/sdk-{secrets.token_hex(4)}"
    seed = secrets.randbelow(200)
    a = sdk.assets.upload(_png(tmp_path, "a.png", seed), folder=f"{root}/trip").asset
    b = sdk.assets.upload(_png(tmp_path, "b.png", seed + 1), folder=f"{root}/trip/day2").asset
    twin = sdk.assets.upload(
        _png(tmp_path, "a.png", seed), folder=f"{root}/other", dedupe=False
    ).asset
    assert a and b and twin and twin.id != a.id
    assert (a.folder, b.folder, twin.folder) == (
        f"{root}/trip",
        f"{root}/trip/day2",
        f"{root}/other",
    )

    # The tree counts each folder's own files and, with its subfolders, the whole branch.
    tree = {f["path"]: f for f in sdk.folders.tree() if f["path"].startswith(root)}
    assert tree[f"{root}/trip"]["count"] == 1 and tree[f"{root}/trip/day2"]["count"] == 1
    listed = {x.id for x in sdk.assets.list(folder=f"{root}/trip", recursive=True)}
    assert listed == {a.id, b.id}
    assert {x.id for x in sdk.assets.list(folder=f"{root}/trip")} == {a.id}

    # Exact duplicates: the two copies of a.png, across folders.
    [group] = [g for g in sdk.assets.duplicates() if {x["id"] for x in g["assets"]} & {a.id}]
    assert group["kind"] == "exact" and {x["id"] for x in group["assets"]} == {a.id, twin.id}
    assert group["wasted_bytes"] == group["size"] > 0

    # Favourites and archive, with their filters; archived files leave the default listing.
    assert sdk.assets.favorite(b.id).is_favorite is True
    assert [x.id for x in sdk.assets.list(folder=root, recursive=True, is_favorite=True)] == [b.id]
    assert sdk.assets.archive(twin.id).is_archived is True
    assert twin.id not in {x.id for x in sdk.assets.list(folder=root, recursive=True)}
    archived = sdk.assets.list(folder=root, recursive=True, is_archived=True)
    assert [x.id for x in archived] == [twin.id]
    facets = sdk.assets.facets(folder=root, recursive=True)
    assert facets["total"] == 2  # a and b; the archived twin is not in the default view
    assert facets["kinds"] == [{"value": "image", "count": 2}]

    # Moves: one asset, then a whole folder; a taken name refuses unless asked.
    sdk.assets.move([b.id], f"{root}/best")
    assert sdk.assets.get(b.id).folder == f"{root}/best"
    moved = sdk.folders.move(f"{root}/trip", f"{root}/2026")
    assert moved["moved"] == 1, moved
    assert sdk.assets.get(a.id).folder == f"{root}/2026"
    sdk.assets.archive(twin.id, on=False)
    with pytest.raises(Conflict) as taken:
        sdk.assets.move([twin.id], f"{root}/2026")
    assert taken.value.code == "folder_name_taken"
    sdk.assets.move([twin.id], f"{root}/2026", allow_duplicates=True)

    # The trash: invisible, restored with the same id and bytes, emptied for good.
    before = sdk.assets.download(a.id, tmp_path / "before.png").read_bytes()
    sdk.assets.delete(a.id)
    assert [x.id for x in sdk.trash.list()] == [a.id]
    with pytest.raises(NotFound):
        sdk.assets.get(a.id)
    assert sdk.trash.restore([a.id])["restored"] == [a.id]
    assert sdk.assets.download(a.id, tmp_path / "after.png").read_bytes() == before
    assert sdk.trash.list() == []
    plan = sdk.folders.delete(root, dry_run=True)
    assert plan["assets"] == 3 and not plan["trashed"] and plan["blocked_ids"] == [], plan
    assert sdk.folders.delete(root)["trashed"] is True
    assert {x.id for x in sdk.trash.list()} == {a.id, b.id, twin.id}
    assert sdk.trash.empty()["deleted"] == 3
    assert sdk.trash.list() == []
    with pytest.raises(NotFound):
        sdk.assets.get(b.id)

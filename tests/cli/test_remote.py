"""The remote commands as a user runs them, against a real server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PIL import Image
from satchel_client import Client, FileResumeStore

from tests.cli.remote_helpers import Cli
from tests.client.live import LiveServer
from tests.conftest import make_png
from tests.servers import free_port

MiB = 1 << 20


@pytest.fixture
def cli(tmp_path: Path, live: LiveServer) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    c = Cli(home=tmp_path / "config", cwd=work)
    c.ok("login", "--server", live.base, "--token", live.key)
    return c


def _png(folder: Path, name: str, seed: int, width: int = 6) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_png(width, 4, seed=seed))
    return path


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_login_saves_url_and_token_privately(tmp_path: Path, live: LiveServer) -> None:
    c = Cli(home=tmp_path / "xdg", cwd=tmp_path)
    missing = c.run("ls")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "error: Not signed in: run `satchel login` (or set SATCHEL_URL and SATCHEL_TOKEN). "
        "(not_signed_in)"
    ]
    out = c.json("login", "--server", live.base + "/", "--token", live.key)
    assert out["url"] == live.base and out["username"] == "admin"
    assert stat.S_IMODE(c.config_file.stat().st_mode) == 0o600
    saved = json.loads(c.config_file.read_text())
    assert saved["url"] == live.base and saved["token"] == live.key
    assert c.json("whoami")["user"]["username"] == "admin"
    # With a password (prompted for): a key is minted for this machine and saved instead.
    again = c.run("login", input=f"{live.base}\nadmin\n{live.password}\n")
    assert again.returncode == 0, again.stderr
    assert "Signed in to" in again.stdout and "as admin" in again.stdout
    token = json.loads(c.config_file.read_text())["token"]
    assert token.startswith("sat_") and token != live.key
    assert stat.S_IMODE(c.config_file.stat().st_mode) == 0o600
    minted_id = json.loads(c.config_file.read_text())["minted_key_id"]
    minted = [k for k in c.json("keys", "ls") if k["id"] == minted_id]
    assert minted[0]["name"].startswith("satchel-cli on ")
    assert minted[0]["scopes"] == ["write"]  # write by default, never admin
    wrong = c.run("login", "--server", live.base, "--username", "admin", "--password", "nope")
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        "error: The username or password is wrong. (invalid_credentials)"
    ]
    # logout revokes the key login minted: it stops working at once.
    said = c.ok("logout").strip()
    assert said == f"Signed out; key {minted[0]['id']} revoked.", said
    assert not c.config_file.exists()
    assert httpx.get(f"{live.base}/api/v1/auth/session", headers=_bearer(token)).status_code == 401
    # --scope chooses; a key given with --token is the user's and outlives logout.
    reader = c.run("login", "--scope", "read", input=f"{live.base}\nadmin\n{live.password}\n")
    assert reader.returncode == 0 and "(read)" in reader.stdout, reader.stdout + reader.stderr
    read_token = json.loads(c.config_file.read_text())["token"]
    # The key really holds only `read`: it lists, but an upload is refused.
    assert c.run("ls").returncode == 0
    _png(tmp_path, "ro.png", 9)
    refused = c.run("upload", "ro.png")
    assert refused.returncode == 1 and "(insufficient_scope)" in refused.stderr, refused.stderr
    c.ok("logout")
    gone = httpx.get(f"{live.base}/api/v1/auth/session", headers=_bearer(read_token))
    assert gone.status_code == 401  # logout revoked the read key too
    c.json("login", "--server", live.base, "--token", live.key)
    assert c.ok("logout").strip() == "Signed out."
    assert (
        httpx.get(f"{live.base}/api/v1/auth/session", headers=_bearer(live.key)).status_code == 200
    )


def test_upload_files_folders_and_globs_then_ls_get_url_rm(cli: Cli, live: LiveServer) -> None:
    work = cli.cwd
    _png(work, "one.png", 1)
    _png(work, "album/two.png", 2)
    _png(work, "album/deep/three.png", 3)
    _png(work, "album/.hidden.png", 4)
    _png(work, "shot-a.png", 5)
    _png(work, "shot-b.png", 6)
    out = cli.json("upload", "one.png", "album", "shot-*.png", "--tag", "cli-upload")
    paths = sorted(Path(u["path"]).name for u in out["uploads"])
    assert paths == ["one.png", "shot-a.png", "shot-b.png", "three.png", "two.png"]
    ids = {Path(u["path"]).name: u["asset"]["id"] for u in out["uploads"]}
    kept = {Path(u["path"]).name: u["asset"]["folder"] for u in out["uploads"]}
    assert kept == {
        "one.png": "/",
        "two.png": "/album",
        "three.png": "/album/deep",
        "shot-a.png": "/",
        "shot-b.png": "/",
    }
    deep = cli.json("ls", "--folder", "/album", "--recursive")
    assert {a["id"] for a in deep} == {ids["two.png"], ids["three.png"]}
    listed = cli.json("ls", "--tag", "cli-upload")
    assert {a["id"] for a in listed} == set(ids.values())
    table = cli.ok("ls", "--tag", "cli-upload")
    assert "one.png" in table and "three.png" in table
    details = cli.ok("get", ids["one.png"])
    assert "one.png" in details and "image/png" in details
    shown = cli.json("get", ids["one.png"])
    assert shown["filename"] == "one.png" and shown["size"] == (work / "one.png").stat().st_size
    (work / "out").mkdir()
    cli.ok("get", ids["one.png"], "-o", "out")
    assert (work / "out" / "one.png").read_bytes() == (work / "one.png").read_bytes()
    # Friction 10: `-o dir/` made a file named dir, and an existing file was overwritten.
    cli.ok("get", ids["one.png"], "-o", "fresh/")
    assert (work / "fresh" / "one.png").read_bytes() == (work / "one.png").read_bytes()
    (work / "keep.png").write_bytes(b"mine")
    refused = cli.run("get", ids["one.png"], "-o", "keep.png")
    assert refused.returncode == 1 and "(output_exists)" in refused.stderr
    assert (work / "keep.png").read_bytes() == b"mine"
    assert cli.run("get", ids["one.png"], "-o", "out").returncode == 1
    cli.ok("get", ids["one.png"], "-o", "keep.png", "--force")
    assert (work / "keep.png").read_bytes() == (work / "one.png").read_bytes()
    link = cli.ok("url", ids["two.png"], "--expires-in", "120").strip()
    assert httpx.get(link).content == (work / "album" / "two.png").read_bytes()
    plan = cli.json("rm", ids["one.png"], "--dry-run")
    assert plan[0]["asset_id"] == ids["one.png"] and plan[0]["meta"]["dry_run"]
    assert cli.ok("rm", ids["one.png"]).strip() == f"Moved {ids['one.png']} to the trash."
    assert cli.ok("rm", ids["one.png"], "--permanent").strip() == f"Deleted {ids['one.png']}."
    gone = cli.ok("rm", ids["one.png"], "--permanent").strip()
    assert gone == f"{ids['one.png']}: already deleted."
    # A failed call: exit 1, one line on stderr with the message and the code.
    failed = cli.run("get", ids["one.png"])
    assert failed.returncode == 1 and failed.stdout == ""
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith("error: ") and line.endswith("(asset_not_found)")
    as_json = cli.run("get", ids["one.png"], "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stderr)["error"]["code"] == "asset_not_found"


def test_upload_with_no_arguments_picks_interactively(cli: Cli) -> None:
    for i, name in enumerate(["a.png", "b.png", "c.png"]):
        _png(cli.cwd, name, 20 + i)
    out = cli.json("upload", input="1,3\n")
    assert sorted(Path(u["path"]).name for u in out["uploads"]) == ["a.png", "c.png"]
    bad = cli.run("upload", input="7\n")
    assert bad.returncode == 1 and "(bad_choice)" in bad.stderr


def test_flat_upload_then_mv_fav_folders_and_trash(cli: Cli, live: LiveServer) -> None:
    _png(cli.cwd, "trip/day1/a.png", 40)
    _png(cli.cwd, "trip/day2/b.png", 41)
    out = cli.json("upload", "trip", "--flat", "--folder", "/inbox")
    ids = {Path(u["path"]).name: u["asset"]["id"] for u in out["uploads"]}
    assert {u["asset"]["folder"] for u in out["uploads"]} == {"/inbox"}
    assert cli.ok("mv", ids["a.png"], "/keep").strip() == "Moved 1 into /keep."
    assert cli.ok("mv", "/keep", "/best").strip() == "Moved /keep to /best (1 files)."
    tree = {f["path"]: f["count"] for f in cli.json("folders")}
    assert tree["/best"] == 1 and tree["/inbox"] == 1
    assert cli.ok("fav", ids["b.png"]).strip() == f"Starred {ids['b.png']}."
    # The live server is shared (the README's SDK snippet stars its own upload): look in /inbox.
    assert [a["id"] for a in cli.json("ls", "--fav", "--folder", "/inbox")] == [ids["b.png"]]
    assert cli.ok("rm", ids["a.png"]).strip() == f"Moved {ids['a.png']} to the trash."
    assert [a["id"] for a in cli.json("trash", "ls")] == [ids["a.png"]]
    assert cli.ok("trash", "restore", ids["a.png"]).strip() == "Restored 1."
    assert cli.json("trash", "ls") == []
    cli.ok("rm", ids["a.png"])
    assert cli.ok("trash", "empty", "--yes").strip() == "Deleted 1 for good."


def test_a_taken_name_is_numbered_unless_duplicates_are_allowed(cli: Cli, live: LiveServer) -> None:
    _png(cli.cwd, "first/same.png", 50)
    _png(cli.cwd, "second/same.png", 51)  # other bytes, the same name
    _png(cli.cwd, "third/same.png", 52)
    names = []
    for source, extra in [("first", []), ("second", []), ("third", ["--allow-duplicates"])]:
        out = cli.json("upload", f"{source}/same.png", "--folder", "/named", *extra)
        names.append((out["uploads"][0]["asset"]["folder"], out["uploads"][0]["asset"]["filename"]))
    assert names == [("/named", "same.png"), ("/named", "same (2).png"), ("/named", "same.png")]
    listed = sorted(a["filename"] for a in cli.json("ls", "--folder", "/named"))
    assert listed == ["same (2).png", "same.png", "same.png"]


def test_upload_into_a_space_and_the_spaces_commands(cli: Cli, live: LiveServer) -> None:
    _png(cli.cwd, "pub.png", 30)
    out = cli.json("upload", "pub.png", "--space", "CLI Highlights")
    asset_id = out["uploads"][0]["asset"]["id"]
    space = out["space"]
    assert space["name"] == "CLI Highlights" and space["visibility"] == "public"
    assert space["created"] is True
    share = cli.ok("spaces", "url", "cli highlights").strip()
    assert share == space["share_url"]
    manifest = httpx.get(f"{live.base}/api/v1/public/spaces/{space['short_id']}").json()
    assert [a["id"] for a in manifest["data"]["assets"]] == [asset_id]
    made = cli.json("spaces", "create", "CLI Private")
    assert made["visibility"] == "private"
    published = cli.json("spaces", "publish", "CLI Private", asset_id)
    assert published["results"] == [{"asset_id": asset_id, "ok": True}]
    partly = cli.run("spaces", "publish", "CLI Private", "ast_missing")
    assert partly.returncode == 1 and "ast_missing: asset_not_found" in partly.stdout
    names = {s["name"]: s["asset_count"] for s in cli.json("spaces", "ls")}
    assert names["CLI Private"] == 1 and names["CLI Highlights"] == 1
    assert "CLI Private" in cli.ok("spaces", "ls")
    # Uploading again into the existing space reuses it.
    again = cli.json("upload", "pub.png", "--space", "CLI Highlights")
    assert again["space"]["created"] is False and again["space"]["id"] == space["id"]
    missing = cli.run("spaces", "url", "No Such Space")
    assert missing.returncode == 1 and "(space_not_found)" in missing.stderr


def test_keys_usage_and_reprocess(cli: Cli, live: LiveServer) -> None:
    made = cli.json("keys", "create", "cli-reader", "--scope", "read")
    assert made["key"].startswith("sat_") and made["scopes"] == ["read"]
    assert any(k["id"] == made["id"] for k in cli.json("keys", "ls"))
    raw = cli.ok("keys", "create", "cli-writer").splitlines()[-1]
    assert raw.startswith("sat_")
    cli.ok("keys", "revoke", made["id"])
    assert (
        httpx.get(
            f"{live.base}/api/v1/usage", headers={"Authorization": f"Bearer {made['key']}"}
        ).status_code
        == 401
    )
    _png(cli.cwd, "r.png", 40)
    asset_id = cli.json("upload", "r.png")["uploads"][0]["asset"]["id"]
    used = cli.json("usage")
    assert used["total_assets"] >= 1 and used["total_bytes"] > 0
    assert "assets" in cli.ok("usage")
    with Client(live.base, live.key) as sdk:
        sdk.jobs.wait(cli.json("reprocess", asset_id)["job_ids"][0])
        everything = cli.json("reprocess", "--all", "--kind", "image", "--limit", "1")
        assert everything["processed"] >= 1 and everything["batches"] >= everything["processed"]
        for job_id in everything["job_ids"]:
            sdk.jobs.wait(job_id, raise_on_failure=False)
    neither = cli.run("reprocess")
    assert neither.returncode != 0


def test_an_interrupted_upload_resumes_from_the_cli(cli: Cli, live: LiveServer) -> None:
    path = cli.cwd / "film.txt"
    path.write_bytes(
        b"".join(b"%08d satchel resume test line\n" % i for i in range(13 * MiB // 32))
    )

    class Stop(Exception):
        pass

    def stop(sent: int, _total: int) -> None:
        if sent > 6 * MiB:
            raise Stop

    # The CLI keeps upload state in its config folder; interrupt one there mid-way.
    store = FileResumeStore(cli.home / "satchel" / "uploads")
    with Client(live.base, live.key) as sdk, pytest.raises(Stop):
        sdk.assets.upload(path, resume=store, part_concurrency=1, progress=stop)
    [state] = store.pending()
    assert state["mode"] == "multipart" and list(state["parts"]) == ["1"]
    out = cli.json("upload", "film.txt")
    [done] = out["uploads"]
    assert done["resumed"] is True and done["parts_sent"] == 2
    assert done["asset"]["id"] == state["asset_id"]
    assert store.pending() == []
    back = cli.cwd / "back.txt"
    cli.ok("get", state["asset_id"], "-o", str(back), "--raw")
    assert back.read_bytes() == path.read_bytes()


def test_unreachable_server_fails_with_one_line(tmp_path: Path) -> None:
    c = Cli(home=tmp_path / "xdg", cwd=tmp_path)
    dead = f"http://127.0.0.1:{free_port()}"
    done = c.run("login", "--server", dead, "--token", "sat_x")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and line.endswith("(connection_failed)")


def test_public_shares_at_one_url_with_the_options_and_off_stops_it(cli: Cli) -> None:
    _png(cli.cwd, "open.png", 60)
    [up] = cli.json("upload", "open.png", "--folder", "/open")["uploads"]
    asset_id = up["asset"]["id"]
    said = cli.ok("public", asset_id).strip()
    url = said.removeprefix(f"{asset_id}: ")
    assert url.endswith(f"/p/{asset_id}/open.png")
    visited = httpx.get(url)
    assert visited.status_code == 200
    with Image.open(io.BytesIO(visited.content)) as got, Image.open(cli.cwd / "open.png") as sent:
        assert (
            got.size == sent.size and got.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
        )
    [shown] = cli.json("public", asset_id, "--previews-only", "--days", "1")
    assert shown["public_allow_download"] is False and shown["public_url"] == url
    assert (
        23 * 3600
        < (datetime.fromisoformat(shown["public_expires_at"]) - datetime.now(UTC)).total_seconds()
        <= 24 * 3600
    )
    refused = httpx.get(url)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "download_not_allowed"
    assert cli.ok("public", asset_id, "--off").strip() == f"{asset_id} is private."
    assert httpx.get(url).status_code == 404


def test_an_ambiguous_space_name_is_refused_not_guessed(cli: Cli, live: LiveServer) -> None:
    with Client(live.base, live.key) as sdk:
        first = sdk.spaces.create("CLI Twins")
        second = sdk.spaces.create("CLI Twins", allow_duplicate_name=True)
    for args in (("spaces", "url", "cli twins"), ("spaces", "publish", "CLI Twins", "ast_x")):
        refused = cli.run(*args)
        assert refused.returncode == 1, args
        assert "(space_ambiguous)" in refused.stderr and second.id in refused.stderr, args
    _png(cli.cwd, "twin.png", 61)
    upload = cli.run("upload", "twin.png", "--space", "CLI Twins")
    assert upload.returncode == 1 and "(space_ambiguous)" in upload.stderr, upload.stderr
    with Client(live.base, live.key) as sdk:
        assert sdk.spaces.get(first.id).asset_count == 0
        assert sdk.spaces.get(second.id).asset_count == 0
    # By its short id, either one is named exactly.
    assert cli.ok("spaces", "url", first.short_id).strip() == first.share_url

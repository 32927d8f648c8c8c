"""Spaces, publications, public manifests, profiles and avatars through the real API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pyvips

from satchel.runtime import Runtime
from tests.auth.helpers import bearer, login, register
from tests.conftest import make_png, upload


async def _space(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    # Tests make several spaces of one name: duplicates are allowed here on purpose.
    body = {"name": "Highlights", "allow_duplicate_name": True, **body}
    response = await client.post("/api/v1/spaces", json=body)
    assert response.status_code == 201, response.text
    space: dict[str, Any] = response.json()["data"]
    return space


async def _publish(client: httpx.AsyncClient, space_id: str, *ids: str) -> list[dict[str, Any]]:
    response = await client.post(
        f"/api/v1/spaces/{space_id}/publications", json={"asset_ids": list(ids)}
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["data"]
    return results


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visibility": "protected"}, "password"),
        ({"visibility": "secret"}, "visibility"),
        ({"name": ""}, "name"),
    ],
)
async def test_bad_spaces(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/api/v1/spaces", json={"name": "x", **body})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field


async def test_space_lifecycle_and_publications(
    client: httpx.AsyncClient, other: httpx.AsyncClient, client_for: Any
) -> None:
    space = await _space(client, visibility="public", description="Best of")
    assert space["share_url"].endswith(f"/s/{space['short_id']}") and space["asset_count"] == 0
    a = (await upload(client, make_png(seed=300)))["data"]["id"]
    b = (await upload(client, make_png(seed=301)))["data"]["id"]
    theirs = (await upload(other, make_png(seed=302)))["data"]["id"]
    results = await _publish(client, space["id"], a, b, theirs, "ast_" + "0" * 26, a)
    assert [r["ok"] for r in results] == [True, True, False, False]
    assert results[2]["error"] == "asset_not_found"
    got = (await client.get(f"/api/v1/spaces/{space['id']}")).json()["data"]
    assert got["asset_count"] == 2
    listed = (await client.get(f"/api/v1/spaces/{space['id']}/publications")).json()["data"]
    assert [x["id"] for x in listed] == [b, a]  # newest publication first
    in_spaces = (await client.get(f"/api/v1/assets/{a}/spaces")).json()["data"]
    assert [s["id"] for s in in_spaces] == [space["id"]]
    refs = (await client.get(f"/api/v1/assets/{a}/references")).json()["data"]
    assert {
        "domain": "spaces",
        "owner_id": space["id"],
        "role": "publication",
        "hard": False,
        "parent_id": space["short_id"],
    } in refs["references"]
    # Deleting a published asset simply unpublishes it (a soft reference).
    assert (await client.delete(f"/api/v1/assets/{b}?permanent=true")).status_code == 200
    assert (await client.get(f"/api/v1/spaces/{space['id']}")).json()["data"]["asset_count"] == 1
    out = await client.delete(f"/api/v1/spaces/{space['id']}/publications/{a}")
    assert out.status_code == 200
    assert (await client.get(f"/api/v1/assets/{a}/spaces")).json()["data"] == []
    # Another user (even with an admin-scope key) sees neither the space nor that it exists.
    async with client_for(["admin"], "mallory") as mallory:
        for method in ("GET", "PATCH", "DELETE"):
            kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "PATCH" else {}
            theirs_resp = await mallory.request(method, f"/api/v1/spaces/{space['id']}", **kwargs)
            missing = await mallory.request(method, "/api/v1/spaces/spc_" + "0" * 26, **kwargs)
            assert theirs_resp.status_code == missing.status_code == 404
            assert theirs_resp.json() == missing.json()
    assert (await client.delete(f"/api/v1/spaces/{space['id']}")).status_code == 200
    assert (await client.get(f"/api/v1/assets/{a}")).status_code == 200  # assets stay


async def test_visibility_for_every_caller(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    asset = (await upload(client, make_png(seed=310), description="a dot"))["data"]
    public = await _space(client, visibility="public")
    protected = await _space(client, visibility="protected", password="open sesame")
    private = await _space(client)
    for space in (public, protected, private):
        await _publish(client, space["id"], asset["id"])

    manifest = (await anon.get(f"/api/v1/public/spaces/{public['short_id']}")).json()["data"]
    assert manifest["name"] == "Highlights" and len(manifest["assets"]) == 1
    item = manifest["assets"][0]
    assert item["id"] == asset["id"] and item["description"] == "a dot"
    assert (await anon.get(item["url"])).content == make_png(seed=310)  # signed, no key
    assert (await other.get(f"/api/v1/public/spaces/{public['short_id']}")).status_code == 200

    gated = (await anon.get(f"/api/v1/public/spaces/{protected['short_id']}")).json()["data"]
    assert gated == {"requires_password": True}
    wrong = await anon.post(
        f"/api/v1/public/spaces/{protected['short_id']}/access", json={"password": "guess"}
    )
    unknown = await anon.post(
        "/api/v1/public/spaces/nosuchspace/access", json={"password": "guess"}
    )
    private_try = await anon.post(
        f"/api/v1/public/spaces/{private['short_id']}/access", json={"password": "guess"}
    )
    assert wrong.status_code == unknown.status_code == private_try.status_code == 403
    assert wrong.json() == unknown.json() == private_try.json()
    right = await anon.post(
        f"/api/v1/public/spaces/{protected['short_id']}/access", json={"password": "open sesame"}
    )
    assert right.status_code == 200 and right.json()["data"]["assets"][0]["id"] == asset["id"]

    hidden = await anon.get(f"/api/v1/public/spaces/{private['short_id']}")
    nothing = await anon.get("/api/v1/public/spaces/nosuchspace")
    assert hidden.status_code == nothing.status_code == 404 and hidden.json() == nothing.json()

    # Clearing the password of a protected space is refused; making it public works.
    cleared = await client.patch(f"/api/v1/spaces/{protected['id']}", json={"password": None})
    assert cleared.status_code == 422
    opened = await client.patch(
        f"/api/v1/spaces/{protected['id']}", json={"visibility": "public", "password": None}
    )
    assert opened.status_code == 200 and opened.json()["data"]["has_password"] is False


async def test_wrong_passwords_are_throttled(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    space = await _space(client, visibility="protected", password="right one")
    url = f"/api/v1/public/spaces/{space['short_id']}/access"
    for _ in range(10):
        assert (await anon.post(url, json={"password": "wrong"})).status_code == 403
    blocked = await anon.post(url, json={"password": "right one"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1


async def test_profiles_handles_and_links(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "kimi", email="kimi@example.com")
    await register(client, "lena", email="lena@example.com")
    kimi = bearer(await login(anon, "kimi"))
    lena = bearer(await login(anon, "lena"))
    url = "/api/v1/account/profile"
    assert (await anon.get("/api/v1/public/profiles/kimi")).status_code == 404
    made = await anon.patch(
        url,
        headers=kimi,
        json={
            "handle": "kimi",
            "bio": "photographer",
            "is_public": True,
            "links": [{"label": "site", "url": "https://example.com"}],
        },
    )
    assert made.status_code == 200, made.text
    taken = await anon.patch(url, headers=lena, json={"handle": "KIMI"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "handle_taken"
    for body, field in (
        ({"bio": "x" * 281}, "bio"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links.0.url"),
        ({"links": [{"url": f"https://e.com/{i}"} for i in range(7)]}, "links"),
        ({"handle": "no spaces"}, "handle"),
    ):
        bad = await anon.patch(url, headers=kimi, json=body)
        assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == field
    profile = (await anon.get("/api/v1/public/profiles/kimi")).json()["data"]
    assert profile["bio"] == "photographer" and "email" not in profile
    assert "status" not in profile and "onboarded_at" not in profile
    # Renaming holds the old handle for its last holder (tests/accounts/test_handles.py).
    assert (await anon.patch(url, headers=kimi, json={"handle": "kimi2"})).status_code == 200
    assert (await anon.get("/api/v1/public/profiles/kimi")).status_code == 404
    assert (await anon.patch(url, headers=lena, json={"handle": "kimi"})).status_code == 409
    assert (await anon.patch(url, headers=lena, json={"handle": "lena-k"})).status_code == 200
    hidden = await anon.get("/api/v1/public/profiles/lena-k")  # lena's, not public
    unknown = await anon.get("/api/v1/public/profiles/nobody-here")
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()


async def test_profile_lists_public_spaces_newest_first(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await client.patch("/api/v1/account/profile", json={"handle": "boss", "is_public": True})
    first = await _space(client, visibility="public", name="one")
    await _space(client, visibility="private", name="hidden")
    second = await _space(client, visibility="public", name="two")
    profile = (await anon.get("/api/v1/public/profiles/boss")).json()["data"]
    assert [s["short_id"] for s in profile["spaces"]] == [second["short_id"], first["short_id"]]


async def test_avatar_replace_and_delete(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    await client.patch("/api/v1/account/profile", json={"handle": "face", "is_public": True})
    bad_type = await client.post(
        "/api/v1/account/avatar", json={"content_type": "image/gif", "size_bytes": 10}
    )
    assert bad_type.status_code == 422
    too_big = await client.post(
        "/api/v1/account/avatar", json={"content_type": "image/png", "size_bytes": 11_000_000}
    )
    assert too_big.status_code == 422
    early = await client.post(
        "/api/v1/account/avatar/complete", json={"storage_key": "avatars/x/y"}
    )
    assert early.status_code == 404
    shas = []
    for seed in (320, 321):
        png = make_png(600, 400, seed=seed)
        start = (
            await client.post(
                "/api/v1/account/avatar", json={"content_type": "image/png", "size_bytes": len(png)}
            )
        ).json()["data"]
        assert (await anon.put(start["url"], content=png)).status_code == 204
        done = await client.post(
            "/api/v1/account/avatar/complete", json={"storage_key": start["storage_key"]}
        )
        assert done.status_code == 200, done.text
        avatar = await anon.get(done.json()["data"]["avatar_url"])
        image = pyvips.Image.new_from_buffer(avatar.content, "")
        assert (image.width, image.height) == (256, 256)
        shas.append(avatar.headers["etag"].strip('"'))
    assert not runtime.blobs.path_of(shas[0]).exists()  # the replaced one is gone
    profile = (await anon.get("/api/v1/public/profiles/face")).json()["data"]
    assert profile["avatar_url"]
    cleared = (await client.delete("/api/v1/account/avatar")).json()["data"]
    assert cleared["avatar_url"] is None and not runtime.blobs.path_of(shas[1]).exists()
    assert (await client.delete("/api/v1/account/avatar")).status_code == 200


async def test_an_owner_space_names_are_distinct(client: httpx.AsyncClient) -> None:
    first = await _space(client, name="Trips", allow_duplicate_name=False)
    again = await client.post("/api/v1/spaces", json={"name": "trips"})
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "space_name_taken" and first["id"] in error["message"]
    assert error["fields"][0]["field"] == "name"
    # The owner may keep both when asked.
    both = await client.post("/api/v1/spaces", json={"name": "Trips", "allow_duplicate_name": True})
    assert both.status_code == 201
    # A rename onto a taken name is refused the same way; keeping one's own name is fine.
    second = await _space(client, name="Walks", allow_duplicate_name=False)
    clash = await client.patch(f"/api/v1/spaces/{second['id']}", json={"name": "TRIPS"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "space_name_taken"
    same = await client.patch(f"/api/v1/spaces/{second['id']}", json={"name": "Walks"})
    assert same.status_code == 200

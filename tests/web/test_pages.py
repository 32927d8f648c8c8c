"""Share pages through the real app: link-preview tags, the password flow, escaping, 404s."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from satchel.auth.models import User
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.corpus import CORPUS
from tests.jobs.helpers import wait_for_asset
from tests.web.helpers import (
    HOSTILE_NAME,
    HOSTILE_SVG,
    HOSTILE_TEXT,
    make_space,
    make_wav,
    read,
    rename,
)

BASE = "http://testserver"


async def _ready(client: httpx.AsyncClient, data: bytes, filename: str, **fields: str) -> str:
    asset_id: str = (await upload(client, data, filename=filename, **fields))["data"]["id"]
    assert (await wait_for_asset(client, asset_id))["status"] == "ready"
    return asset_id


async def test_public_space_has_link_preview_tags_and_a_gallery(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _ready(
        client, make_png(64, 48, seed=1), "beach.png", alt_text="Waves at dusk", description="Day 1"
    )
    space = await make_space(client, asset_ids=(photo,))
    response = await anon.get(f"/s/{space['short_id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = read(response.text)
    short = space["short_id"]
    assert page.meta["og:title"] == "Summer trip"
    assert page.meta["og:description"] == "Photos from the coast"
    assert page.meta["og:image"] == f"{BASE}/s/{short}/cover"
    assert page.meta["og:url"] == f"{BASE}/s/{short}"
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["twitter:title"] == "Summer trip"
    assert page.meta["twitter:image"] == f"{BASE}/s/{short}/cover"
    [image] = page.images
    assert image["alt"] == "Waves at dusk"
    assert (image["src"] or "").startswith(f"{BASE}/s/{short}/a/{photo}/preview?")
    assert "Day 1" in response.text
    # The signed preview link in the page works for anyone.
    shown = await anon.get(image["src"] or "")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "<script" not in response.text


async def test_each_kind_is_shown_sensibly(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    pdf = CORPUS / "pdf" / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    document = await _ready(client, pdf.read_bytes(), "notes.pdf")
    sound = await _ready(client, make_wav(), "tone.wav", description="A440")
    drawing = await _ready(client, HOSTILE_SVG, "drawing.svg")
    space = await make_space(client, asset_ids=(document, sound, drawing))
    response = await anon.get(f"/s/{space['short_id']}")
    assert response.status_code == 200
    page = read(response.text)
    sources = {img["alt"]: img["src"] or "" for img in page.images}
    shared = f"/s/{space['short_id']}/a"
    assert f"{shared}/{document}/preview?" in sources["First page of notes.pdf"]
    assert f"{shared}/{sound}/waveform?" in sources["Waveform of A440"]
    assert f"{shared}/{drawing}/preview?" in sources["drawing.svg"]
    assert "4 pages" in response.text
    assert "<audio controls" in response.text and f"{shared}/{sound}/original?" in response.text
    hrefs = [a.get("href") or "" for a in page.links]
    assert any(f"{shared}/{document}/original?" in h for h in hrefs)
    # The SVG itself is never put in the page, only its rasterized preview.
    assert "<object" not in response.text and "<iframe" not in response.text
    assert "<svg" not in response.text and "__pwned" not in response.text
    assert not any(f"{shared}/{drawing}/original" in s for s in sources.values())
    for src in sources.values():
        assert (await anon.get(src)).status_code == 200


async def test_protected_space_asks_for_the_password(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    photo = (await upload(client, make_png(8, 8, seed=2), filename="secret.png"))["data"]["id"]
    space = await make_space(
        client,
        name="Private party",
        description="Only for guests",
        visibility="protected",
        password="open sesame",
        asset_ids=(photo,),
    )
    path = f"/s/{space['short_id']}"
    asked = await anon.get(path)
    assert asked.status_code == 200
    assert 'type="password"' in asked.text and 'method="post"' in asked.text
    # Nothing of the space shows before the password does.
    assert "Private party" not in asked.text and "secret.png" not in asked.text
    assert "og:image" not in asked.text
    wrong = await anon.post(path, data={"password": "nope"})
    assert wrong.status_code == 403
    assert "password is not right" in wrong.text and 'type="password"' in wrong.text
    assert "Private party" not in wrong.text
    right = await anon.post(path, data={"password": "open sesame"})
    assert right.status_code == 200
    assert "Private party" in right.text and "secret.png" in right.text
    assert right.headers["cache-control"] == "no-store"
    empty = await anon.post(path, data={})
    assert empty.status_code == 403


async def test_wrong_passwords_are_throttled(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    space = await make_space(client, visibility="protected", password="right one")
    path = f"/s/{space['short_id']}"
    statuses = [(await anon.post(path, data={"password": f"guess {i}"})) for i in range(11)]
    assert [r.status_code for r in statuses[:10]] == [403] * 10
    throttled = statuses[10]
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert "Too many wrong passwords" in throttled.text and 'type="password"' in throttled.text
    # Even the right password waits now.
    assert (await anon.post(path, data={"password": "right one"})).status_code == 429


async def test_private_and_unknown_look_the_same(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    private = await make_space(client, name="Hidden", visibility="private")
    answers = []
    for short in (private["short_id"], "nosuchspace"):
        for method in ("GET", "POST"):
            answers.append(await anon.request(method, f"/s/{short}", data={"password": "x"}))
        answers.append(await anon.get(f"/s/{short}/cover"))
    first = answers[0]
    assert first.status_code == 404 and first.headers["content-type"].startswith("text/html")
    assert "Hidden" not in first.text
    for other in answers[1:]:
        assert other.status_code == 404
        assert other.content == first.content
        assert other.headers["content-type"] == first.headers["content-type"]


async def test_hostile_strings_are_escaped(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    photo = (
        await upload(
            client,
            make_png(8, 8, seed=3),
            filename=HOSTILE_NAME,
            alt_text="<img src=x onerror=alert(1)>",
            description=HOSTILE_TEXT,
        )
    )["data"]["id"]
    await rename(client, photo, HOSTILE_NAME)
    space = await make_space(
        client, name=HOSTILE_TEXT, description=HOSTILE_TEXT, asset_ids=(photo,)
    )
    response = await anon.get(f"/s/{space['short_id']}")
    assert response.status_code == 200
    html = response.text
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.png" in html
    page = read(html)
    # Escaped in the markup, intact when read back as text and attribute values.
    assert page.meta["og:title"] == page.meta["og:description"] == HOSTILE_TEXT
    assert HOSTILE_NAME in page.text and HOSTILE_TEXT in page.text
    assert [img.get("alt") for img in page.images] == ["<img src=x onerror=alert(1)>"]
    assert set(page.tags) <= {
        "html", "head", "meta", "title", "link", "style", "body", "main", "header", "h1", "p",
        "ul", "li", "figure", "a", "img", "figcaption", "span", "footer",
    }  # fmt: skip


async def _public_profile(client: httpx.AsyncClient, **changes: object) -> None:
    body = {"handle": "marta", "bio": "Shooting film.", "is_public": True, **changes}
    response = await client.patch("/api/v1/account/profile", json=body)
    assert response.status_code == 200, response.text


async def test_profile_page(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    await _public_profile(
        client,
        bio=HOSTILE_TEXT,
        links=[
            {"label": "Portfolio", "url": "https://example.com/marta"},
            {"label": "<b>bold</b>", "url": "https://example.com/?q=<x>&a=1"},
        ],
    )
    with runtime.db.session() as session:
        user = session.query(User).filter(User.handle == "marta").one()
        user.display_name = "Marta <Ruiz>"
        # Stored links are checked on the way in; the page checks again on the way out.
        user.links = [*user.links, {"label": "evil", "url": "javascript:alert(1)"}]
        session.commit()
    await make_space(client, name="Film rolls")
    await make_space(client, name="Drafts", visibility="private")
    response = await anon.get("/u/marta")
    assert response.status_code == 200
    page = read(response.text)
    assert page.meta["og:title"] == "Marta <Ruiz>"
    assert page.meta["og:image"] == f"{BASE}/u/marta/cover"
    assert page.meta["og:url"] == f"{BASE}/u/marta"
    assert page.meta["twitter:card"] == "summary_large_image"
    assert "Marta &lt;Ruiz&gt;" in response.text and "<script" not in response.text
    external = [a for a in page.links if a.get("rel")]
    assert [a["href"] for a in external] == [
        "https://example.com/marta",
        "https://example.com/?q=<x>&a=1",
    ]
    assert {a["rel"] for a in external} == {"noopener nofollow ugc"}
    assert "javascript:" not in response.text and "&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "Film rolls" in response.text and "Drafts" not in response.text
    assert any((img.get("src") or "").endswith("/cover") for img in page.images)


async def test_profile_is_missing_unless_public(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await _public_profile(client, is_public=False)
    hidden = await anon.get("/u/marta")
    unknown = await anon.get("/u/nobody")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert (await anon.get("/u/marta/cover")).content == unknown.content
    # The same 404 page as a missing space.
    assert (await anon.get("/s/nosuchspace")).content == unknown.content
    await _public_profile(client)
    assert (await anon.get("/u/marta")).status_code == 200
    assert (await anon.get("/u/MARTA")).status_code == 200


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/share/abc123", "/s/abc123"),
        ("/share/u/marta", "/u/marta"),
        ("/share/a%3Fb%0D%0Ac", "/s/a%3Fb%0D%0Ac"),  # no header or query smuggling
    ],
)
async def test_legacy_share_urls_redirect(anon: httpx.AsyncClient, path: str, target: str) -> None:
    response = await anon.get(path)
    assert response.status_code == 301
    assert response.headers["location"] == BASE + target
    assert response.headers["cache-control"] == "public, max-age=86400"


async def test_space_cover_is_stable_image_bytes(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    empty = await make_space(client, name="Empty")
    placeholder = await anon.get(f"/s/{empty['short_id']}/cover")
    assert placeholder.status_code == 200
    assert placeholder.headers["content-type"] == "image/png"
    assert placeholder.content.startswith(b"\x89PNG")
    assert placeholder.headers["cache-control"].startswith("public, max-age=")
    etag = placeholder.headers["etag"]
    again = await anon.get(f"/s/{empty['short_id']}/cover", headers={"If-None-Match": etag})
    assert again.status_code == 304

    first = await _ready(client, make_png(40, 30, seed=4), "first.png")
    second = await _ready(client, make_png(40, 30, seed=5), "second.png")
    space = await make_space(client, asset_ids=(first, second))
    cover = await anon.get(f"/s/{space['short_id']}/cover")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/jpeg"
    preview = await client.get(f"/api/v1/assets/{first}/derivatives/preview")
    assert cover.content == preview.content  # the first one published
    assert cover.headers["etag"] == f'"{hashlib.sha256(preview.content).hexdigest()}"'
    assert cover.headers["cache-control"].startswith("public, max-age=")
    assert (await anon.head(f"/s/{space['short_id']}/cover")).status_code == 200
    chosen = await client.patch(f"/api/v1/spaces/{space['id']}", json={"cover_asset_id": second})
    assert chosen.status_code == 200, chosen.text
    picked = await anon.get(f"/s/{space['short_id']}/cover")
    assert (
        picked.content == (await client.get(f"/api/v1/assets/{second}/derivatives/preview")).content
    )

    # A protected space's pictures are for those with the password: its cover is neutral.
    locked = await make_space(
        client, visibility="protected", password="long enough", asset_ids=(first,)
    )
    assert (await anon.get(f"/s/{locked['short_id']}/cover")).content == placeholder.content


async def test_profile_cover(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    await _public_profile(client)
    plain = await anon.get("/u/marta/cover")
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/png"
    photo = await _ready(client, make_png(40, 30, seed=6), "p.png")
    await make_space(client, asset_ids=(photo,))
    cover = await anon.get("/u/marta/cover")
    preview = await client.get(f"/api/v1/assets/{photo}/derivatives/preview")
    assert cover.headers["content-type"] == "image/jpeg" and cover.content == preview.content
    assert cover.headers["cache-control"].startswith("public, max-age=")


async def test_profile_without_a_display_name_shows_the_handle_once(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    """Friction 10: the page read "@marta" as its title and again under it; plain URL
    strings in `links` were refused."""
    await _public_profile(client, links=["https://example.com/marta"])
    response = await anon.get("/u/marta")
    assert response.status_code == 200
    main = response.text.split("<main", 1)[1]
    assert main.count("@marta") == 1
    page = read(response.text)
    assert [a["href"] for a in page.links if a.get("rel")] == ["https://example.com/marta"]
    data = (await anon.get("/api/v1/public/profiles/marta")).json()["data"]
    assert data["links"] == [{"label": "", "url": "https://example.com/marta"}]
    mixed = await client.patch(
        "/api/v1/account/profile",
        json={"links": ["https://a.example", {"label": "b", "url": "https://b.example"}]},
    )
    assert mixed.status_code == 200, mixed.text
    bad = await client.patch("/api/v1/account/profile", json={"links": ["ftp://x.example"]})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "links.0.url"

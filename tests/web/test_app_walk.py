"""The web app walked in Debian's Chromium against a real `satchel serve`, checked by axe-core.

Any request to a host other than 127.0.0.1 fails the walk, as does any console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, sync_playwright

from tests.cli.test_serve import Server, start
from tests.conftest import make_png
from tests.servers import ensure_debian_package
from tests.web.test_browser import CHROMIUM_ARGS

AXE = "/static/vendor/axe-core/axe.min.js"
PASSWORD = "harbour-lights-42"
AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start(tmp_path_factory.mktemp("web") / "data")
    try:
        yield started
    finally:
        started.stop()


def _axe(page: Page) -> None:
    # The app serves axe-core itself (the strict CSP admits no inline script).
    page.add_script_tag(url=AXE)
    assert page.evaluate(AXE_JS) == [], page.url


@pytest.mark.timeout(600)  # a first run may install Chromium (apt) before the bounded steps
def test_app_walk(server: Server) -> None:
    chromium = ensure_debian_package("chromium", "chromium")
    errors: list[str] = []
    elsewhere: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            context = browser.new_context()
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on(
                "console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}")
            )
            page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

            # First run: / leads to it on a fresh install; from loopback no key is asked.
            page.goto(f"{server.base}/", wait_until="load")
            assert page.url == f"{server.base}/first-run"
            assert page.title() == "First run · Satchel"
            assert page.locator("#admin_key").count() == 0
            _axe(page)
            page.fill("#password", PASSWORD)
            page.fill("#confirm", PASSWORD + "x")
            page.click("button[type=submit]")
            assert "differ" in page.locator("[role=alert]").inner_text()
            page.fill("#password", PASSWORD)
            page.fill("#confirm", PASSWORD)
            page.click("button[type=submit]")

            # It works once: now /first-run leads to sign-in.
            page.wait_for_url(f"{server.base}/sign-in?first=1")
            _axe(page)
            page.fill("#username", "admin")
            page.fill("#password", "wrong-password")
            page.click("form.panel button")
            assert page.locator("[role=alert]").count() == 1
            page.fill("#username", "admin")
            page.fill("#password", PASSWORD)
            page.click("form.panel button")
            page.wait_for_url(f"{server.base}/library")
            assert page.title() == "Library · Satchel"
            _axe(page)

            # A form without its token is refused (CSRF), even with the session cookie.
            forged = page.request.post(f"{server.base}/first-run", form={"password": "x" * 9})
            assert forged.status == 403 and "expired" in forged.text()
            # The first run is over: its page now leads on (to the library, signed in).
            assert context.request.get(f"{server.base}/first-run").url.endswith("/library")

            # Photos uploaded through the API appear in the grid and the search finds one.
            token = page.context.cookies()
            session = next(c["value"] for c in token if c["name"] == "satchel_session")
            with httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {session}"}, timeout=30
            ) as api:
                for i, name in enumerate(("harbour.png", "lighthouse.png", "dunes.png")):
                    made = api.post(
                        "/api/v1/assets", files={"file": (name, make_png(96, 64, seed=i))}
                    )
                    assert made.status_code == 202, made.text
                listed = api.get("/api/v1/assets").json()
            page.goto(f"{server.base}/library", wait_until="load")
            assert page.locator(".card").count() == 3, (listed, page.content())
            page.fill("#q", "lighthouse")
            page.click("form.filters button")
            page.wait_for_url("**/library?q=lighthouse*")
            assert page.locator(".card .name").all_inner_texts() == ["lighthouse.png"]
            _axe(page)

            # /api/docs renders the API from the vendored Swagger UI.
            page.goto(f"{server.base}/api/docs", wait_until="load")
            page.wait_for_selector(".swagger-ui .info .title")
            assert "Satchel" in page.locator(".swagger-ui .info .title").inner_text()
            assert page.locator(".opblock").count() > 5  # operations rendered, offline

            # Sign out ends the session: the library sends back to sign-in.
            page.goto(f"{server.base}/library", wait_until="load")
            page.click("form.signout button")
            page.wait_for_url(f"{server.base}/sign-in")
            page.goto(f"{server.base}/library", wait_until="load")
            assert page.url == f"{server.base}/sign-in"
            # The browser logs the two refusals the walk asks for (mismatched passwords: 422
            # on /first-run; a wrong password: 401 on /sign-in); nothing else may appear.
            expected = [
                f"Failed to load resource: the server responded with a status of {status}"
                for status in ("422 (Unprocessable Entity)", "401 (Unauthorized)")
            ]
            assert [e.split(" {", 1)[0] for e in errors] == expected, errors
            assert elsewhere == []
        finally:
            browser.close()

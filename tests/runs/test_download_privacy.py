"""`/download` tells nobody which job ids exist: someone else's result, an expired or
never-made one and a malformed id get the same 404, word for word."""

from __future__ import annotations

import httpx

from satchel.ids import new_id
from tests.conftest import make_png
from tests.tools.helpers import call_tool


async def test_one_answer_for_every_missing_result(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    made = await call_tool(client, "resize", ("a.png", make_png(20, 20, seed=4)), {"width": 10})
    url = made["data"]["download_url"].removeprefix("http://testserver")
    name = url.rsplit("/", 1)[-1]
    assert (await client.get(url)).status_code == 200
    answers = []
    for probe in (url, f"/api/v1/download/{new_id('job')}/{name}", "/api/v1/download/job_x/y"):
        response = await other.get(probe)
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] == "tool_result_not_found"
        answers.append(error["message"].replace(probe.split("/")[-2], "<id>"))
    assert len(set(answers)) == 1, answers

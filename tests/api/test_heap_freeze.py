"""A served app moves its start-up objects out of the cycle collector's walk (gc.freeze):
a full collection over them cost ~50 ms, landing on whichever request was allocating."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.runtime import Runtime


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
async def test_a_served_app_freezes_its_heap_once_started(settings: Settings) -> None:
    app = create_app(settings)  # its own runtime, as `satchel serve` builds it
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 50_000  # the modules, routers and runtime


@pytest.mark.usefixtures("unfrozen")
async def test_an_app_around_a_given_runtime_leaves_the_heap_alone(
    settings: Settings, runtime: Runtime
) -> None:
    app = create_app(settings, runtime)  # tests and tools: many apps in one process
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0

"""The FastAPI application: routers under /api/v1 (and /v1), handlers, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from satchel import __version__
from satchel.accounts.router import router as accounts_router
from satchel.api import errors, llms, system
from satchel.api.deps import Public
from satchel.api.envelope import ERROR_RESPONSES
from satchel.api.limits import JsonBodyLimit
from satchel.assets.delivery import router as delivery_router
from satchel.assets.router import router as assets_router
from satchel.assets.views import origin_of
from satchel.audit.router import router as audit_router
from satchel.auth.roles_router import router as roles_router
from satchel.auth.router import auth_router
from satchel.auth.router import router as keys_router
from satchel.config import Settings, get_settings
from satchel.features.router import router as features_router
from satchel.folders.router import router as folders_router
from satchel.folders.transfer_router import router as folder_transfer_router
from satchel.jobs.router import router as jobs_router
from satchel.library.router import router as library_router
from satchel.lifecycle.router import router as lifecycle_router
from satchel.logs.http import RequestIdMiddleware
from satchel.metrics.http import MetricsMiddleware
from satchel.metrics.router import router as metrics_router
from satchel.preferences.router import router as settings_router
from satchel.renditions.router import router as renditions_router
from satchel.runs import service as runs
from satchel.runs.pipeline_router import router as pipelines_router
from satchel.runs.router import router as tools_router
from satchel.runtime import Runtime, start
from satchel.search.router import router as search_router
from satchel.skills.router import router as skills_router
from satchel.spaces.router import pages as public_pages
from satchel.spaces.router import public as public_router
from satchel.spaces.router import router as spaces_router
from satchel.spaces.transfer_router import router as transfer_router
from satchel.storage.router import router as storage_router
from satchel.trash.router import router as trash_router
from satchel.uploads.router import router as uploads_router
from satchel.uploads.tus import router as tus_router
from satchel.web import router as share_pages
from satchel.web.app.asset import router as web_asset
from satchel.web.app.docs import router as web_docs
from satchel.web.app.library import router as web_library
from satchel.web.app.signin import router as web_signin
from satchel.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(responses=ERROR_RESPONSES)
    router.include_router(system.router)
    router.include_router(auth_router, prefix="/auth")
    for capability in (
        lifecycle_router,
        uploads_router,
        tus_router,
        skills_router,  # before assets: `/assets/skills` is not an asset id
        search_router,  # nor is `/assets/duplicates`
        folders_router,
        folder_transfer_router,
        trash_router,
        assets_router,
        delivery_router,
        transfer_router,
        spaces_router,
        public_router,
        jobs_router,
        keys_router,
        roles_router,
        accounts_router,
        settings_router,
        audit_router,
        tools_router,
        pipelines_router,
        renditions_router,
        library_router,
        storage_router,
        features_router,
        webhooks_router,
    ):
        router.include_router(capability)
    return router


def _origin(request: Request) -> str:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return str(request.base_url).rstrip("/")
    return origin_of(request, runtime.settings)


class Background(Protocol):
    """Something that runs beside the server for its lifetime (worker processes)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    background: Background | None = None,
    freeze_heap: bool | None = None,
) -> FastAPI:
    """Build the app; the runtime (database, blobs) starts with the app's lifespan.

    `background` is started and stopped with the lifespan too: uvicorn re-raises SIGTERM
    after it shuts down, so code after `uvicorn.run` may never run.

    `freeze_heap` (default: when the app starts its own runtime, as a served process
    does): once started, every object made so far (modules, routers, the runtime; never
    garbage) is moved where the cycle collector no longer walks it (`gc.freeze`). A full
    collection over them took ~50 ms, and it fell on whichever request happened to be
    allocating: the p99 of a list page at a million assets was 82 ms with 5 ms of SQL.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        app.state.runtime = runtime or start(settings)
        runs.pool(app.state.runtime).prestart()  # so a first tool run is as fast as the rest
        if background is not None:
            background.start()
        if own if freeze_heap is None else freeze_heap:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if background is not None:
                background.stop()
            if own:
                app.state.runtime.close()

    app = FastAPI(
        title="Satchel",
        version=__version__,
        summary="Stores, understands, transforms and shares files.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # /api/docs is the web app's, with Swagger UI from the package
        redoc_url=None,
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    app.add_middleware(JsonBodyLimit)
    routes = api_router()
    app.include_router(routes, prefix=API_PREFIX)
    # The seeds use both /api/v1 and /v1; the second is an alias, left out of the document.
    app.include_router(routes, prefix="/v1", include_in_schema=False)

    # SnapOtter's sign-in routes live at /api/auth/*; answer there too, as the seed shows.
    app.include_router(auth_router, prefix="/api/auth", include_in_schema=False)
    app.add_api_route("/health", system.health, include_in_schema=False)
    app.include_router(metrics_router)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost: every line of a request has its id
    app.include_router(public_pages)
    app.include_router(share_pages)
    for web_router in (web_docs, web_signin, web_library, web_asset):
        app.include_router(web_router, include_in_schema=False)

    @app.get("/llms.txt", include_in_schema=False)
    def llms_txt(request: Request, _: Public) -> PlainTextResponse:
        return PlainTextResponse(llms.index(app.openapi(), base=_origin(request)))

    @app.get("/llms-full.txt", include_in_schema=False)
    def llms_full_txt(request: Request, _: Public) -> PlainTextResponse:
        return PlainTextResponse(llms.full(app.openapi(), base=_origin(request)))

    @app.get(f"{API_PREFIX}/openapi.yaml", include_in_schema=False)
    def openapi_yaml(_: Public) -> Response:
        import yaml

        return Response(
            yaml.safe_dump(app.openapi(), sort_keys=False), media_type="application/yaml"
        )

    return app

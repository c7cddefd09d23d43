"""The web application: one workspace's figures, its app state, sign-in, pages and the JSON API."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from totalplace.errors import TotalplaceError
from totalplace.stages import StageError
from totalplace.web.security import SecurityMiddleware
from totalplace.web.settings import Settings, secret_key
from totalplace.web.state import Database
from totalplace.web.templating import templates

__all__ = ["create_app"]

SESSION_HOURS = 8


def create_app(settings: Settings) -> FastAPI:
    """Return the web application for ``settings.workspace`` (its app-state database migrated).

    Raises WorkspaceError for a folder that is not a workspace.
    """
    from totalplace.web.demo import ensure_demo_accounts
    from totalplace.web.routes import (
        admin,
        api,
        api_place,
        boardpack,
        integrity,
        journeys,
        outcomes,
        pages,
        place,
        pooled,
        proposals,
        proposals_api,
        residents,
        scenario_builder,
        scenarios,
        session,
        suppliers,
        trends,
        upload,
        wards,
    )
    from totalplace.workspace import open_workspace

    workspace = open_workspace(settings.workspace)
    db = Database(settings.database)
    app = FastAPI(
        title=f"totalplace: {workspace.place.name}",
        version=_version(),
        description="The figures of the partnership's pages, under the same access rules. "
        "Amounts are decimal strings in pounds.",
        docs_url=None,  # Swagger's page loads scripts from elsewhere: the CSP forbids it
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.db = db
    app.state.templates = templates()
    if settings.demo:
        app.state.demo_accounts = ensure_demo_accounts(db, workspace)
    # Starlette runs the last-added middleware first: the session must be read before the
    # security middleware checks a form's CSRF token against it.
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie="totalplace_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.https_only,
    )
    static = resources.files("totalplace.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    pages_and_api = (session, pages, place, residents, api, api_place, upload, suppliers, scenarios,
                     scenario_builder, boardpack, wards, proposals, proposals_api, admin,
                     integrity, trends, outcomes, journeys)  # fmt: skip
    routers = [m.router for m in pages_and_api]
    routers += [upload.api, suppliers.api, scenarios.api_router, boardpack.api_router, integrity.api,
                trends.api, outcomes.api, journeys.api, pooled.api]  # fmt: skip
    for router in routers:
        app.include_router(router)
    _handlers(app)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("totalplace")
    except PackageNotFoundError:  # run from a source tree
        return "0.0.0+source"


def _handlers(app: FastAPI) -> None:
    from totalplace.web.routes.pages import message_page

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 401:
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        titles = {
            403: "You cannot see this page",
            404: "Page not found",
            413: "The file is too big",
        }
        title = titles.get(exc.status_code, "Sorry, there is a problem")
        return message_page(request, title, [str(exc.detail)], status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": "the request is not valid", "problems": problems}, status_code=422
            )
        return message_page(
            request, "There is a problem with the request", problems, status_code=422
        )

    @app.exception_handler(StageError)
    async def stage_not_ready(request: Request, exc: StageError) -> Response:
        # A stage not run, or out of date since its inputs changed: say which command to run.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=409)
        return message_page(request, "These figures are not ready", [str(exc)], status_code=409)

    @app.exception_handler(TotalplaceError)
    async def refused(request: Request, exc: TotalplaceError) -> Response:
        # A library's own refusal (an unknown year, theme or name): its message says what to do.
        status = 404 if isinstance(exc, LookupError | ValueError) else 400
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=status)
        return message_page(request, "There is a problem", [str(exc)], status_code=status)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("totalplace.web").exception("unexpected error on %s", request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": "an unexpected problem; it has been logged"}, status_code=500
            )
        return message_page(request, "Sorry, there is a problem with the service",
                            ["Try again later. The problem has been logged."], status_code=500)  # fmt: skip

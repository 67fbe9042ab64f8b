"""The FastAPI application: routers of every domain, error handlers, health."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import csp, csrf
from backend.auth import LoginRequired, anyone, login_redirect
from backend.config import ROOT
from backend.db import database_status, get_engine
from backend.errors import AppError
from backend.i18n import _
from backend.web import render

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _validation_message(err: RequestValidationError) -> list[dict]:
    out = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")]
        out.append({"field": ".".join(loc) or None, "message": str(e.get("msg", "")).removeprefix("Value error, ")})
    return out


def create_app() -> FastAPI:
    import backend.models  # noqa: F401 - every mapped table, and the notification listeners
    app = FastAPI(title="Matchmaker", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(csrf.verify)])
    csp.install(app)
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    from backend import apidocs

    app.mount("/api/docs/assets", apidocs.assets, name="api-docs-assets")

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError):
        if isinstance(exc, LoginRequired) and not _wants_json(request):
            return RedirectResponse(login_redirect(request), status_code=303)
        if _wants_json(request):
            return JSONResponse({"error": exc.message, "field": exc.field}, status_code=exc.status)
        return render(request, "errors/error.html", status_code=exc.status, status=exc.status, message=exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = _validation_message(exc)
        message = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": problems}, status_code=422)
        return render(request, "errors/error.html", status_code=422, status=422, message=message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _("This page does not exist.") if exc.status_code == 404 else str(exc.detail)
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=exc.status_code)
        return render(request, "errors/error.html", status_code=exc.status_code, status=exc.status_code,
                      message=message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse({"error": "internal error; it has been logged"}, status_code=500)
        return render(request, "errors/error.html", status_code=500, status=500,
                      message=_("Something went wrong on our side; it has been logged."))

    @app.get("/healthz", dependencies=[Depends(anyone())])
    def healthz():
        db = database_status(get_engine())
        return JSONResponse({"status": "ok" if db["ok"] else "degraded", "database": db},
                            status_code=200 if db["ok"] else 503)

    for module in route_modules():
        app.include_router(module.router)
    return app


def route_modules() -> list:
    """Every module with a `router`; each domain adds its pages and API here."""
    from backend import apidocs, exports
    from backend.accounts import pages as accounts_pages
    from backend.admin import pages as admin_pages
    from backend.alerts import api as alerts_api
    from backend.alerts import pages as alerts_pages
    from backend.boards import pages as boards_pages
    from backend.capabilities import api as capabilities_api
    from backend.capabilities import pages as capabilities_pages
    from backend.imports import pages as imports_pages
    from backend.matches import api as matches_api
    from backend.matches import pages as matches_pages
    from backend.needs import api as needs_api
    from backend.needs import pages as needs_pages
    from backend.notifications import pages as notifications_pages
    from backend.partnerships import api as partnerships_api
    from backend.partnerships import pages as partnerships_pages
    from backend.projects import api as projects_api
    from backend.projects import pages as projects_pages
    from backend.scores import api as scores_api
    from backend.scores import pages as scores_pages

    # exports first: /matches/export and /projects/export must not be read as /matches/{id}.
    return [apidocs, exports, accounts_pages, admin_pages, boards_pages, needs_pages, needs_api, capabilities_pages,
            capabilities_api, matches_pages, matches_api, projects_pages, projects_api, partnerships_pages,
            partnerships_api, imports_pages, notifications_pages, alerts_pages, alerts_api, scores_pages, scores_api]

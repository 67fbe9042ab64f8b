"""The API documentation page, served entirely by the app (no CDN): works offline and inside China."""

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Depends, Request
from fastapi.staticfiles import StaticFiles

from backend.auth import anyone
from backend.csp import HEADERS
from backend.web import templates

router = APIRouter()
ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
assets = StaticFiles(directory=str(ASSETS))
# Swagger UI sets style attributes from its scripts; scripts stay restricted to this site.
DOCS_POLICY = HEADERS["Content-Security-Policy"].replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@router.get("/api/docs", include_in_schema=False, dependencies=[Depends(anyone())])
def api_docs(request: Request):
    response = templates.TemplateResponse(request, "api/docs.html", {})
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response

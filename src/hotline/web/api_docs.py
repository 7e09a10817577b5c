"""The interactive API reference at `/api/docs`: Swagger UI served from this server (the
pinned `fastapi-offline` package's copy, ADR 0113) instead of a CDN, started by our own module
instead of an inline script, so the page keeps the strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hotline import __version__

__all__ = ["install_api_docs"]

_ASSETS = Path(fastapi_offline.__file__).parent / "static"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Hotline API</title>
  <link rel="stylesheet" href="/static/api-docs/swagger-ui.css?v={version}">
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
  <div id="swagger-ui" data-openapi="{openapi}"></div>
  <script src="/static/api-docs/swagger-ui-bundle.js?v={version}"></script>
  <script type="module" src="/static/js/api-docs.js?v={version}"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI, *, path: str = "/api/docs") -> None:
    app.mount("/static/api-docs", StaticFiles(directory=_ASSETS), name="api-docs-assets")
    page = _PAGE.format(version=__version__, openapi=app.openapi_url or "/openapi.json")

    @app.get(path, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(page)

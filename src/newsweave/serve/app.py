"""The ASGI app: API and pages over one Corpus, one error shape, strict security headers."""

from __future__ import annotations

import ipaddress
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from .. import __version__
from ..errors import NotFound, SearchError
from ..pipeline import Pipeline
from ..settings import Settings
from . import api, pages
from .state import CorpusHolder

# No inline script or style, nothing remote: article text cannot run code or load anything.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # the upload form sends its Origin, which the server checks
    "X-Frame-Options": "DENY",
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "too_large", 422: "bad_parameter"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# What `newsweave serve --workers N` hands its worker processes: uvicorn starts each from an
# import string, so the app is made by `app_from_environment` in the worker.
SERVE_DB, SERVE_HOST = "NEWSWEAVE_SERVE_DB", "NEWSWEAVE_SERVE_HOST"


def app_from_environment() -> FastAPI:
    """The app a worker process of `newsweave serve --workers N` serves: the database and
    bound host from the environment the command set, the token from NEWSWEAVE_TOKEN."""
    return create_app(os.environ[SERVE_DB], token=os.environ.get("NEWSWEAVE_TOKEN") or None,
                      host=os.environ.get(SERVE_HOST, "127.0.0.1"), settings=Settings.from_env())


def create_app(db: str | Path, *, token: str | None = None, host: str = "127.0.0.1",
               settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The app serving the corpus at `db`. Writes (POST /api/documents) need `token` as a
    bearer token when one is given; without one they are taken only when `host` is loopback.
    A `pipeline` given is shared (its models loaded once per process)."""
    holder = CorpusHolder(db, settings, pipeline)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        holder.close()

    app = FastAPI(title="newsweave", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Multilingual news: documents, stories, entities and search over one corpus. "
                              'Every list answers {"results": [...], "next": cursor}; pass `cursor` for the next page. '
                              'Errors answer {"error": {"code", "message"}}.')
    app.state.corpus = holder
    app.state.token = token or None
    app.state.loopback = is_loopback(host)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(pages.HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    def answer(request: Request, status: int, code: str, message: str) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return api.error_response(status, code, message)
        return pages.render("error.html", status=status, code=status, message=message)

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, error: api.ApiError) -> Response:
        return answer(request, error.status, error.code, error.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        return answer(request, 404, "not_found", str(error))

    @app.exception_handler(SearchError)
    async def bad_search(request: Request, error: SearchError) -> Response:
        return answer(request, 422, "bad_parameter", str(error))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        return answer(request, 422, "bad_parameter", f"{where}: {first.get('msg', 'bad value')}".strip(": "))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return answer(request, error.status_code, CODES.get(error.status_code, "error"), str(error.detail))

    return app

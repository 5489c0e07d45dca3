"""The FastAPI application: pages, JSON API, exports and review (``khronika serve``).

Thin by design: handlers call :mod:`khronika.web.queries` (reads, reviews applied) and
:mod:`khronika.review` (writes) and render the result. See docs/web.md for every route.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import KhronikaError, ReviewError
from ..store.db import Store
from . import routes_api, routes_export, routes_pages, routes_review
from .cache import SnapshotCache
from .render import make_env, respond, wants_json
from .security import CSP, SECURITY_HEADERS, AuthError, Guard


def create_app(db: str | Store, token: str | None = None, *, cache: bool = True) -> FastAPI:
    """An app over ``db`` (a path, URL or open Store). ``token`` enables review writes.

    ``cache=False`` builds the snapshot afresh on every request (the behaviour before
    :mod:`khronika.web.cache`; kept for the benchmark and for comparison tests).
    """
    store = db if isinstance(db, Store) else Store(db)
    app = FastAPI(
        title="khronika",
        summary="A source-cited chronicle of political dissent and repression: browse, search, review, export.",
        version="1",
        docs_url=None,  # the stock Swagger UI loads scripts from a CDN; /docs is rendered here instead
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.snapshots = SnapshotCache(store, enabled=cache)
    app.state.guard = Guard(token)
    app.state.env = make_env()
    static_dir = resources.files("khronika.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    def error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if wants_json(request) or request.method != "GET" and "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status, headers=headers)
        resp = respond(request, "error.html", {"ok": False, "error": message, "status": status}, status=status,
                       title=f"Error {status}")
        if headers:
            resp.headers.update(headers)
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no page at this address."
        return error(request, exc.status_code, message)

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        hdrs = {"WWW-Authenticate": 'Bearer realm="khronika review"'} if exc.status == 401 else None
        return error(request, exc.status, exc.message, hdrs)

    @app.exception_handler(ReviewError)
    async def review_error(request: Request, exc: ReviewError) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(KhronikaError)
    async def khronika_error(request: Request, exc: KhronikaError) -> Response:
        return error(request, 500, f"{exc.code}: {exc}")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = ["{}: {}".format(".".join(str(x) for x in e.get("loc", ())[1:]) or "request", e.get("msg"))
                 for e in exc.errors()]
        return error(request, 422, "Invalid request: " + "; ".join(parts))

    app.include_router(routes_pages.router)
    app.include_router(routes_api.router)
    app.include_router(routes_review.router)
    app.include_router(routes_export.router)
    return app

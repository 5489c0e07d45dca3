"""One view, two faces: each page handler builds a dict and :func:`respond` renders it
as HTML (Jinja2, autoescaped) or returns it as JSON (``.json`` suffix or ``Accept``)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader

from .. import ontology
from .queries import valid_id
from .security import ensure_csrf_cookie, set_csrf_cookie

TEMPLATES = resources.files("khronika.web") / "templates"


def make_env() -> Environment:
    # autoescape for every template, whatever its extension: article text is hostile
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals["event_types"] = event_types
    return env


def event_types() -> dict[str, str]:
    return {k: spec.get("label", k) for k, spec in ontology.types().items()}


def split_format(value: str) -> tuple[str, bool]:
    """``abc.json`` -> (``abc``, True); validates the id (404 for anything odd)."""
    as_json = value.endswith(".json")
    ident = value[: -len(".json")] if as_json else value
    if not valid_id(ident):
        raise HTTPException(404, "No such record (malformed id).")
    return ident, as_json


def wants_json(request: Request, suffix: bool = False) -> bool:
    if suffix or request.url.path.endswith(".json") or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(request: Request, template: str, data: dict[str, Any], *, as_json: bool = False,
            status: int = 200, title: str | None = None, **extra: Any) -> Response:
    if wants_json(request, as_json):
        return JSONResponse(data, status_code=status)
    app = request.app
    cookie, fresh = ensure_csrf_cookie(request)
    context = {"data": data, "title": title, "request_path": request.url.path,
               "csrf": app.state.guard.csrf_for(cookie), "writes_enabled": app.state.guard.writes_enabled,
               "json_url": json_url(request), **extra}
    html = app.state.env.get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status)
    if fresh:
        set_csrf_cookie(response, cookie, secure=request.url.scheme == "https")
    return response


def json_url(request: Request) -> str:
    path = request.url.path
    base = "/index" if path == "/" else path.rstrip("/")
    return base + ".json" + (f"?{request.url.query}" if request.url.query else "")


def not_found(what: str) -> HTTPException:
    return HTTPException(404, f"No such {what}.")

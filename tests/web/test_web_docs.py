"""Docs enforced by tests: every route the app serves is listed in docs/web.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from khronika.web import create_app

DOC = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")


def _walk(routes):
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI wraps included routers
        if inner is not None:
            yield from _walk(inner.routes)
        else:
            yield r


def _routes():
    import tempfile

    app = create_app(str(Path(tempfile.mkdtemp()) / "docs.db"))
    out = []
    for r in _walk(app.routes):
        if isinstance(r, Mount):
            out.append(("GET", r.path + "/{path}"))
        elif isinstance(r, APIRoute) or getattr(r, "methods", None):
            out += [(m, r.path) for m in sorted(set(r.methods) - {"HEAD"})]
    assert len(out) > 20
    return out


@pytest.mark.parametrize("method,path", _routes())
def test_route_documented(method, path):
    assert re.search(rf"`{method} {re.escape(path)}`", DOC), f"docs/web.md lacks `{method} {path}`"


def test_serve_help_explains_the_token():
    from typer.testing import CliRunner

    from khronika.cli import app

    out = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    assert "KHRONIKA_REVIEW_TOKEN" in out and "read" in out.lower() and "disabled" in out

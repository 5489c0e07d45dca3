"""The web UI and JSON API (FastAPI, server-rendered Jinja2). See docs/web.md."""

from .app import create_app

__all__ = ["create_app"]

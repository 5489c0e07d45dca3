"""Review forms: confirm / reject / edit an event, merge / split persons.

Each POST is CSRF-checked (unless it carries a Bearer token), then needs the review
token, then is stored with :func:`khronika.review.record` and redirects back (303).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from .. import review
from ..errors import ReviewError
from .cache import current
from .queries import check_merge_target, check_review_target
from .render import split_format

router = APIRouter(include_in_schema=False)


async def _authorised_form(request: Request) -> dict[str, Any]:
    guard = request.app.state.guard
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    bearer = guard.bearer(request)
    if bearer is None:
        guard.check_csrf(request, fields.get("csrf_token"))
    guard.check_token(bearer or fields.get("token"))
    fields["_documents"] = [v for k, v in form.multi_items() if k == "documents" and isinstance(v, str)]
    return fields


def _done(request: Request, fields: dict[str, Any], fallback: str, rid: int) -> Response:
    if "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"ok": True, "id": rid}, status_code=201)
    nxt = fields.get("next") or ""
    # only same-site relative paths: no open redirect
    target = nxt if re.match(r"^/(?![/\\])[\x21-\x7e]*$", nxt) else fallback
    return RedirectResponse(target, status_code=303)


def _reviewer(fields: dict[str, Any]) -> str:
    name = (fields.get("reviewer") or "").strip()
    if not name:
        raise ReviewError("Please give your name as reviewer.")
    return name[:200]


def _merge_target(request: Request, fields: dict[str, Any]) -> str:
    """The person to merge into: the free ``into_other`` id when given, else the chosen
    ``into``; a pasted person page address (``.../person/ID``, ``ID.json``) means its id.
    It must be a person of the current data (or one a reviewer merged away, whose survivor
    it then means); anything else is refused instead of stored as a no-op."""
    into = (fields.get("into_other") or "").strip() or (fields.get("into") or "").strip()
    into = into.rsplit("/person/", 1)[-1].removesuffix(".json")
    if not into:
        raise ReviewError("Choose the person to merge into, or enter their id.")
    return check_merge_target(current(request), into)


@router.post("/review/event/{id}")
async def review_event(request: Request, id: str) -> Response:
    eid, _ = split_format(id)
    fields = await _authorised_form(request)
    check_review_target(request.app.state.store, current(request), "event", eid)
    action = fields.get("action", "")
    payload: dict[str, Any] = {}
    if action == "edit":
        for key in sorted(review.EDITABLE):
            value = (fields.get(key) or "").strip()
            if value:
                payload[key] = value
        # value checks (date, status, type) are review.record's: the JSON API gets them too
    rid = review.record(request.app.state.store, "event", eid, action, _reviewer(fields), payload,
                        (fields.get("note") or "")[:4000] or None)
    return _done(request, fields, f"/event/{eid}", rid)


@router.post("/review/person/{id}")
async def review_person(request: Request, id: str) -> Response:
    pid, _ = split_format(id)
    fields = await _authorised_form(request)
    check_review_target(request.app.state.store, current(request), "person", pid)
    action = fields.get("action", "")
    payload: dict[str, Any] = {}
    if action == "merge":
        into = _merge_target(request, fields)
        payload = {"into": into}
        fallback = f"/person/{into}"
    elif action == "split":
        if fields["_documents"]:
            payload = {"documents": fields["_documents"], "name": (fields.get("name") or "").strip()}
        else:  # undo a reviewer's merge of this person
            payload = {"from": (fields.get("from") or "").strip()}
        fallback = f"/person/{pid}"
    else:
        raise ReviewError(f"unknown person action {action!r}; use merge or split")
    rid = review.record(request.app.state.store, "person", pid, action, _reviewer(fields), payload,
                        (fields.get("note") or "")[:4000] or None)
    return _done(request, fields, fallback, rid)

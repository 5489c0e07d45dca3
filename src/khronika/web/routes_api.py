"""The JSON API under ``/api``: the same data as the pages, documented in OpenAPI (/docs).

Errors are ``{"ok": false, "error": "...", "status": N}``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from .. import review
from . import queries
from .cache import current
from .queries import PEOPLE_PER_PAGE, PEOPLE_PER_PAGE_MAX
from .render import not_found

router = APIRouter(prefix="/api", tags=["api"])


def IdPath() -> Any:  # noqa: N802 - reads like the Path() it returns
    """A fresh Path() per route: one shared instance takes the first route's parameter name
    (person_id), so /api/event/{event_id} and /api/document/{doc_id} answered 422 always."""
    return Path(..., pattern=queries.ID_RE.pattern, description="record id")


def _snap(request: Request) -> tuple[Any, queries.Snapshot]:
    return request.app.state.store, current(request)


@router.get("/overview", summary="Counts, events per month and the latest events")
def overview(request: Request) -> dict[str, Any]:
    store, snap = _snap(request)
    return queries.overview(store, snap)


@router.get("/people", summary="People, filterable by place, party and event type")
def people(request: Request, place: str | None = Query(None, max_length=200, description="place/region, exact"),
           party: str | None = Query(None, max_length=200, description="party, exact"),
           type: str | None = Query(None, max_length=60, description="has at least one event of this type"),
           page: int = Query(1, ge=1, description="1-based page number"),
           per_page: int = Query(PEOPLE_PER_PAGE, ge=1, le=PEOPLE_PER_PAGE_MAX, description="people per page"),
           ) -> dict[str, Any]:
    store, snap = _snap(request)
    return queries.people(store, snap, place, party, type, page=page, per_page=per_page)


@router.get("/person/{person_id}", summary="One person: aliases, roles, timeline with sources")
def person(request: Request, person_id: str = IdPath()) -> dict[str, Any]:
    store, snap = _snap(request)
    data = queries.person(store, snap, snap.redirects.get(person_id, person_id))
    if data is None:
        raise not_found("person")
    return data


@router.get("/event/{event_id}", summary="One event with every source and its review history")
def event(request: Request, event_id: str = IdPath()) -> dict[str, Any]:
    _, snap = _snap(request)
    data = queries.event(snap, event_id)
    if data is None:
        raise not_found("event")
    return data


@router.get("/document/{doc_id}", summary="One document: clean text, metadata, evidence spans, duplicates")
def document(request: Request, doc_id: str = IdPath()) -> dict[str, Any]:
    store, snap = _snap(request)
    data = queries.document(store, snap, doc_id)
    if data is None:
        raise not_found("document")
    data.pop("pieces")
    return data


@router.get("/search", summary="Full-text search over documents (plain words; all must match)")
def search(request: Request, q: str = Query("", max_length=2000, description="words to find")) -> dict[str, Any]:
    return queries.search(request.app.state.store, q)


@router.get("/review/queue", summary="What needs a human: low confidence, conflicts, suspect dates, merges")
def review_queue(request: Request) -> dict[str, Any]:
    store, snap = _snap(request)
    return queries.review_queue(store, snap)


@router.get("/reviews", summary="Every review decision, oldest first")
def reviews(request: Request) -> list[dict[str, Any]]:
    return [queries._review_view(r) for r in review.decisions(request.app.state.store)]


class ReviewIn(BaseModel):
    kind: Literal["event", "person"]
    target: str = Field(..., pattern=queries.ID_RE.pattern)
    action: Literal["confirm", "reject", "edit", "merge", "split"]
    reviewer: str = Field(..., min_length=1, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict)
    note: str | None = Field(None, max_length=4000)


@router.post("/review", summary="Record a review decision (needs Authorization: Bearer <token>)", status_code=201)
def post_review(request: Request, body: ReviewIn) -> dict[str, Any]:
    guard = request.app.state.guard
    guard.check_token(guard.bearer(request))
    queries.check_review_target(request.app.state.store, current(request), body.kind, body.target)
    if body.kind == "person" and body.action == "merge" and body.payload.get("into"):
        # as the person form: an unknown or malformed target is refused, not stored as a no-op
        queries.check_merge_target(current(request), body.payload["into"])
    rid = review.record(request.app.state.store, body.kind, body.target, body.action, body.reviewer.strip(),
                        body.payload, body.note)
    return {"ok": True, "id": rid}

"""HTML pages (each also answers as JSON with a ``.json`` suffix or ``Accept: application/json``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from . import queries
from .cache import current
from .render import not_found, respond, split_format, wants_json

router = APIRouter(include_in_schema=False)  # the JSON API under /api is the documented surface


def _store(request: Request):  # noqa: ANN202
    return request.app.state.store


@router.get("/")
@router.get("/index.json")
def overview(request: Request) -> Response:
    store = _store(request)
    snap = current(request)
    data = queries.overview(store, snap)
    return respond(request, "overview.html", data, title="Overview",
                   chart=queries.chart(data["events_per_month"]))


PEOPLE_PER_PAGE, PEOPLE_PER_PAGE_MAX = queries.PEOPLE_PER_PAGE, queries.PEOPLE_PER_PAGE_MAX


@router.get("/people")
@router.get("/people.json")
def people(request: Request, place: str | None = Query(None, max_length=200),
           party: str | None = Query(None, max_length=200),
           type: str | None = Query(None, max_length=60),
           page: int = Query(1, ge=1, description="1-based page number"),
           per_page: int = Query(PEOPLE_PER_PAGE, ge=1, le=PEOPLE_PER_PAGE_MAX,
                                 description="people per page")) -> Response:
    store = _store(request)
    data = queries.people(store, current(request), place or None, party or None, type or None,
                          page=page, per_page=per_page)
    return respond(request, "people.html", data, title="People", pager=_pager(data))


def _pager(data: dict) -> dict:
    """What the People page shows around the list: the rows' positions and links to the
    neighbouring pages, each keeping the filters (query strings built by urlencode; the
    template escapes them again as attribute values)."""
    page, pages, per_page = data["page"], data["pages"], data["per_page"]
    keep = [(k, v) for k, v in data["filters"].items() if v]
    if per_page != PEOPLE_PER_PAGE:
        keep.append(("per_page", per_page))

    def url(n: int) -> str:
        return "/people?" + urlencode([*keep, ("page", n)])

    first = (page - 1) * per_page + 1
    return {
        "first": first, "last": first + len(data["persons"]) - 1,
        "past_end": page > pages,
        "prev": url(min(page - 1, pages)) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
        "last_url": url(pages),
        "per_page_default": PEOPLE_PER_PAGE,
    }


@router.get("/person/{id}")
def person(request: Request, id: str) -> Response:
    pid, as_json = split_format(id)
    store = _store(request)
    snap = current(request)
    if pid in snap.redirects:  # merged by a reviewer: the survivor's page
        target = snap.redirects[pid]
        return RedirectResponse(f"/person/{target}{'.json' if as_json else ''}", status_code=307)
    data = queries.person(store, snap, pid)
    if data is None:
        raise not_found("person")
    # HTML only: the merge form's choices (the JSON answer is the person, as before)
    candidates = [] if wants_json(request, as_json) else queries.merge_candidates(snap, pid)
    return respond(request, "person.html", data, as_json=as_json, title=data["name"], candidates=candidates)


@router.get("/event/{id}")
def event(request: Request, id: str) -> Response:
    eid, as_json = split_format(id)
    store = _store(request)
    snap = current(request)
    data = queries.event(snap, eid)
    if data is None:
        if queries.rejected_event(store, eid):
            history = [queries._review_view(r) for r in snap.reviews
                       if r["target_kind"] == "event" and r["target_id"] == eid]
            body = {"id": eid, "rejected": True, "history": history}
            return respond(request, "event_rejected.html", body, as_json=as_json, status=404,
                           title="Rejected event")
        raise not_found("event")
    return respond(request, "event.html", data, as_json=as_json, title=f"{data['type']}: {data['subject_name']}")


@router.get("/document/{id}")
def document(request: Request, id: str) -> Response:
    doc_id, as_json = split_format(id)
    store = _store(request)
    data = queries.document(store, current(request), doc_id)
    if data is None:
        raise not_found("document")
    if as_json:
        data = {k: v for k, v in data.items() if k != "pieces"}
    return respond(request, "document.html", data, as_json=as_json, title=data["title"] or doc_id)


@router.get("/document/{id}/raw")
def raw(request: Request, id: str) -> Response:
    doc_id, _ = split_format(id)
    store = _store(request)
    row = store.document(doc_id)
    if row is None:
        raise not_found("document")
    data = store.raw(row["content_hash"]) or b""
    # the bytes exactly as received, never interpreted by the browser
    return Response(data, media_type="text/plain", headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{doc_id}.raw.txt"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


@router.get("/search")
@router.get("/search.json")
def search(request: Request, q: str = Query("", max_length=2000)) -> Response:
    data = queries.search(_store(request), q)
    return respond(request, "search.html", data, title="Search")


@router.get("/review")
@router.get("/review.json")
def review_queue(request: Request) -> Response:
    store = _store(request)
    data = queries.review_queue(store, current(request))
    return respond(request, "review.html", data, title="Review queue")


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The OpenAPI schema rendered server-side (no CDN, no script)."""
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "description": p.get("description") or p.get("schema", {}).get("description", "")}
                      for p in op.get("parameters", ())]
            ops.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "params": params,
                        "body": "requestBody" in op})
    return respond(request, "api_docs.html", {"operations": ops}, title="API")

"""Read-side queries for the web UI and JSON API.

Every page works on a :class:`Snapshot`: machine output from the store with human
review decisions applied (``review.apply``), exactly what the exports see. Functions
return plain dicts/lists so the same result renders as HTML or serialises as JSON.

A snapshot holds persons, events and document infos whole; the app builds one per
data generation and reuses it across requests (:mod:`khronika.web.cache`). Indexes a
page needs (events by person, people rows, ...) are built on first use and kept on
the snapshot (:meth:`Snapshot.memo`), so a request costs what its answer costs, not a
pass over the corpus. Everything on a snapshot is shared between requests: read it,
never change it; functions here return fresh dicts. Document texts are only read row
by row.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, islice
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from .. import review
from ..errors import ReviewError
from ..models import DocPerson, DocumentInfo
from ..store import schema as s
from ..store.db import Store

LOW_CONFIDENCE = 0.7
# ids are content hashes, slugs or "split-<hex>"; anything else is refused before a query
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def valid_id(value: str) -> bool:
    return bool(ID_RE.match(value))


def check_merge_target(snap: Snapshot, into: Any) -> str:
    """``into`` when it names a person to merge into: a person of ``snap``, or one a reviewer
    merged away (it then means the survivor). Anything else (malformed, unknown, not a
    string) raises :class:`ReviewError` (400) instead of being stored as a merge that does
    nothing. Used by the person form and ``POST /api/review``."""
    if not isinstance(into, str) or not valid_id(into) or (into not in snap.persons and into not in snap.redirects):
        raise ReviewError(f"No person with id {str(into)[:80]!r} to merge into.")
    return into


def check_review_target(store: Store, snap: Snapshot, kind: str, target: str) -> None:
    """A review must be about a record that exists: an event of ``snap`` or one the
    machine produced and a reviewer rejected (it may be confirmed again), a person of
    ``snap`` or one a reviewer merged away (a merge may be undone). Anything else (a
    typo, an id from another database) raises :class:`ReviewError` (400) instead of
    being stored as a decision about nothing. Unknown kinds are ``review.record``'s to
    refuse."""
    if kind == "event":
        if target in _events_by_id(snap) or (valid_id(target) and rejected_event(store, target)):
            return
    elif kind == "person":
        if target in snap.persons or target in snap.redirects:
            return
    else:
        return
    raise ReviewError(f"No {kind} with id {str(target)[:80]!r} to review.")


@dataclass
class Snapshot:
    persons: dict[str, dict[str, Any]]
    events: list[dict[str, Any]]
    docs: dict[str, DocumentInfo]
    reviews: list[dict[str, Any]]
    redirects: dict[str, str] = field(default_factory=dict)  # merged-away person -> survivor
    generation: Any = None  # Store.data_generation() read before the data was
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # reentrant: one index is built from others (the people rows from events by person)
    _memo_lock: Any = field(default_factory=threading.RLock, repr=False, compare=False)

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per snapshot (thread-safe); later calls get the same object."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]


def snapshot(store: Store, generation: Any = None) -> Snapshot:
    decisions = review.decisions(store)
    persons, events = review.apply(store.persons(), store.events(), decisions)
    by_id = {p["id"]: p for p in persons}
    redirects = {old: p["id"] for p in persons for old in p.get("merged_from", ())}
    return Snapshot(by_id, events, store.document_infos(), decisions, redirects, generation)


# -- indexes kept on a snapshot (built on first use, in snapshot order) --------------------


def _events_by_subject(snap: Snapshot) -> dict[str, list[dict[str, Any]]]:
    def build() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in snap.events:
            if e.get("subject"):
                out[e["subject"]].append(e)
        return dict(out)
    return snap.memo("events_by_subject", build)


def _events_by_id(snap: Snapshot) -> dict[str, dict[str, Any]]:
    def build() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for e in snap.events:
            out.setdefault(e["id"], e)  # the first, as a scan would find
        return out
    return snap.memo("events_by_id", build)


def _sources_by_document(snap: Snapshot) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    def build() -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
        out: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        for e in snap.events:
            for src in e.get("sources", ()):
                out[src["document"]].append((e, src))
        return dict(out)
    return snap.memo("sources_by_document", build)


def _doc_indexes(snap: Snapshot) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """(copies by canonical, documents by story, (person id, name) by document)."""
    def build() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
        copies: dict[str, list[str]] = defaultdict(list)
        stories: dict[str, list[str]] = defaultdict(list)
        people_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for d in snap.docs.values():
            if d.duplicate_of:
                copies[d.duplicate_of].append(d.id)
            if d.story:
                stories[d.story].append(d.id)
        for p in snap.persons.values():
            for doc in set(p["documents"]):
                people_in[doc].append((p["id"], p["name"]))
        return dict(copies), dict(stories), dict(people_in)
    return snap.memo("doc_indexes", build)


def _facets(store: Store, snap: Snapshot) -> dict[str, tuple[set[str], set[str]]]:
    """person id -> (places, parties), for every person of the snapshot. The analyses it
    reads are not kept (they change only inside an ingest run, which moves the generation)."""
    def build() -> dict[str, tuple[set[str], set[str]]]:
        mentions = doc_persons(store)
        return {pid: _person_facets(p, mentions) for pid, p in snap.persons.items()}
    return snap.memo("facets", build)


MERGE_CANDIDATES = 50  # choices the person page's merge form lists
NEAR_SURNAME = 80  # fuzz.ratio of two surname stems to offer them as one person
NEAR_SURNAME_SAME_GIVEN = 70  # ... when the given names agree
_MAX_OWN_FORMS = 20  # aliases of the person itself whose surnames are looked up


def _surname_parts(name: str) -> tuple[str, str | None, bool]:
    """(surname stem, given-name key, whether the stem is a parsed surname) of a name. A
    name without a parseable surname (nothing Latin or Cyrillic left) falls back to its
    case-folded last word (flag False)."""
    from ..names import parse_name, surname_stem

    parsed = parse_name(name)
    given = parsed.given if parsed else None
    if parsed is not None and parsed.surname:
        return surname_stem(parsed.surname), given, True
    words = name.split()
    return (words[-1].casefold() if words else ""), given, False


def _name_parts(name: str) -> tuple[str, str | None]:
    """(surname stem, given-name key) of a name; see :func:`_surname_parts`."""
    stem, given, _ = _surname_parts(name)
    return stem, given


def _person_names(snap: Snapshot) -> list[tuple[dict[str, Any], str, str | None, bool]]:
    """(person, *_surname_parts of its name) for every person in snapshot order: each name
    parsed once per snapshot, for the merge form's index and the review queue's groups."""
    return snap.memo("person_name_parts", lambda: [(p, *_surname_parts(p["name"])) for p in snap.persons.values()])


def _name_index(snap: Snapshot) -> tuple[dict[str, list[tuple[str, str, str | None]]], dict[str, list[str]]]:
    """(surname stem -> [(person id, name, given key)], first letter -> distinct stems)."""
    def build() -> tuple[dict[str, list[tuple[str, str, str | None]]], dict[str, list[str]]]:
        by_stem: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        for p, stem, given, _ in _person_names(snap):
            if stem:
                by_stem[stem].append((p["id"], p["name"], given))
        by_letter: dict[str, list[str]] = defaultdict(list)
        for stem in sorted(by_stem):
            by_letter[stem[0]].append(stem)
        return dict(by_stem), dict(by_letter)
    return snap.memo("merge_name_index", build)


def merge_candidates(snap: Snapshot, pid: str, limit: int = MERGE_CANDIDATES) -> list[tuple[str, str]]:
    """Other persons whose name could be this person's, as (id, name): the merge form's
    choices. Same surname stem (transliteration and feminine ending folded) first, then
    near surnames (``fuzz.ratio`` of the stems >= NEAR_SURNAME, same first letter; a
    looser NEAR_SURNAME_SAME_GIVEN when the given names agree) by closeness; ties put a
    shared given name first, then go by name. The person's aliases are looked up too.
    At most ``limit``; any other person stays reachable by id on the form."""
    from rapidfuzz import fuzz, process

    person = snap.persons.get(pid)
    if person is None:
        return []
    by_stem, by_letter = _name_index(snap)
    forms = [person["name"], *[a for a in person.get("aliases") or () if a != person["name"]][:_MAX_OWN_FORMS]]
    stems: set[str] = set()
    givens: set[str] = set()
    for form in forms:
        stem, given = _name_parts(form)
        if stem:
            stems.add(stem)
        if given:
            givens.add(given)
    best: dict[str, tuple[int, float, int, str]] = {}  # id -> sort key (name last)

    def offer(oid: str, name: str, given: str | None, exact: bool, score: float) -> None:
        if oid == pid:
            return
        key = (0 if exact else 1, -score, 0 if given and given in givens else 1, name)
        if oid not in best or key < best[oid]:
            best[oid] = key

    for stem in sorted(stems):
        for oid, name, given in by_stem.get(stem, ()):
            offer(oid, name, given, True, 100.0)
        near = process.extract(stem, by_letter.get(stem[0], ()), scorer=fuzz.ratio,
                               score_cutoff=min(NEAR_SURNAME, NEAR_SURNAME_SAME_GIVEN), limit=None)
        for other, score, _ in near:
            if other in stems:
                continue
            for oid, name, given in by_stem[other]:
                if score >= NEAR_SURNAME or (given and given in givens and score >= NEAR_SURNAME_SAME_GIVEN):
                    offer(oid, name, given, False, score)
    ranked = sorted(best.items(), key=lambda item: (item[1], item[0]))
    return [(oid, key[3]) for oid, key in ranked[:limit]]


def _date_key(date: str | None) -> str:
    return date or "9999"


def _event_view(e: dict[str, Any], snap: Snapshot) -> dict[str, Any]:
    """An event with each source's document title/outlet, for listing."""
    sources = []
    for src in e.get("sources", ()):
        info = snap.docs.get(src["document"])
        span = src.get("span")
        sources.append({
            "document": src["document"],
            "evidence": src["evidence"],
            "span": span if span and span[0] is not None else None,
            "title": info.title if info else None,
            "outlet": info.outlet if info else None,
            "published": info.published if info else None,
            "url": info.url if info else None,
        })
    return {
        "id": e["id"], "type": e["type"], "subject": e.get("subject"), "subject_name": e["subject_name"],
        "agent": e.get("agent"), "date": e.get("date"), "status": e["status"],
        "confidence": e.get("confidence", 1.0), "conflicts": list(e.get("conflicts") or ()),
        "reviewed": e.get("reviewed"), "sources": sources,
    }


# -- overview --------------------------------------------------------------------------


def overview(store: Store, snap: Snapshot, latest: int = 10) -> dict[str, Any]:
    def build() -> tuple[int, int, list[str], Counter[str], list[dict[str, Any]]]:
        per_month: Counter[str] = Counter()
        for e in snap.events:
            if e.get("date") and len(e["date"]) >= 7:
                per_month[e["date"][:7]] += 1
        months = _fill_months(sorted(per_month))
        ordered = sorted(snap.events, key=lambda e: (e.get("date") or "", e["id"]), reverse=True)
        return (sum(1 for d in snap.docs.values() if d.duplicate_of),
                len({d.story for d in snap.docs.values() if d.story}), months, per_month, ordered[:latest])

    duplicates, stories, months, per_month, newest = snap.memo(("overview", latest), build)
    return {
        "counts": {
            "documents": len(snap.docs),
            "duplicates": duplicates,
            "stories": stories,
            "persons": len(snap.persons),
            "events": len(snap.events),
            "rejections": store.count("rejections"),
            "reviews": len(snap.reviews),
        },
        "events_per_month": [{"month": m, "events": per_month.get(m, 0)} for m in months],
        "latest_events": [_event_view(e, snap) for e in newest],
    }


def _fill_months(months: list[str]) -> list[str]:
    """Every month between the first and last, so gaps show as empty bars."""
    if not months:
        return []
    y, m = map(int, months[0].split("-"))
    ey, em = map(int, months[-1].split("-"))
    out = []
    while (y, m) <= (ey, em) and len(out) < 600:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def chart(points: list[dict[str, Any]], width: int = 720, height: int = 160) -> dict[str, Any]:
    """Geometry for the events-per-month SVG bar chart (rendered by the template)."""
    if not points:
        return {"bars": [], "width": width, "height": height, "max": 0}
    peak = max(p["events"] for p in points) or 1
    step = width / len(points)
    bars = []
    for i, p in enumerate(points):
        h = round((height - 20) * p["events"] / peak, 1)
        bars.append({"x": round(i * step + 1, 1), "w": max(round(step - 2, 1), 1), "y": round(height - 16 - h, 1),
                     "h": h, "month": p["month"], "events": p["events"],
                     "label": p["month"] if (i % max(1, len(points) // 8) == 0) else None})
    return {"bars": bars, "width": width, "height": height, "max": peak}


# -- people ------------------------------------------------------------------------------


def doc_persons(store: Store) -> dict[tuple[str, str], DocPerson]:
    return {(a.doc_id, p.key): p for a in store.analyses().values() for p in a.persons}


def _person_facets(person: dict[str, Any], mentions: dict[tuple[str, str], DocPerson]) -> tuple[set[str], set[str]]:
    """Places and parties stated for a person in any of their documents."""
    places: set[str] = set()
    parties: set[str] = set()
    members = [tuple(m) for m in person.get("members") or ()]
    found = [mentions[m] for m in members if m in mentions]  # type: ignore[index]
    if not found:  # no member list (older resolver, reviewer split): match names in its documents
        names = set(person.get("aliases") or ()) | {person["name"]}
        docs = set(person.get("documents") or ())
        found = [p for (d, _), p in mentions.items() if d in docs and (p.name in names or set(p.aliases) & names)]
    for p in found:
        if p.place:
            places.add(p.place)
        if p.party:
            parties.add(p.party)
    return places, parties


def _people_rows(store: Store, snap: Snapshot) -> tuple[list[tuple[dict[str, Any], set[str], set[str]]],
                                                       dict[str, list[str]]]:
    """Every person's row (most events first) with its casefolded places and parties,
    and the filter choices: built once per snapshot, filtered per request."""
    def build() -> tuple[list[tuple[dict[str, Any], set[str], set[str]]], dict[str, list[str]]]:
        facets = _facets(store, snap)
        by_subject = _events_by_subject(snap)
        rows = []
        all_places: set[str] = set()
        all_parties: set[str] = set()
        for p in snap.persons.values():
            places, parties = facets[p["id"]]
            all_places |= places
            all_parties |= parties
            types = Counter(e["type"] for e in by_subject.get(p["id"], ()))
            row = {"id": p["id"], "name": p["name"], "aliases": list(p["aliases"]), "roles": list(p["roles"]),
                   "places": sorted(places), "parties": sorted(parties), "documents": len(p["documents"]),
                   "events": sum(types.values()), "event_types": dict(sorted(types.items()))}
            rows.append((row, {x.casefold() for x in places}, {x.casefold() for x in parties}))
        rows.sort(key=lambda r: (-r[0]["events"], r[0]["name"]))  # stable: filtering keeps this order
        choices = {"place": sorted(all_places), "party": sorted(all_parties),
                   "type": sorted({e["type"] for e in snap.events})}
        return rows, choices
    return snap.memo("people_rows", build)


PEOPLE_PER_PAGE = 100  # default page size of /people, /people.json and /api/people
PEOPLE_PER_PAGE_MAX = 500


def people(store: Store, snap: Snapshot, place: str | None = None, party: str | None = None,
           event_type: str | None = None, page: int = 1, per_page: int | None = None) -> dict[str, Any]:
    """People matching the filters (place and party casefolded, event type exact), most
    events first, cut to one page: ``total`` counts every match, ``pages`` is at least 1,
    and a page past the end has no ``persons``. ``per_page=None`` answers every match as
    page 1. Only the page's rows are copied."""
    all_rows, choices = _people_rows(store, snap)
    if place or party or event_type:  # filter first (a pass of set lookups), then cut the page
        cf_place = place.casefold() if place else None
        cf_party = party.casefold() if party else None
        matched = [entry for entry in all_rows
                   if (not cf_place or cf_place in entry[1]) and (not cf_party or cf_party in entry[2])
                   and (not event_type or event_type in entry[0]["event_types"])]
    else:  # unfiltered: the cached list is cut directly
        matched = all_rows
    total = len(matched)
    if per_page is None:
        page, window = 1, matched
    else:
        page = max(1, page)
        start = (page - 1) * per_page
        window = matched[start:start + per_page]
    rows = [{**row, "aliases": list(row["aliases"]), "roles": list(row["roles"]),
             "places": list(row["places"]), "parties": list(row["parties"]),
             "event_types": dict(row["event_types"])} for row, _, _ in window]
    return {
        "filters": {"place": place, "party": party, "type": event_type},
        "choices": {k: list(v) for k, v in choices.items()},
        "persons": rows,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)) if per_page else 1,
    }


def person(store: Store, snap: Snapshot, pid: str) -> dict[str, Any] | None:
    p = snap.persons.get(pid)
    if p is None:
        return None
    places, parties = _facets(store, snap)[pid]
    evs = sorted(_events_by_subject(snap).get(pid, ()),
                 key=lambda e: (_date_key(e.get("date")), e["type"], e["id"]))
    docs = []
    for d in p["documents"]:
        info = snap.docs.get(d)
        docs.append({"id": d, "title": info.title if info else None, "outlet": info.outlet if info else None,
                     "published": info.published if info else None, "url": info.url if info else None,
                     "source": info.source if info else None})
    return {
        "id": p["id"], "name": p["name"], "aliases": sorted(set(p["aliases"])), "roles": list(p["roles"]),
        "places": sorted(places), "parties": sorted(parties), "documents": docs,
        "merge_evidence": list(p.get("merge_evidence") or ()), "merged_from": list(p.get("merged_from") or ()),
        "split_from": p.get("split_from"),
        "timeline": [_event_view(e, snap) for e in evs],
    }


def event(snap: Snapshot, eid: str) -> dict[str, Any] | None:
    e = _events_by_id(snap).get(eid)
    if e is None:
        return None
    view = _event_view(e, snap)
    view["history"] = [_review_view(r) for r in snap.reviews if r["target_kind"] == "event" and r["target_id"] == eid]
    return view


def rejected_event(store: Store, eid: str) -> bool:
    """True when the machine produced ``eid`` but a reviewer rejected it (so pages can say so)."""
    with store.engine.connect() as conn:
        return conn.execute(select(s.events.c.id).where(s.events.c.id == eid)).first() is not None


def _review_view(r: dict[str, Any]) -> dict[str, Any]:
    created = r.get("created_at")
    return {"id": r["id"], "kind": r["target_kind"], "target": r["target_id"], "action": r["action"],
            "payload": r.get("payload") or {}, "reviewer": r["reviewer"], "note": r.get("note"),
            "created_at": created.isoformat() if hasattr(created, "isoformat") else created}


# -- documents ---------------------------------------------------------------------------


def highlight(text_: str, spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """Split ``text_`` into plain and highlighted pieces; the template escapes each piece.

    Overlapping spans are merged (their labels joined); spans outside the text are dropped.
    """
    clean = sorted((max(0, a), min(len(text_), b), label) for a, b, label in spans if a < b and a < len(text_))
    merged: list[list[Any]] = []
    for a, b, label in clean:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
            if label not in merged[-1][2]:
                merged[-1][2].append(label)
        else:
            merged.append([a, b, [label]])
    pieces: list[dict[str, Any]] = []
    pos = 0
    for a, b, labels in merged:
        if a > pos:
            pieces.append({"text": text_[pos:a], "mark": None, "start": pos})
        pieces.append({"text": text_[a:b], "mark": ", ".join(labels), "start": a})
        pos = b
    if pos < len(text_):
        pieces.append({"text": text_[pos:], "mark": None, "start": pos})
    return pieces


def _evidence_span(text_: str, src: dict[str, Any]) -> tuple[int, int] | None:
    span = src.get("span")
    if span and span[0] is not None and span[1] is not None and 0 <= span[0] < span[1] <= len(text_):
        return span[0], span[1]
    i = text_.find(src["evidence"]) if src.get("evidence") else -1  # span missing or stale
    return (i, i + len(src["evidence"])) if i >= 0 else None


def document(store: Store, snap: Snapshot, doc_id: str) -> dict[str, Any] | None:
    row = store.document(doc_id)
    if row is None:
        return None
    body = row["text"]
    evidence = []
    spans: list[tuple[int, int, str]] = []
    for e, src in _sources_by_document(snap).get(doc_id, ()):
        sp = _evidence_span(body, src)
        evidence.append({"event": e["id"], "type": e["type"], "subject_name": e["subject_name"],
                         "evidence": src["evidence"], "span": list(sp) if sp else None})
        if sp:
            spans.append((sp[0], sp[1], f"{e['type']}: {e['subject_name']}"))
    info = snap.docs.get(doc_id)
    copies, stories, people_in = _doc_indexes(snap)
    duplicates = sorted(copies.get(doc_id, ()))
    story = sorted(d for d in stories.get(row["story"], ()) if d != doc_id) if row["story"] else []
    people_here = sorted(people_in.get(doc_id, ()))
    with store.engine.connect() as conn:
        size = conn.execute(select(s.raw_blobs.c.size).where(s.raw_blobs.c.content_hash == row["content_hash"])).scalar()
    meta_keys = ("source", "kind", "title", "author", "outlet", "url", "language", "published", "published_stated",
                 "date_evidence", "duplicate_of", "story", "content_hash", "clean_version")
    meta = {k: row.get(k) for k in meta_keys}
    meta["date_suspect"] = bool(row["date_suspect"])
    meta["raw_size"] = size
    meta["ingested_at"] = row["ingested_at"].isoformat() if hasattr(row["ingested_at"], "isoformat") else None
    return {
        "id": doc_id, "title": row["title"] or (info.title if info else None), "metadata": meta, "text": body,
        "evidence": sorted(evidence, key=lambda x: (x["span"] or [len(body)])[0]),
        "pieces": highlight(body, spans), "duplicates": duplicates, "same_story": story,
        "persons": [{"id": i, "name": n} for i, n in people_here],
        "removed": list(row.get("removed") or ()),
    }


# -- search --------------------------------------------------------------------------------

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # snippet() markers, split server-side, never HTML


def fts_query(q: str) -> str:
    """User words -> an FTS5 query that is always valid: each word a quoted string (AND)."""
    words = re.findall(r"[^\s\"]+", q)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words[:32])


def search(store: Store, q: str, limit: int = 50) -> dict[str, Any]:
    q = (q or "").strip()
    result: dict[str, Any] = {"query": q, "results": [], "error": None, "mode": None}
    if not q:
        return result
    if len(q) > 500:
        result["error"] = "The query is too long (500 characters at most)."
        return result
    try:
        with store.engine.connect() as conn:
            if store.dialect == "sqlite" and _has_table(conn, "documents_fts"):
                result["mode"] = "fts5"
                match = fts_query(q)
                if not match:
                    result["error"] = "Type at least one word to search for."
                    return result
                rows = conn.execute(text(
                    "SELECT d.id, d.title, d.outlet, d.published, "
                    "snippet(documents_fts, 1, :o, :c, ' … ', 24) AS snip "
                    "FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
                    "WHERE documents_fts MATCH :q ORDER BY bm25(documents_fts) LIMIT :n"),
                    {"q": match, "o": MARK_OPEN, "c": MARK_CLOSE, "n": limit}).all()
            elif store.dialect == "postgresql":
                result["mode"] = "tsvector"
                rows = conn.execute(text(
                    "SELECT id, title, outlet, published, "
                    "ts_headline('simple', text, plainto_tsquery('simple', :q), "
                    "'StartSel=' || :o || ', StopSel=' || :c || ', MaxWords=30, MinWords=10') AS snip "
                    "FROM documents WHERE to_tsvector('simple', coalesce(title, '') || ' ' || text) "
                    "@@ plainto_tsquery('simple', :q) LIMIT :n"),
                    {"q": q, "o": MARK_OPEN, "c": MARK_CLOSE, "n": limit}).all()
            else:  # no full-text index (migration not applied): plain substring search
                result["mode"] = "substring"
                like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = conn.execute(
                    select(s.documents.c.id, s.documents.c.title, s.documents.c.outlet, s.documents.c.published,
                           s.documents.c.text.label("snip"))
                    .where(s.documents.c.text.like(like, escape="\\") | s.documents.c.title.like(like, escape="\\"))
                    .limit(limit)).all()
    except SQLAlchemyError:
        result["error"] = ("That query could not be understood. Try plain words; quotes, brackets and "
                           "operators are not needed.")
        return result
    for r in rows:
        snip = _substring_snippet(r.snip or "", q) if result["mode"] == "substring" else r.snip or ""
        result["results"].append({"id": r.id, "title": r.title, "outlet": r.outlet, "published": r.published,
                                  "snippet": _snippet_pieces(snip)})
    return result


def _substring_snippet(body: str, q: str, width: int = 120) -> str:
    i = body.casefold().find(q.casefold())
    if i < 0:
        return body[:width * 2]
    a, b = max(0, i - width), min(len(body), i + len(q) + width)
    return f"{'… ' if a else ''}{body[a:i]}{MARK_OPEN}{body[i:i + len(q)]}{MARK_CLOSE}{body[i + len(q):b]}{' …' if b < len(body) else ''}"


def _snippet_pieces(snip: str) -> list[dict[str, Any]]:
    pieces = []
    for i, part in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", snip)):
        if part:
            pieces.append({"text": part, "mark": "match" if i % 2 else None})
    return pieces


def _has_table(conn: Any, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first() is not None


# -- review queue --------------------------------------------------------------------------


def _surname_groups(snap: Snapshot) -> list[tuple[str, list[tuple[str, str]]]]:
    """(surname stem, [(person id, name)] by name) for every stem that two or more persons'
    parsed surnames share, by stem (names without a parseable surname are left out)."""
    def build() -> list[tuple[str, list[tuple[str, str]]]]:
        by_surname: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for p, stem, _, parsed in _person_names(snap):
            if parsed:
                by_surname[stem].append((p["id"], p["name"]))
        return [(key, sorted(group, key=lambda m: m[1])) for key, group in sorted(by_surname.items())
                if len(group) > 1]
    return snap.memo("review_surname_groups", build)


def _proposed_merges(snap: Snapshot) -> Iterator[dict[str, Any]]:
    """Every pair of persons sharing a surname stem, by stem, then by the pair's positions
    in the name-sorted group; lazily: a group of n people holds n*(n-1)/2 pairs and the
    queue shows the first ``limit`` (a surname group has hundreds of people at 10^5 docs)."""
    for key, group in _surname_groups(snap):
        for (aid, aname), (bid, bname) in combinations(group, 2):
            yield {"surname_key": key, "a": {"id": aid, "name": aname}, "b": {"id": bid, "name": bname}}


def review_queue(store: Store, snap: Snapshot, limit: int = 200) -> dict[str, Any]:
    # each list is cut to ``limit`` before its entries are formatted or looked up
    low = sorted((e for e in snap.events if (e.get("confidence") or 0) < LOW_CONFIDENCE and not e.get("reviewed")),
                 key=lambda e: e.get("confidence") or 0)[:limit]
    conflicts = [e for e in snap.events if e.get("conflicts") and not e.get("reviewed")][:limit]
    suspect = [d for d in snap.docs.values() if d.date_suspect][:limit]
    merges = list(islice(_proposed_merges(snap), limit))
    why: dict[str, str | None] = {}
    if suspect:
        with store.engine.connect() as conn:
            rows = conn.execute(select(s.documents.c.date_evidence, s.documents.c.id)
                                .where(s.documents.c.id.in_([d.id for d in suspect]))).all()
        why = {r.id: r.date_evidence for r in rows}
    return {
        "low_confidence": [_event_view(e, snap) for e in low],
        "conflicts": [_event_view(e, snap) for e in conflicts],
        "suspect_dates": [{"id": d.id, "title": d.title, "source": d.source, "published": d.published,
                           "published_stated": d.published_stated, "why": why.get(d.id)} for d in suspect],
        "proposed_merges": merges,
        "recent_decisions": [_review_view(r) for r in reversed(snap.reviews[-50:])],
    }

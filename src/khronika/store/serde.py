"""JSON round-trips for the records stored whole (analyses, removals)."""

from __future__ import annotations

import sys
from dataclasses import fields
from functools import lru_cache
from typing import Any

from ..models import Analysis, DocPerson, DocumentDate, EventMention, Provenance, Removal


def _tuples(value: Any) -> Any:
    """JSON turns tuples into lists; the records want tuples back (they are frozen).
    Short strings (keys, names, types, roles, dates) repeat across a corpus's
    analyses: they are interned, so 100k loaded analyses share one copy of each."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, str) and len(value) <= _INTERN_MAX:
        return sys.intern(value)
    return value


_INTERN_MAX = 64


@lru_cache(maxsize=64)
def _provenance(stage: str, version: str) -> Provenance:
    return Provenance(stage, version)


# Records to JSON objects field by field, in field order (what ``dataclasses.asdict``
# gives, without its recursive deep copy: the values are immutable strings, numbers and
# tuples, and a tuple is written as a JSON list either way).
_PERSON_FIELDS = tuple(f.name for f in fields(DocPerson))
_EVENT_FIELDS = tuple(f.name for f in fields(EventMention))
_DATE_FIELDS = tuple(f.name for f in fields(DocumentDate))


def person_to_json(p: DocPerson) -> dict[str, Any]:
    return {f: getattr(p, f) for f in _PERSON_FIELDS}


def person_from_json(d: dict[str, Any], spans: bool = True) -> DocPerson:
    return DocPerson(**{k: _tuples(v) for k, v in d.items() if spans or k != "spans"})


def event_to_json(e: EventMention) -> dict[str, Any]:
    out = {f: getattr(e, f) for f in _EVENT_FIELDS}
    out["provenance"] = {"stage": e.provenance.stage, "version": e.provenance.version}
    return out


def event_from_json(d: dict[str, Any]) -> EventMention:
    prov = d.get("provenance")
    kw = {k: _tuples(v) for k, v in d.items() if k != "provenance"}
    if prov:
        kw["provenance"] = _provenance(prov["stage"], prov["version"])
    return EventMention(**kw)


def analysis_to_row(a: Analysis) -> dict[str, Any]:
    return {
        "doc_id": a.doc_id,
        "version": a.provenance.version,
        "persons": [person_to_json(p) for p in a.persons],
        "events": [event_to_json(e) for e in a.events],
        "date": {f: getattr(a.date, f) for f in _DATE_FIELDS},
    }


def analysis_from_row(row: Any, person_spans: bool = True) -> Analysis:
    """The stored analysis; ``person_spans=False``: without its persons' spans (see
    ``Store.analyses``)."""
    return Analysis(
        doc_id=sys.intern(row.doc_id),
        persons=tuple(person_from_json(p, person_spans) for p in row.persons),
        events=tuple(event_from_json(e) for e in row.events),
        date=DocumentDate(**row.date),
        provenance=_provenance("extract", row.version),
    )


def removals_to_json(removed: tuple[Removal, ...]) -> list[dict[str, str]]:
    return [{"text": r.text, "reason": r.reason} for r in removed]

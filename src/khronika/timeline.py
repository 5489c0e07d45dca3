"""Case timelines: one person's events as an ordered chain with their sources.

Order: by date where known (a coarser date sorts before a finer one inside it, so
"2022" comes before "2022-07-08"); on the same date acts of dissent come before the
responses to them, and responses follow the ontology's order (charge before
sentence). Undated events are placed by the earliest publication date of the
documents that report them, since an event precedes its first report; failing that
they go last. Which types are acts comes from ``data/ontology.yaml`` (family).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import ontology
from .models import DocumentInfo, Event


@dataclass(frozen=True)
class TimelineSource:
    document: str
    outlet: str | None
    evidence: str


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    date: str | None  # the event's own date; None when no source gives one
    sources: tuple[TimelineSource, ...]
    placed_by: str | None = None  # "reported YYYY-MM-DD" when ordered by report date


def _rank(etype: str) -> tuple[int, int]:
    onto = ontology.types()
    order = list(onto)
    fam = (onto.get(etype) or {}).get("family")
    return (0 if fam == "dissent" else 1, order.index(etype) if etype in order else len(order))


def timeline(person_id: str, resolution, docs: Mapping[str, DocumentInfo]) -> list[TimelineEntry]:
    """The ordered chain of events whose subject is ``person_id``."""
    entries = []
    for ev in resolution.events:
        if ev.subject != person_id:
            continue
        reported = sorted(d.published for s in ev.sources if (d := docs.get(s.document)) and d.published)
        when = ev.date or (reported[0] if reported else None)
        sources = tuple(TimelineSource(s.document, docs[s.document].outlet if s.document in docs else None,
                                       s.evidence) for s in ev.sources)
        placed = None if ev.date or not reported else f"reported {reported[0]}"
        key = (when is None, when or "", _rank(ev.type), ev.id)
        entries.append((key, TimelineEntry(ev, ev.date, sources, placed)))
    return [e for _, e in sorted(entries, key=lambda kv: kv[0])]

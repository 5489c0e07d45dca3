"""Data for the web tests: a database built from the seed corpus.

Preferred: the real pipeline (``run_ingest`` on ../shared/corpus/seeds). While a later
stage is not in place yet (e.g. the dedupe tables' migration), ``build`` falls back to
the real reader and cleaner plus a resolution assembled here from the clean texts, so
the web layer is still tested against real documents. ``PIPELINE`` says which ran.
"""

from __future__ import annotations

import re
from pathlib import Path

from khronika.models import Analysis, DocPerson, DocumentDate, Event, EventMention, Person, Source
from khronika.store.db import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
TOKEN = "test-review-token"
HOSTILE = """Hostile test article

A reporter wrote that Ivan Petrovsky was detained in Omsk on 3 March 2024 after a picket.
<script>window.__pwned=1</script>
<img src=x onerror="window.__pwned=1">
"Free everyone," Ivan Petrovsky said before the hearing.
"""

PIPELINE: dict[str, str] = {}


def _sentence(text: str, needle: str) -> tuple[str, tuple[int, int]] | None:
    i = text.find(needle)
    if i < 0:
        return None
    start = max(text.rfind(". ", 0, i) + 2 if text.rfind(". ", 0, i) >= 0 else 0, text.rfind("\n", 0, i) + 1)
    m = re.search(r"[.!?](\s|$)", text[i:])
    end = i + (m.end(0) if m else len(text) - i)
    sent = text[start:end].strip()
    return sent, (text.index(sent, start), text.index(sent, start) + len(sent))


def _fallback_resolution(store: Store) -> None:
    """Persons and events from the clean seed texts, shaped as resolve() would write them."""
    persons: dict[str, dict] = {}
    events: list[Event] = []
    analyses: list[Analysis] = []
    plan = [  # (surface form, person id, canonical name, event type, date, confidence)
        ("Ksenia Thorstrom", "p-thorstrom", "Ksenia Thorstrom", "exile", "2022-10", 0.95),
        ("Xenia Torstrem", "p-thorstrom", "Ksenia Thorstrom", "appeal", "2022-09", 0.9),
        ("Medvedev", "p-medvedev", "Sergei Medvedev", "party_expulsion", "2024-01", 0.6),
        ("Ivan Petrovsky", "p-petrovsky", "Ivan Petrovsky", "detention", "2024-03-03", 0.9),
    ]
    for article in store.articles():
        doc_people = []
        for surface, pid, name, etype, date, conf in plan:
            found = _sentence(article.text, surface)
            if not found:
                continue
            evidence, span = found
            key = f"p{len(doc_people)}"
            doc_people.append(DocPerson(article.id, key, surface if " " in surface else name, (surface,),
                                        ("deputy",) if pid == "p-thorstrom" else (), None,
                                        "Omsk" if pid == "p-petrovsky" else "Saint Petersburg"
                                        if pid == "p-thorstrom" else "Perm", (span,)))
            p = persons.setdefault(pid, {"name": name, "aliases": set(), "docs": [], "members": []})
            p["aliases"].add(surface if " " in surface else name)
            p["docs"].append(article.id)
            p["members"].append((article.id, key))
            eid = f"e-{pid}-{etype}"
            prev = next((e for e in events if e.id == eid), None)
            src = Source(article.id, evidence, span)
            if prev:
                events[events.index(prev)] = Event(eid, etype, pid, name, prev.sources + (src,), None, date,
                                                   confidence=conf)
            else:
                events.append(Event(eid, etype, pid, name, (src,), None, date, confidence=conf))
        analyses.append(Analysis(article.id, tuple(doc_people), tuple(
            EventMention(article.id, e.type, None, e.subject_name, s.evidence, s.span or (0, 0))
            for e in events for s in e.sources if s.document == article.id), DocumentDate(article.published_stated)))
    store.save_analyses(analyses)
    store.replace_resolution(
        [Person(pid, p["name"], tuple(sorted(p["aliases"])), ("deputy",) if pid == "p-thorstrom" else (),
                tuple(dict.fromkeys(p["docs"])), tuple(p["members"])) for pid, p in persons.items()],
        events)


def build(store: Store, paths: list[str]) -> str:
    """Ingest ``paths`` into ``store``; returns "pipeline" or "fallback"."""
    from khronika.pipeline import run_ingest

    try:
        run_ingest(store, paths)
        return "pipeline"
    except Exception as exc:  # a stage owned by another engineer is not in place yet
        PIPELINE["why"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        from khronika.pipeline import IngestReport, ingest_documents
        from khronika.settings import Settings

        ingest_documents(store, paths, Settings.load(), IngestReport())
        _fallback_resolution(store)
        return "fallback"



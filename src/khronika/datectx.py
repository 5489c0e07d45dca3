"""Cross-document date context: undated reports borrow the dates of their siblings.

Documents in one story (and near-duplicates) report the same happening, so they were
written at about the same time; documents about the same people that write the same
yearless day ("September 7") mean the same day. A document whose own date is unknown
therefore borrows, strongest first:

1. its story's date: the latest reliable date of a story member (a stated date, or an
   estimate from the text's own reasoning - not the "latest date written" fallback,
   which is only a lower bound);
2. the year its siblings give to a yearless day it writes: a document sharing a person
   or the story resolves "September 7" to 2022-09-07 (written out, or against its own
   reliable date), so this one's "September 7" is 2022 too - when all agree.

With that context only event mentions that had no date are adjusted: a date expression
in the evidence sentence (nearest the trigger) is resolved against it - an offset ("two
days after the statement") from the reference date extraction recorded (``date_ref``) -, else a lede
mention gets the context month as a report date (``date_basis=document``), as extraction
does for dated documents. Every borrowed date says so in ``details`` (``date_context``).
Mentions already dated by their own document are never touched.

Pure: ``propagate(infos, analyses, texts) -> {doc_id: Analysis}`` (changed ones only).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from .extract import dates as D
from .extract.docdate import floor as text_floor
from .models import Analysis, DocumentDate, DocumentInfo, EventMention
from .names import name_key

_WEAK = "latest date written"  # docdate's lower-bound fallback (see docdate.document_date)
_LEDE_CHARS = 600  # extraction dates lede mentions by the report (roughly its first 80 tokens)
_EXPRS = (D._RE_WD_MD, D._RE_MDY, D._RE_DMY, D._RE_MD, D._RE_DM, D._RE_MY,
          re.compile(r"\b(?:last|this|in|since|early|late|mid|by|until)\s+" + D._MON + r"\b", re.I),
          re.compile(r"\b(?:last|this|earlier this|later this|past|previous) (?:week|month|year|spring|summer|autumn|fall|winter)\b", re.I))


def _group(info: DocumentInfo, infos: Mapping[str, DocumentInfo]) -> str:
    if info.story:
        return info.story
    canon = infos.get(info.duplicate_of or "")
    return (canon.story if canon and canon.story else None) or info.duplicate_of or info.id


def _reliable(info: DocumentInfo, dated: DocumentDate | None) -> str | None:
    """The document's date when it is a real date, not a lower bound or a suspect page
    date (``dated``: how extraction dated the document, if it was analysed)."""
    if not info.published:
        return None
    if dated is not None and dated.evidence and dated.evidence.startswith(_WEAK) \
            and info.published != info.published_stated:
        return None
    return info.published


def _yearless_days(text: str) -> set[tuple[int, int]]:
    out = set()
    for rx, order in ((D._RE_MD, "md"), (D._RE_DM, "dm")):
        for m in rx.finditer(text):
            mo, d = (D._month(m[1]), int(m[2])) if order == "md" else (D._month(m[2]), int(m[1]))
            if mo and D._safe(2000, mo, d):
                out.add((mo, d))
    return out


def _day_years(text: str, anchor: str | None) -> dict[tuple[int, int], set[int]]:
    """(month, day) -> years this text gives them: written out, or against its own date."""
    out: dict[tuple[int, int], set[int]] = defaultdict(set)
    for rx in (D._RE_MDY, D._RE_DMY):
        for m in rx.finditer(text):
            p = D.parse(D.absolute(m[0]))
            if p and p[2]:
                out[(p[1], p[2])].add(p[0])
    a = D.parse(anchor)
    if a:
        for mo, d in _yearless_days(text):
            out[(mo, d)].add(D.year_before(mo, d, a))
    return out


def _expressions(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rx in _EXPRS:
        for m in rx.finditer(sentence):
            if not any(s <= m.start() < e or m.start() <= s < m.end() for s, e in spans):
                spans.append((m.start(), m.end()))
    return spans


def _sentence_date(m: EventMention, anchor: str | None, floor: date | None) -> str | None:
    """The expression extraction attached to the trigger (``date_text``), else the date
    expression nearest the trigger in the evidence, resolved in context."""
    details = dict(m.details)
    text = details.get("date_text")
    off = D.offset(text)
    if off is not None:
        # "two days after the statement": count from the reference date extraction found
        ref = details.get("date_ref")
        return D.shift(D.resolve(ref, anchor, floor), off) if ref else None
    if text and (got := D.resolve(text, anchor, floor)):
        return got
    spans = _expressions(m.evidence)
    if not spans:
        return None
    at = m.evidence.find(m.trigger) if m.trigger else -1
    at = at if at >= 0 else 0
    for s, e in sorted(spans, key=lambda se: min(abs(se[0] - at), abs(se[1] - at))):
        got = D.resolve(m.evidence[s:e], anchor, floor)
        if got:
            return got
    return None


def _context(doc_id: str, infos: Mapping[str, DocumentInfo], reliable: Mapping[str, str | None],
             texts: Mapping[str, str], members: Mapping[str, list[str]],
             people: Mapping[str, set[str]], postings: Mapping[str, set[str]],
             day_years: dict[str, dict[tuple[int, int], set[int]]]) -> tuple[str, str] | None:
    """(anchor, why) for a document without a reliable date of its own (``reliable``:
    the analysed documents' reliable dates; one without an analysis has its info's)."""
    def reliable_date(o: str) -> str | None:
        return reliable[o] if o in reliable else _reliable(infos[o], None)

    info = infos[doc_id]
    group = _group(info, infos)
    story = [(o, d) for o in members[group] if o != doc_id and (d := reliable_date(o))]
    if story:
        o, d = max(story, key=lambda od: od[1])
        return d, f"story {group}: {o} dated {d}"
    text = texts.get(doc_id, "")
    wanted = _yearless_days(text)
    if not wanted:
        return None
    related = {o for o in members[group] if o != doc_id}
    # documents sharing a person: from the name-key index, not a scan of the corpus
    related |= {o for k in people.get(doc_id, ()) for o in postings.get(k, ()) if o != doc_id}
    years: dict[tuple[int, int], set[int]] = defaultdict(set)
    for o in sorted(related):
        if o not in day_years:  # each related text is read and parsed once per run
            o_anchor = reliable_date(o) if o in infos else None
            day_years[o] = _day_years(texts.get(o, ""), o_anchor)
        for k, ys in day_years[o].items():
            if k in wanted:
                years[k] |= ys
    dated = [(date(next(iter(ys)), mo, d)) for (mo, d), ys in years.items() if len(ys) == 1]
    if not dated or any(len(ys) > 1 for ys in years.values()):
        return None  # nothing shared, or siblings disagree on a year: don't guess
    latest = max(dated)
    return D.fmt(latest.year, latest.month), f"same days as related reports ({', '.join(sorted(map(str, dated)))})"


def propagate(infos: Mapping[str, DocumentInfo], analyses: Mapping[str, Analysis],
              texts: Mapping[str, str] | None = None) -> dict[str, Analysis]:
    """Analyses of documents without a usable date, with undated mentions dated from
    their cross-document context. Returns only the analyses that changed.

    ``analyses`` is read in id order, twice (what every document offers as context,
    then the documents waiting for a date), and looked up by nothing else: a mapping
    that reads the store a chunk at a time (``Store.lazy_analyses``) holds one chunk.
    """
    texts = texts or {}
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(infos):
        members[_group(infos[doc_id], infos)].append(doc_id)
    reliable: dict[str, str | None] = {}
    people: dict[str, set[str]] = {}
    waiting: list[str] = []
    for doc_id in sorted(analyses):
        an, info = analyses[doc_id], infos.get(doc_id)
        people[doc_id] = {k for p in an.persons if (k := name_key(p.name))}
        if info is None:
            continue
        reliable[doc_id] = _reliable(info, an.date)
        if not reliable[doc_id] and any(m.date is None for m in an.events):
            waiting.append(doc_id)
    postings: dict[str, set[str]] = defaultdict(set)
    for d, keys in people.items():
        for k in keys:
            postings[k].add(d)
    day_years: dict[str, dict[tuple[int, int], set[int]]] = {}
    out: dict[str, Analysis] = {}
    for doc_id in waiting:
        an = analyses[doc_id]
        ctx = _context(doc_id, infos, reliable, texts, members, people, postings, day_years)
        if ctx is None:
            continue
        anchor, why = ctx
        fl = text_floor(texts.get(doc_id, ""))
        events = []
        for m in an.events:
            if m.date is not None:
                events.append(m)
                continue
            got, basis = _sentence_date(m, anchor, fl), "text"
            if got is None and m.span[0] < _LEDE_CHARS:
                p = D.parse(anchor)
                got, basis = (D.fmt(p[0], p[1]), "document") if p else (None, None)
            if got is None:
                events.append(m)
                continue
            details = tuple(kv for kv in m.details if kv[0] != "date_basis")
            events.append(replace(m, date=got, details=details + (("date_basis", basis), ("date_context", why))))
        if events != list(an.events):
            out[doc_id] = replace(an, events=tuple(events))
    return out

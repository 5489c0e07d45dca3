"""Event consolidation: one Event per real-world event, with every source kept.

Mentions of one type about one resolved person (see ``resolve``) are consolidated when
their dates are compatible (equal, or one more precise, or unknown) and nothing
contradicts them; conflicting details are kept and listed in ``Event.conflicts`` only
when other evidence (an explicit shared date or a shared story) says it is the same
event. A date a report's own text gives beats one borrowed from the publication date.
A second act of one type is its own event: an undated report of another term, or of an act
its text calls additional/new (``order`` = repeat), joins an event only when a date or a
measure ties them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from .extract.docdate import anchor
from .models import Analysis, DocumentInfo, Event, EventMention, Source

Member = tuple[str, str]  # (doc_id, DocPerson.key)


def _stable_hash(text: str, n: int = 10) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def _story(info: DocumentInfo | None, doc_id: str, infos: Mapping[str, DocumentInfo]) -> str:
    if info is None:
        return doc_id
    if info.story:
        return info.story
    if info.duplicate_of:
        canon = infos.get(info.duplicate_of)
        return (canon.story if canon and canon.story else info.duplicate_of)
    return doc_id


def _dates_compatible(a: str | None, b: str | None) -> bool:
    """Same date, one a refinement of the other ("2022" / "2022-07-08"), or unknown."""
    if not a or not b:
        return True
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _not_after(date: str | None, published: str | None) -> bool:
    """A document cannot report an event dated after it was published."""
    if not date or not published:
        return True
    n = min(len(date), len(published))
    return date[:n] <= published[:n]


# "260 thousand rubles" and "260,000 rubles" are one amount: a scale word multiplies the
# number before it (numerals, not domain words, so they live here rather than in data/)
_SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mln": 10**6, "m": 10**6,
           "billion": 10**9, "bn": 10**9}
_RE_AMOUNT = re.compile(r"(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?)\s*(" + "|".join(_SCALES) + r")?\b"
                        r"(?:\s*(day|week|month|year)s?\b)?", re.I)


def _norm_value(v: str) -> str:
    """A detail's comparable form: the number it states (scale words applied), else its words."""
    m = _RE_AMOUNT.search(v)
    if m:
        num = m[1]
        if re.fullmatch(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+", num):
            num = re.sub(r"\D", "", num)  # thousands separators
        value = float(num.replace(",", ".")) * _SCALES.get((m[2] or "").lower(), 1)
        out = str(round(value)) if value == round(value) else str(value)
        return f"{out} {m[3].lower()}" if m[3] else out  # a term: 15 days are not 15 months
    return " ".join(v.lower().split())


# Detail keys whose values are different events, never one event reported two ways: an
# administrative arrest and a pre-trial detention (data/triggers.yaml measure_kinds).
_EXCLUSIVE = frozenset({"kind"})

# Detail keys whose different values only an explicit shared date (same month) reconciles as
# one event reported two ways (a typo, a rounding): a shared story is not enough, because
# the reports of a person's second sentence recap the first ("his initial seven-year
# sentence"). term: the measure's term; order: "first" vs "repeat" (extract.events.act_order).
_STRONG = frozenset({"term", "order"})

# Detail keys that describe how extraction got a value, not the event: never conflicts.
# date_basis=document means the date is the report's own date (an upper bound for the
# event), not a date the text gives for it.
# date_text/date_ref are how a source wrote the date ("on September 7", "two days after"):
# the dates themselves are compared, never their wording.
_META_DETAILS = frozenset({"date_basis", "date_context", "date_text", "date_ref"})


def _stated(m: EventMention) -> str | None:
    """The date the text gives for the event, or None when it is only the report date."""
    return None if ("date_basis", "document") in m.details else m.date


def _borrowed(m: EventMention) -> bool:
    """The date was resolved with another report's date context (datectx), not the document's own."""
    return any(k == "date_context" for k, _ in m.details)


def _report_date(info: DocumentInfo, an: Analysis) -> str | None:
    """The document's date as an upper bound for what it reports: not the text's
    latest-date-written fallback (a lower bound), which only a stated date overrides."""
    if info.published and info.published == an.date.published and info.published != info.published_stated:
        return anchor(an.date)
    return info.published


def _bound(m: EventMention, published: str | None) -> str | None:
    """Latest possible date of the event: it happened before it was reported."""
    if _stated(m):
        return None
    return m.date or published


class _E:
    """An event being built: its mentions and what they agree on.

    What ``_fit`` reads (date, documents, details, bounds) is kept up to date as
    mentions are added, so testing a mention costs the same for an event of 5,000
    mentions as for one of two.
    """

    def __init__(self) -> None:
        self.mentions: list[EventMention] = []
        self.stories: set[str] = set()
        self.min_bound: dict[int, str] = {}  # per length: the earliest bound of that length
        self._docs: set[str] = set()
        self._by_doc: dict[str, list[EventMention]] = defaultdict(list)
        self._details: dict[str, set[str]] = defaultdict(set)
        self._own: str | None = None  # most precise date a report's own text gives (first wins ties)
        self._any: str | None = None  # most precise stated date, borrowed context included
        self.own_dates = False

    def add(self, m: EventMention, story: str, bound: str | None) -> None:
        self.mentions.append(m)
        self.stories.add(story)
        self._docs.add(m.doc_id)
        self._by_doc[m.doc_id].append(m)
        for k, v in m.details:
            if k not in _META_DETAILS:
                self._details[k].add(_norm_value(v))
        if d := _stated(m):
            if self._any is None or len(d) > len(self._any):
                self._any = d
            if not _borrowed(m):
                self.own_dates = True
                if self._own is None or len(d) > len(self._own):
                    self._own = d
        if bound is not None:
            n = len(bound)
            if n not in self.min_bound or bound < self.min_bound[n]:
                self.min_bound[n] = bound

    @property
    def date(self) -> str | None:
        # a date the report's own text gives beats one resolved with borrowed context;
        # among those, the most precise (compatible ones only ever join, see _fit)
        return self._own or self._any

    @property
    def estimate(self) -> str | None:
        """Date to show when no source states one: the earliest report date, at month
        precision at most (it says when the event was known, not when it happened)."""
        return self.date or (min(self.min_bound.values())[:7] if self.min_bound else None)

    def docs(self) -> set[str]:
        return self._docs

    def in_doc(self, doc_id: str) -> list[EventMention]:
        return self._by_doc.get(doc_id, [])

    def details(self) -> dict[str, set[str]]:
        return self._details

    def after(self, date: str | None) -> bool:
        """Whether ``date`` is later than some bound (a report that predates it)."""
        if not date:
            return False
        # for bounds of one length, truncation keeps their order: the earliest decides
        return any(not _not_after(date, b) for b in self.min_bound.values())


def _fit(ev: _E, m: EventMention, story: str, published: str | None) -> int | None:
    """Score for adding mention ``m`` to ``ev``, or None when it cannot belong."""
    date, mdate = ev.date, _stated(m)
    borrowed_clash = False
    if not _dates_compatible(date, mdate):
        # a borrowed-context date may be off by its guessed year: in the same story it
        # still joins, and the disagreement is listed as a conflict
        own_dates = ev.own_dates
        if story not in ev.stories or (own_dates and not _borrowed(m)) or m.doc_id in ev.docs():
            return None
        borrowed_clash = True
    bound = _bound(m, published)
    if not _not_after(date, bound) or ev.after(mdate):
        return None
    if m.doc_id in ev.docs():
        # one document reporting the same type twice is usually two events (Gorinov's
        # 7-year and later 3-year sentence); merge only repeats that say so
        same = ev.in_doc(m.doc_id)
        if not any((_stated(x) and _stated(x) == mdate) or x.span == m.span or x.evidence == m.evidence
                   for x in same):
            return None
    agree = conflict = strong = 0
    have = ev.details()
    for k, v in m.details:
        if k in have and k not in _META_DETAILS:
            if _norm_value(v) in have[k]:
                agree += k != "order"  # being a repeat too says nothing about which one
            elif k in _EXCLUSIVE:
                return None
            else:
                conflict += 1
                strong += k in _STRONG
    exact_date = bool(date and mdate and date[:7] == mdate[:7] and len(mdate) >= 7)
    if conflict and not (exact_date or story in ev.stories):
        return None  # different amounts and nothing else tying them: two events
    if strong and not exact_date:
        return None  # another term, or the first act and a repeat: two events
    if ("order", "repeat") in m.details and "repeat" not in have.get("order", ()) and not (exact_date or agree):
        # a report of an additional/new act joins an event whose reports do not call it so
        # only when its date or a measure ties them
        return None
    # ties go to the more widely reported event: a new report is likelier about it
    return 40 * exact_date + 20 * (story in ev.stories) + 10 * (agree - conflict) + min(len(ev.docs()), 9) \
        - 30 * borrowed_clash


def _conflicts(mentions: list[EventMention]) -> tuple[str, ...]:
    by_key: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in mentions:
        for k, v in m.details:
            if k not in _META_DETAILS:
                by_key[k][_norm_value(v)].append(f"{v} ({m.doc_id})")
    stated = defaultdict(list)
    for m in mentions:
        if d := _stated(m):
            stated[d].append(m.doc_id)
    dates = sorted(stated)
    if any(not _dates_compatible(a, b) for i, a in enumerate(dates) for b in dates[i + 1:]):
        by_key["date"] = defaultdict(list, {d: [f"{d} ({stated[d][0]})"] for d in dates})
    out = []
    for k in sorted(by_key):
        if len(by_key[k]) > 1:
            out.append(f"{k}: " + " vs ".join(sorted(vs[0] for vs in by_key[k].values())))
    return tuple(out)


def consolidate_events(items: Iterable[tuple[DocumentInfo, Analysis]], names: Mapping[str, str],
                       person_of: Mapping[Member, str]) -> list[Event]:
    """Events across sources; ``items`` is read once, and only event mentions are kept.
    ``names``: each person's display name by id; ``person_of``: each member's person id."""
    infos: dict[str, DocumentInfo] = {}
    reports: dict[str, str | None] = {}
    groups: dict[tuple[str, str], list[EventMention]] = defaultdict(list)
    for info, an in items:
        infos[info.id] = info
        reports[info.id] = _report_date(info, an)
        for m in an.events:
            pid = person_of.get((m.doc_id, m.subject_key)) if m.subject_key else None
            subject = pid or "group:" + " ".join(m.subject_name.lower().split())
            groups[(m.type, subject)].append(m)

    events: list[Event] = []
    used_ids: set[str] = set()
    for (etype, subject), ms in sorted(groups.items()):
        # most precise dates first, so undated mentions join an event that has one
        ms = sorted(ms, key=lambda m: (-len(_stated(m) or ""), m.doc_id, m.span))
        built: list[_E] = []
        for m in ms:
            info = infos.get(m.doc_id)
            story = _story(info, m.doc_id, infos)
            published = reports.get(m.doc_id)
            scored = [(s, -k) for k, ev in enumerate(built)
                      if (s := _fit(ev, m, story, published)) is not None]
            if scored:
                ev = built[-max(scored)[1]]
            else:
                ev = _E()
                built.append(ev)
            ev.add(m, story, _bound(m, published))
        for ev in built:
            events.append(_event(etype, subject, ev, names, used_ids))
    return sorted(events, key=lambda e: (e.subject or "", e.date or "9999", e.type, e.id))


def _event(etype: str, subject: str, ev: _E, names: Mapping[str, str], used: set[str]) -> Event:
    ms = sorted(ev.mentions, key=lambda m: (m.doc_id, m.span))
    pid = None if subject.startswith("group:") else subject
    sources, seen = [], set()
    for m in ms:
        if (m.doc_id, m.span) not in seen:
            seen.add((m.doc_id, m.span))
            sources.append(Source(m.doc_id, m.evidence, m.span))
    agents = Counter(m.agent for m in ms if m.agent)
    agent = min(agents, key=lambda a: (-agents[a], a)) if agents else None
    subject_names = Counter(m.subject_name for m in ms)
    subject_name = names.get(pid, "") if pid else min(subject_names, key=lambda s: (-subject_names[s], s))
    date = ev.estimate
    eid = "e-" + _stable_hash(f"{etype}|{subject}|{date}|{ms[0].doc_id}")
    if eid in used:
        eid = "e-" + _stable_hash(f"{etype}|{subject}|{date}|{ms[0].doc_id}|{ms[0].span}")
    used.add(eid)
    status = "unconfirmed" if all(m.status == "unconfirmed" for m in ms) else "reported"
    return Event(eid, etype, pid, subject_name, tuple(sources), agent=agent, date=date,
                 status=status, conflicts=_conflicts(ms), confidence=max(m.confidence for m in ms))

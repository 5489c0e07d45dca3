"""Reference (all-pairs) resolver, frozen from khronika.resolve before it was made
near-linear. Kept only so tests can check the fast resolver decides exactly the same;
do not edit to follow changes in khronika.resolve: change both on purpose.

Corpus-level resolution: one Person per real person, one Event per real event.

Persons: every DocPerson (already linked inside its document by extraction) is a
member; members are merged in passes of decreasing certainty, each recorded in
``Person.merge_evidence``:

1. same keyed full name (given + surname stem, see ``names``),
2. near spellings (fuzzy surname or given name) *with* context: same story or a
   shared co-mentioned person — a missed merge is cheaper than a false one,
3. initials ("V.V. Putin") and bare surnames ("Yashin"): attached only when exactly
   one candidate exists in the same document, else the same story, else the corpus.

A merge is refused whenever the two clusters hold contradicting given names or
patronymics (Sergei vs Dmitry Medvedev), so chains through a bare surname cannot
join two people.

Events: mentions of one type about one resolved person are consolidated when their
dates are compatible (equal, or one more precise, or unknown) and nothing contradicts
them; conflicting details are kept and listed in ``Event.conflicts`` only when other
evidence (an explicit shared date or a shared story) says it is the same event.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from khronika.extract.docdate import anchor
from khronika.models import Analysis, DocPerson, DocumentInfo, Event, EventMention, Person, Source
from khronika.names import ParsedName, is_known_given, latin, name_key, parse_name, surname_stem

_CYR = re.compile(r"[\u0400-\u04ff]")
Member = tuple[str, str]  # (doc_id, DocPerson.key)

FUZZY_SURNAME = 85  # rapidfuzz ratio: Kiseleva/Kisleva 92, Yuferev/Yuferevon 88, Baltrukov/Baltrusov 89 (needs context)
FUZZY_GIVEN = 85


@dataclass(frozen=True)
class Resolution:
    persons: tuple[Person, ...]
    events: tuple[Event, ...]
    person_of: Mapping[Member, str] = field(default_factory=dict, compare=False)


@dataclass
class _M:
    """One DocPerson with its parsed names and context."""

    doc: str
    key: str
    dp: DocPerson
    full: list[ParsedName]
    initials: list[ParsedName]
    bare: list[ParsedName]
    story: str


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


# -- name comparison --------------------------------------------------------------

def _given_relation(a: ParsedName, b: ParsedName) -> str:
    """'same', 'near', 'initial' or 'conflict' for two parsed names' first names."""
    if a.given and b.given:
        if a.given == b.given:
            return "same"
        # two different names from the table (Aleksandr/Aleksandra, Sergei/Dmitry)
        if is_known_given(a.given) and is_known_given(b.given):
            return "conflict"
        if a.given[0] == b.given[0] and fuzz.ratio(a.given, b.given) >= FUZZY_GIVEN:
            return "near"
        return "conflict"
    if a.given or b.given:
        full, short = (a, b) if a.given else (b, a)
        if short.initial is None:
            return "initial"  # bare surname: nothing to contradict
        return "initial" if short.initial in full.letters() else "conflict"
    if a.initial and b.initial and a.initial != b.initial:
        return "conflict"
    return "initial"


def _surname_relation(a: ParsedName, b: ParsedName) -> str:
    sa, sb = surname_stem(a.surname), surname_stem(b.surname)
    if sa == sb:
        return "same"
    if min(len(sa), len(sb)) >= 5 and sa[0] == sb[0] and fuzz.ratio(sa, sb) >= FUZZY_SURNAME:
        return "near"
    return "other"


def _names_conflict(xs: list[ParsedName], ys: list[ParsedName]) -> bool:
    for a in xs:
        for b in ys:
            if _surname_relation(a, b) == "other":
                continue
            if _given_relation(a, b) == "conflict":
                return True
            if a.patronymic and b.patronymic and a.patronymic != b.patronymic:
                return True
    return False


# -- person clustering ------------------------------------------------------------

class _Clusters:
    """Union-find over members that refuses merges between contradicting names."""

    def __init__(self, ms: list[_M]):
        self.ms = ms
        self.parent = list(range(len(ms)))
        self.names = {i: m.full + m.initials for i, m in enumerate(ms)}
        self.evidence: dict[int, list[str]] = defaultdict(list)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int, why: str) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        if _names_conflict(self.names[ri], self.names[rj]):
            return False
        ri, rj = min(ri, rj), max(ri, rj)  # deterministic root
        self.parent[rj] = ri
        self.names[ri] = self.names[ri] + self.names.pop(rj)
        self.evidence[ri] += self.evidence.pop(rj, []) + [why]
        return True

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.ms)):
            out[self.find(i)].append(i)
        return out


def _label(m: _M) -> str:
    return f"{m.doc}:{m.key}"


def _context(ms: list[_M], cl: _Clusters, i: int, j: int, cooc: dict[str, set[str]]) -> str | None:
    """Why two members are plausibly about the same person beyond the name."""
    a, b = ms[i], ms[j]
    if a.story == b.story:
        return f"same story {a.story}"
    shared = (cooc[a.doc] & cooc[b.doc]) - {name_key(p.raw) for p in a.full + b.full}
    if shared:
        return f"co-mentioned with {sorted(shared)[0]}"
    if a.dp.place and b.dp.place and a.dp.place.lower() == b.dp.place.lower():
        return f"same place {a.dp.place}"
    return None


def _cluster(ms: list[_M]) -> _Clusters:
    cl = _Clusters(ms)
    cooc: dict[str, set[str]] = defaultdict(set)
    for m in ms:
        cooc[m.doc] |= {name_key(p.raw) for p in m.full}

    # 1. identical keyed full names
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(ms):
        for p in m.full:
            by_key[(p.given, surname_stem(p.surname))].append(i)
    for k in sorted(by_key):
        idx = sorted(set(by_key[k]))
        for j in idx[1:]:
            cl.union(idx[0], j, f"same name key '{k[0]} {k[1]}': {_label(ms[idx[0]])} + {_label(ms[j])}")

    # 2. near spellings, blocked on the first three letters of the surname stem
    block: dict[str, set[int]] = defaultdict(set)
    for i, m in enumerate(ms):
        for p in m.full:
            block[surname_stem(p.surname)[:3]].add(i)
    for b in sorted(block):
        idx = sorted(block[b])
        for x, i in enumerate(idx):
            for j in idx[x + 1:]:
                if cl.find(i) == cl.find(j) or ms[i].doc == ms[j].doc:
                    continue
                rel = _best_full_relation(ms[i].full, ms[j].full)
                if rel is None:
                    continue
                ctx = _context(ms, cl, i, j, cooc)
                if ctx:
                    cl.union(i, j, f"near spelling {rel} ({ctx}): {_label(ms[i])} + {_label(ms[j])}")

    # 3. initials, then bare surnames: attach to the single candidate cluster
    for kind in ("initials", "bare"):
        for i, m in enumerate(ms):
            if m.full or (kind == "initials" and not m.initials) or (kind == "bare" and (m.initials or not m.bare)):
                continue
            _attach(ms, cl, i, m.initials if kind == "initials" else m.bare, kind)
    return cl


def _best_full_relation(xs: list[ParsedName], ys: list[ParsedName]) -> str | None:
    for a in xs:
        for b in ys:
            s, g = _surname_relation(a, b), _given_relation(a, b)
            if s == "other" or g == "conflict":
                continue
            if s == "near" and g == "same":
                return f"'{a.raw}' ~ '{b.raw}' (surname)"
            if s == "same" and g == "near":
                return f"'{a.raw}' ~ '{b.raw}' (given name)"
    return None


def _attach(ms: list[_M], cl: _Clusters, i: int, names: list[ParsedName], kind: str) -> None:
    m = ms[i]
    stems = {surname_stem(p.surname) for p in names}
    exact = {p.surname for p in names}
    roots: dict[int, list[int]] = defaultdict(list)
    for j, o in enumerate(ms):
        if j == i or not o.full:
            continue
        for p in o.full:
            if surname_stem(p.surname) in stems and all(_given_relation(p, q) != "conflict" for q in names):
                roots[cl.find(j)].append(j)
                break
    # narrowest scope first: the same document, the same story, the corpus
    for scope, test in (("document", lambda o: o.doc == m.doc), ("story", lambda o: o.story == m.story),
                        ("corpus", lambda o: True)):
        cands = {r: js for r, js in roots.items() if any(test(ms[j]) for j in js)}
        if scope == "document" and len(cands) > 1:
            # Boris Yeltsin and Naina Yeltsina in one text: the exact form decides
            cands = {r: js for r, js in cands.items()
                     if any(p.surname in exact for j in js for p in ms[j].full)} or cands
        if len(cands) == 1:
            r, js = next(iter(cands.items()))
            j = min(x for x in js if test(ms[x]))
            cl.union(j, i, f"{kind} '{names[0].raw}' -> only candidate in {scope}: {_label(ms[i])} -> {_label(ms[j])}")
            return
        if len(cands) > 1:
            return  # ambiguous: keep apart


def _parse_member(doc: str, dp: DocPerson, story: str) -> _M:
    full, initials, bare = [], [], []
    seen = set()
    for raw in [dp.name, *dp.aliases]:
        if not raw or raw in seen:
            continue
        seen.add(raw)
        p = parse_name(raw)
        if p is None or not p.surname:
            continue
        (full if p.is_full else initials if p.initial else bare).append(p)
    return _M(doc, dp.key, dp, full, initials, bare, story)


def _plain(s: str) -> bool:
    p = parse_name(s)
    return bool(p and p.is_full and not p.patronymic and len(s.split()) == 2 and not _CYR.search(s))


def _display_form(s: str) -> str | None:
    """"Given Surname" in Latin script from an official or Cyrillic form:
    "Васильев Денис Борисович" -> "Denis Vasilyev", "Denis Borisovich Vasiliev" ->
    "Denis Vasiliev". English text names people that way, so it is the display name."""
    p = parse_name(s)
    if not p or not p.is_full:
        return None
    words = [w for w in s.split() if "." not in w]
    if _CYR.search(s):
        words = [latin(w) for w in words]
    if len(words) == 3 and p.patronymic:
        given, surname = (words[0], words[2]) if parse_name(words[0] + " " + words[2]).given == p.given else (words[1], words[0])
        return f"{given} {surname}"
    if len(words) == 2:
        return " ".join(words)
    return None


def _canonical(spellings: Counter[str]) -> tuple[str, set[str]]:
    """Most common plain full spelling (ties: longest, then alphabetical), plus any
    display forms built because only official or Cyrillic forms were seen."""
    extra: set[str] = set()
    if not any(_plain(s) for s in spellings):
        for s in spellings:
            d = _display_form(s)
            if d:
                extra.add(d)
    pool = Counter(spellings)
    for d in extra:
        pool[d] += 0
    # ties: the spelling whose words are most used across all forms (the surname
    # written "Gorinov" in four forms beats the one "Horinov")
    words: Counter[str] = Counter()
    for s, n in spellings.items():
        for w in s.split():
            words[w] += n

    def rank(s: str):
        p = parse_name(s)
        return (-_plain(s), -bool(p and p.is_full), -pool[s], -sum(words[w] for w in s.split()), -len(s), s)

    return min(pool, key=rank), extra


def _persons(ms: list[_M], cl: _Clusters) -> tuple[list[Person], dict[Member, str]]:
    out: list[Person] = []
    person_of: dict[Member, str] = {}
    used: set[str] = set()
    groups = sorted(cl.groups().items(), key=lambda kv: min((ms[i].doc, ms[i].key) for i in kv[1]))
    for root, idx in groups:
        members = sorted((ms[i].doc, ms[i].key) for i in idx)
        spellings: Counter[str] = Counter()
        aliases: set[str] = set()
        roles: list[str] = []
        docs: set[str] = set()
        for i in sorted(idx, key=lambda i: (ms[i].doc, ms[i].key)):
            dp = ms[i].dp
            forms = {f for f in [dp.name, *dp.aliases] if f}
            spellings.update(forms)  # one count per document member
            aliases |= forms
            roles += [r for r in dp.roles if r not in roles]
            docs.add(dp.doc_id)
        name, extra = _canonical(spellings)
        aliases |= extra
        pid = "p-" + _stable_hash(name_key(name) or name)
        if pid in used:  # two unmerged people share a name key: disambiguate stably
            pid = "p-" + _stable_hash(name_key(name) + "|" + "|".join(members[0]))
        used.add(pid)
        out.append(Person(pid, name, tuple(sorted(aliases)), tuple(roles), tuple(sorted(docs)),
                          tuple(members), tuple(cl.evidence.get(root, ()))))
        for mem in members:
            person_of[mem] = pid
    return out, person_of


def resolve_persons(items: Sequence[tuple[DocumentInfo, Analysis]]) -> tuple[list[Person], dict[Member, str]]:
    infos = {info.id: info for info, _ in items}
    ms = []
    for info, an in sorted(items, key=lambda it: it[1].doc_id):
        story = _story(info, an.doc_id, infos)
        for dp in an.persons:
            ms.append(_parse_member(an.doc_id, dp, story))
    return _persons(ms, _cluster(ms))


def resolve(items: Sequence[tuple[DocumentInfo, Analysis]]) -> Resolution:
    """Persons across spellings and documents, then events across sources."""
    persons, person_of = resolve_persons(items)
    events = consolidate_events(items, persons, person_of)
    return Resolution(tuple(persons), tuple(events), person_of)


# -- event consolidation ----------------------------------------------------------

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


_SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mln": 10**6, "m": 10**6,
           "billion": 10**9, "bn": 10**9}
_RE_AMOUNT = re.compile(r"(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?)\s*(" + "|".join(_SCALES) + r")?\b"
                        r"(?:\s*(day|week|month|year)s?\b)?", re.I)


def _norm_value(v: str) -> str:
    """The number a detail states (scale words applied, a time unit kept), else its words."""
    m = _RE_AMOUNT.search(v)
    if m:
        num = m[1]
        if re.fullmatch(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+", num):
            num = re.sub(r"\D", "", num)
        value = float(num.replace(",", ".")) * _SCALES.get((m[2] or "").lower(), 1)
        out = str(round(value)) if value == round(value) else str(value)
        return f"{out} {m[3].lower()}" if m[3] else out
    return " ".join(v.lower().split())


# Detail keys whose values are different events (an administrative arrest, a pre-trial
# detention): never merged.
_EXCLUSIVE = frozenset({"kind"})

# Detail keys whose different values only an explicit shared date (same month) reconciles:
# a prison or arrest term, and the first act vs a repeat.
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


@dataclass
class _E:
    """An event being built: its mentions and what they agree on."""

    mentions: list[EventMention] = field(default_factory=list)
    stories: set[str] = field(default_factory=set)
    bounds: list[str] = field(default_factory=list)

    @property
    def date(self) -> str | None:
        # a date the report's own text gives beats one resolved with borrowed context;
        # among those, the most precise (compatible ones only ever join, see _fit)
        own = [d for m in self.mentions if (d := _stated(m)) and not _borrowed(m)]
        dates = own or [d for m in self.mentions if (d := _stated(m))]
        return max(dates, key=len) if dates else None

    @property
    def estimate(self) -> str | None:
        """Date to show when no source states one: the earliest report date, at month
        precision at most (it says when the event was known, not when it happened)."""
        return self.date or (min(self.bounds)[:7] if self.bounds else None)

    def docs(self) -> set[str]:
        return {m.doc_id for m in self.mentions}

    def details(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for m in self.mentions:
            for k, v in m.details:
                if k not in _META_DETAILS:
                    out[k].add(_norm_value(v))
        return out


def _fit(ev: _E, m: EventMention, story: str, published: str | None) -> int | None:
    """Score for adding mention ``m`` to ``ev``, or None when it cannot belong."""
    date, mdate = ev.date, _stated(m)
    borrowed_clash = False
    if not _dates_compatible(date, mdate):
        # a borrowed-context date may be off by its guessed year: in the same story it
        # still joins, and the disagreement is listed as a conflict
        own_dates = any(_stated(x) and not _borrowed(x) for x in ev.mentions)
        if story not in ev.stories or (own_dates and not _borrowed(m)) or m.doc_id in ev.docs():
            return None
        borrowed_clash = True
    bound = _bound(m, published)
    if not _not_after(date, bound) or any(not _not_after(mdate, b) for b in ev.bounds):
        return None
    if m.doc_id in ev.docs():
        # one document reporting the same type twice is usually two events (Gorinov's
        # 7-year and later 3-year sentence); merge only repeats that say so
        same = [x for x in ev.mentions if x.doc_id == m.doc_id]
        if not any((_stated(x) and _stated(x) == mdate) or x.span == m.span or x.evidence == m.evidence
                   for x in same):
            return None
    agree = conflict = 0
    strong = False
    have = ev.details()
    for k, v in m.details:
        if k in have and k not in _META_DETAILS:
            if _norm_value(v) in have[k]:
                if k != "order":
                    agree += 1
            elif k in _EXCLUSIVE:
                return None
            else:
                conflict += 1
                strong = strong or k in _STRONG
    exact_date = bool(date and mdate and date[:7] == mdate[:7] and len(mdate) >= 7)
    if conflict and not (exact_date or story in ev.stories):
        return None  # different amounts and nothing else tying them: two events
    if strong and not exact_date:
        return None  # another term, or the first act and a repeat
    marked = any(("order", "repeat") in x.details for x in ev.mentions)
    if ("order", "repeat") in m.details and not marked and not (exact_date or agree):
        return None  # a repeat joins an unmarked event only on its date or a measure
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


def consolidate_events(items: Sequence[tuple[DocumentInfo, Analysis]], persons: Sequence[Person],
                       person_of: Mapping[Member, str]) -> list[Event]:
    infos = {info.id: info for info, _ in items}
    reports = {info.id: _report_date(info, an) for info, an in items}
    names = {p.id: p.name for p in persons}
    groups: dict[tuple[str, str], list[EventMention]] = defaultdict(list)
    for _info, an in items:
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
            ev.mentions.append(m)
            ev.stories.add(story)
            if (b := _bound(m, published)) is not None:
                ev.bounds.append(b)
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

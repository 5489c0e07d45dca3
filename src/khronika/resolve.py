"""Corpus-level resolution: one Person per real person, one Event per real event.

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

Events are then consolidated across sources by ``khronika.consolidate``.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .consolidate import Member, _stable_hash, _story, consolidate_events
from .models import Analysis, DocPerson, DocumentInfo, Event, Person
from .names import ParsedName, is_known_given, latin, name_key, parse_name, surname_stem

_CYR = re.compile(r"[\u0400-\u04ff]")

FUZZY_SURNAME = 85  # rapidfuzz ratio: Kiseleva/Kisleva 92, Yuferev/Yuferevon 88, Baltrukov/Baltrusov 89 (needs context)
FUZZY_GIVEN = 85


@dataclass(frozen=True)
class Resolution:
    persons: tuple[Person, ...]
    events: tuple[Event, ...]
    person_of: Mapping[Member, str] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class _M:
    """One DocPerson reduced to what resolution reads: its parsed names, context, and
    the forms and roles its person is built from. There is one per person mention of
    the corpus (252,857 at 100k documents), so it is slotted and holds no DocPerson:
    its tuples are shared among members naming a person alike (see ``_Interned``),
    and the empty tuple among all members without initials or bare forms."""

    doc: str
    key: str
    full: tuple[ParsedName, ...]
    initials: tuple[ParsedName, ...]
    bare: tuple[ParsedName, ...]
    story: str
    place: str | None
    forms: tuple[str, ...]  # every surface form (name and aliases), distinct
    roles: tuple[str, ...]


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


def _names_conflict(xs: Sequence[ParsedName], ys: Sequence[ParsedName]) -> bool:
    for a in xs:
        for b in ys:
            if _pair_conflict(_sig(a), _sig(b)):
                return True
    return False


Sig = tuple[str, str | None, str | None, str | None, str | None]


def _sig(p: ParsedName) -> Sig:
    """The parts of a parsed name that comparisons read (everything but ``raw``)."""
    return (p.surname, p.given, p.initial, p.patronymic, p.given_letter)


_PARSED_OF: dict[Sig, ParsedName] = {}
_CONFLICT_CACHE: dict[tuple[Sig, Sig], bool] = {}


def _pair_conflict(x: Sig, y: Sig) -> bool:
    """Whether two names contradict (one pair of ``_names_conflict``), cached: a corpus
    has few distinct names however often each is mentioned."""
    got = _CONFLICT_CACHE.get((x, y))
    if got is None:
        a, b = _PARSED_OF[x], _PARSED_OF[y]
        got = _surname_relation(a, b) != "other" and (
            _given_relation(a, b) == "conflict" or bool(a.patronymic and b.patronymic and a.patronymic != b.patronymic))
        if len(_CONFLICT_CACHE) > 1_000_000:  # bound memory on endless streams
            _CONFLICT_CACHE.clear()
        _CONFLICT_CACHE[(x, y)] = got
    return got


def _sigs(ps: Sequence[ParsedName]) -> set[Sig]:
    out = set()
    for p in ps:
        k = _sig(p)
        _PARSED_OF.setdefault(k, p)
        out.add(k)
    return out


def _sigs_conflict(xs: Collection[Sig], ys: Collection[Sig]) -> bool:
    return any(_pair_conflict(a, b) for a in xs for b in ys)


# -- person clustering ------------------------------------------------------------

class _Clusters:
    """Union-find over members that refuses merges between contradicting names."""

    def __init__(self, ms: list[_M]):
        self.ms = ms
        self.parent = list(range(len(ms)))
        # distinct name signatures per root (None once merged into another): a conflict
        # depends on neither the raw form nor how often a name occurs, so a cluster of
        # 5,000 "Vladimir Putin" is one entry. The sets are frozen and shared: members
        # named alike (most of a corpus's) hold one set, and merging two clusters of the
        # same names makes none; a set per member was a third of resolution's peak.
        pool: dict[frozenset[Sig], frozenset[Sig]] = {}
        self.names: list[frozenset[Sig] | None] = []
        for m in ms:
            got = frozenset(_sigs(m.full + m.initials))
            self.names.append(pool.setdefault(got, got))
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
        if _sigs_conflict(self.names[ri], self.names[rj]):  # type: ignore[arg-type]
            return False
        ri, rj = min(ri, rj), max(ri, rj)  # deterministic root
        self.parent[rj] = ri
        a, b = self.names[ri], self.names[rj]
        self.names[rj] = None
        self.names[ri] = a if b <= a else b if a <= b else a | b  # type: ignore[operator]
        ev = self.evidence.pop(rj, [])
        self.evidence[ri] += ev
        self.evidence[ri].append(why)
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
    if a.place and b.place and a.place.lower() == b.place.lower():
        return f"same place {a.place}"
    return None


def _cluster(ms: list[_M]) -> _Clusters:
    cl = _Clusters(ms)
    # each pass in its own function: what one pass indexes is freed before the next
    _same_name_key(ms, cl)
    _near_spellings(ms, cl)
    _attach_short_names(ms, cl)
    cl.names = []  # they only guard merges, and merging is over: freed before people are built
    return cl


def _same_name_key(ms: list[_M], cl: _Clusters) -> None:
    """Pass 1: identical keyed full names."""
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(ms):
        for p in m.full:
            by_key[(p.given, surname_stem(p.surname))].append(i)
    for k in sorted(by_key):
        idx = sorted(set(by_key[k]))
        for j in idx[1:]:
            cl.union(idx[0], j, f"same name key '{k[0]} {k[1]}': {_label(ms[idx[0]])} + {_label(ms[j])}")


def _near_spellings(ms: list[_M], cl: _Clusters) -> None:
    """Pass 2: near spellings, blocked on the first three letters of the surname stem."""
    # Members are grouped by their exact full-name forms: only pairs of forms with a
    # near relation can merge. A near relation needs the same given name (near surname)
    # or the same surname stem (near given name), so a form is compared only with forms
    # sharing one of those, never with every form of its block. Candidate pairs are
    # enumerated one member at a time, in the (i, j) order the all-pairs loop would
    # visit them (its merges and evidence follow), so memory is one member's partners,
    # not the block's pairs (quadratic in a name's mentions: 4.5M at 100k documents).
    cooc: dict[str, set[str]] = defaultdict(set)
    for m in ms:
        cooc[m.doc] |= {sys.intern(name_key(p.raw)) for p in m.full}  # one copy of each key
    block: dict[str, set[int]] = defaultdict(set)
    for i, m in enumerate(ms):
        for p in m.full:
            block[surname_stem(p.surname)[:3]].add(i)
    for b in sorted(block):
        members = sorted(block[b])
        forms: dict[tuple[ParsedName, ...], list[int]] = defaultdict(list)
        for i in members:
            forms[tuple(ms[i].full)].append(i)
        parts = {f: list(dict.fromkeys(k for p in f for k in (("g", p.given or ""), ("s", surname_stem(p.surname)))))
                 for f in forms}  # the given names and surname stems a form has
        by_part: dict[tuple[str, str], list[tuple[ParsedName, ...]]] = defaultdict(list)
        for f, ks in parts.items():
            for k in ks:
                by_part[k].append(f)
        related: dict[tuple[ParsedName, ...], list[tuple[tuple[ParsedName, ...], str]]] = {}
        for fa in forms:
            cands = dict.fromkeys(fb for k in parts[fa] for fb in by_part[k])
            related[fa] = [(fb, rel) for fb in cands if (rel := _best_full_relation(list(fa), list(fb))) is not None]
        for i in members:
            partners: list[tuple[int, str]] = []
            for fb, rel in related[tuple(ms[i].full)]:
                ib = forms[fb]
                partners.extend((j, rel) for j in ib[bisect_right(ib, i):])
            partners.sort()
            for j, rel in partners:
                if cl.find(i) == cl.find(j) or ms[i].doc == ms[j].doc:
                    continue
                ctx = _context(ms, cl, i, j, cooc)
                if ctx:
                    cl.union(i, j, f"near spelling {rel} ({ctx}): {_label(ms[i])} + {_label(ms[j])}")


def _attach_short_names(ms: list[_M], cl: _Clusters) -> None:
    """Pass 3: initials, then bare surnames: attach to the single candidate cluster."""
    att = _Attacher(ms, cl)
    for kind in ("initials", "bare"):
        for i, m in enumerate(ms):
            if m.full or (kind == "initials" and not m.initials) or (kind == "bare" and (m.initials or not m.bare)):
                continue
            att.attach(i, m.initials if kind == "initials" else m.bare, kind)


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


class _Attacher:
    """Attach members known only by initials or a bare surname (pass 3).

    Candidates are the full-name members with the same surname stem whose names do not
    contradict; per cluster we need only whether one sits in the member's document or
    story (and the first such). Full-name clusters do not change during this pass
    (attaching adds a member without full names), so each full-name member's cluster is
    taken once as the pass starts. A member's document and story hold a few full-name
    members each (indexed once); the corpus-wide answer (one cluster or several) and the
    clusters with an exact surname are computed once per set of names, and whether a
    form fits a set of names once per pair: nothing per set of names grows with the
    candidates' documents, which at 100k documents was most of resolution's memory.
    """

    def __init__(self, ms: list[_M], cl: _Clusters):
        self.ms, self.cl = ms, cl
        self.by_stem: dict[str, list[int]] = defaultdict(list)
        self.in_doc: dict[str, list[int]] = defaultdict(list)  # full-name members, ascending
        self.in_story: dict[str, list[int]] = defaultdict(list)
        for j, o in enumerate(ms):
            for st in dict.fromkeys(surname_stem(p.surname) for p in o.full):
                self.by_stem[st].append(j)
            if o.full:
                self.in_doc[o.doc].append(j)
                self.in_story[o.story].append(j)
        self.cluster = [-1] * len(ms)
        for js in self.by_stem.values():
            for j in js:
                self.cluster[j] = cl.find(j)
        self.fits: dict[tuple[tuple[Sig, ...], tuple[ParsedName, ...]], bool] = {}
        self.corpus: dict[tuple[Sig, ...], dict[int, int]] = {}
        self.exact: dict[tuple[Sig, ...], set[int]] = {}

    def _fits(self, key: tuple[Sig, ...], names: Sequence[ParsedName], stems: set[str], full: tuple[ParsedName, ...]) -> bool:
        got = self.fits.get((key, full))
        if got is None:
            got = self.fits[(key, full)] = any(
                surname_stem(p.surname) in stems and all(_given_relation(p, q) != "conflict" for q in names)
                for p in full)
        return got

    def _in(self, js: Iterable[int], key: tuple[Sig, ...], names: Sequence[ParsedName], stems: set[str]) -> dict[int, int]:
        """cluster -> lowest fitting candidate among ``js`` (ascending)."""
        out: dict[int, int] = {}
        ms, cluster = self.ms, self.cluster
        for j in js:
            if self._fits(key, names, stems, ms[j].full):
                out.setdefault(cluster[j], j)
        return out

    def _candidates(self, key: tuple[Sig, ...], names: Sequence[ParsedName], stems: set[str]) -> list[int]:
        js: set[int] = set()
        for st in stems:
            js.update(self.by_stem.get(st, ()))
        ms = self.ms
        return [j for j in sorted(js) if self._fits(key, names, stems, ms[j].full)]

    def _corpus(self, key: tuple[Sig, ...], names: Sequence[ParsedName], stems: set[str]) -> dict[int, int]:
        """cluster -> lowest candidate in the whole corpus, cut at two clusters (two
        already mean ambiguous): kept per set of names, small whatever the corpus."""
        got = self.corpus.get(key)
        if got is None:
            got = self.corpus[key] = {}
            for j in self._candidates(key, names, stems):
                got.setdefault(self.cluster[j], j)
                if len(got) > 1:
                    break
        return got

    def _exact_hit(self, key: tuple[Sig, ...], names: Sequence[ParsedName], stems: set[str]) -> set[int]:
        """Clusters with a candidate (anywhere) spelling the surname exactly as ``names``."""
        got = self.exact.get(key)
        if got is None:
            exact = {p.surname for p in names}
            got = self.exact[key] = {self.cluster[j] for j in self._candidates(key, names, stems)
                                     if any(p.surname in exact for p in self.ms[j].full)}
        return got

    def attach(self, i: int, names: Sequence[ParsedName], kind: str) -> None:
        m = self.ms[i]
        key = tuple(_sig(p) for p in names)
        stems = {surname_stem(p.surname) for p in names}
        # narrowest scope first: the same document, the same story, the corpus
        for scope in ("document", "story", "corpus"):
            if scope == "document":
                cands = self._in(self.in_doc.get(m.doc, ()), key, names, stems)
            elif scope == "story":
                cands = self._in(self.in_story.get(m.story, ()), key, names, stems)
            else:
                cands = self._corpus(key, names, stems)
            if scope == "document" and len(cands) > 1:
                # Boris Yeltsin and Naina Yeltsina in one text: the exact form decides
                hit = self._exact_hit(key, names, stems)
                cands = {c: j for c, j in cands.items() if c in hit} or cands
            if len(cands) == 1:
                j = next(iter(cands.values()))
                self.cl.union(j, i, f"{kind} '{names[0].raw}' -> only candidate in {scope}: "
                                    f"{_label(m)} -> {_label(self.ms[j])}")
                return
            if len(cands) > 1:
                return  # ambiguous: keep apart


class _Interned(dict):
    """One copy of each equal tuple: a corpus names the same person the same way in
    thousands of documents, and each member would otherwise hold its own tuples."""

    def __call__(self, t: tuple) -> tuple:
        return self.setdefault(t, t)


def _parse_member(doc: str, dp: DocPerson, share: _Interned) -> _M:
    """The member for ``dp``; its story is set once every document's info is known."""
    full, initials, bare = [], [], []
    forms = tuple(dict.fromkeys(f for f in [dp.name, *dp.aliases] if f))
    for raw in forms:
        p = parse_name(raw)
        if p is None or not p.surname:
            continue
        (full if p.is_full else initials if p.initial else bare).append(p)
    return _M(doc, dp.key, share(tuple(full)), share(tuple(initials)), share(tuple(bare)), "",
              dp.place, share(forms), share(dp.roles))


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


def _persons(ms: list[_M], cl: _Clusters, person_of: dict[Member, str]) -> Iterator[Person]:
    """The people, one at a time in order of their first member, each recorded in
    ``person_of`` as it is made. A person's members and merge evidence are let go once
    it is made, so a caller that writes persons as they come (the pipeline) never holds
    the corpus's members and its people at once."""
    used: set[str] = set()
    groups = sorted(cl.groups().items(), key=lambda kv: min((ms[i].doc, ms[i].key) for i in kv[1]))
    cl.parent.clear()
    for root, idx in groups:
        idx.sort(key=lambda i: (ms[i].doc, ms[i].key))
        members = tuple((ms[i].doc, ms[i].key) for i in idx)
        spellings: Counter[str] = Counter()
        aliases: set[str] = set()
        roles: list[str] = []
        docs: set[str] = set()
        for i in idx:
            m = ms[i]
            ms[i] = None  # type: ignore[call-overload]  # each member is one person's: done with
            spellings.update(m.forms)  # one count per document member
            aliases.update(m.forms)
            roles += [r for r in m.roles if r not in roles]
            docs.add(m.doc)
        del m  # (a group is never empty)
        name, extra = _canonical(spellings)
        aliases |= extra
        pid = "p-" + _stable_hash(name_key(name) or name)
        if pid in used:  # two unmerged people share a name key: disambiguate stably
            pid = "p-" + _stable_hash(name_key(name) + "|" + "|".join(members[0]))
        used.add(pid)
        for mem in members:
            person_of[mem] = pid
        yield Person(pid, name, tuple(sorted(aliases)), tuple(roles), tuple(sorted(docs)),
                     members, tuple(cl.evidence.pop(root, ())))


def _set_stories(ms: list[_M], infos: Mapping[str, DocumentInfo], info_of: Mapping[str, DocumentInfo]) -> None:
    doc, story = None, ""
    for m in ms:  # in document order
        if m.doc != doc:
            doc = m.doc
            story = _story(info_of.get(doc) or infos.get(doc), doc, infos)
        m.story = story


def iter_persons(items: Iterable[tuple[DocumentInfo, Analysis]], person_of: dict[Member, str]) -> Iterator[Person]:
    """People across the corpus, one at a time (see ``_persons``), each member's person
    recorded in ``person_of``. ``items`` is read once, in any order, when the first
    person is asked for, and only a member (``_M``) for each person of an analysis is kept."""
    infos: dict[str, DocumentInfo] = {}
    info_of: dict[str, DocumentInfo] = {}  # only analyses paired with another document's info
    ms: list[_M] = []
    share = _Interned()
    # members are made as the analyses stream by (their DocPersons are never all held);
    # the story needs every document's info (a duplicate takes its original's), so it
    # is filled in once all are read
    for info, an in items:
        infos[info.id] = info
        if info.id != an.doc_id:
            info_of[an.doc_id] = info
        for dp in an.persons:
            ms.append(_parse_member(an.doc_id, dp, share))
    del share
    ms.sort(key=lambda m: m.doc)  # members in document order, whatever order items came in (stable)
    _set_stories(ms, infos, info_of)
    yield from _persons(ms, _cluster(ms), person_of)


def resolve_stream(items: Iterable[tuple[DocumentInfo, Analysis]]) -> tuple[Iterator[Person], Callable[[], list[Event]]]:
    """Resolution for a writer that stores persons as they come: the people (an
    iterator), and a function giving the events, meant to be called once the people are
    all consumed (events need every person: people not yet taken are made, and dropped,
    first). Neither the corpus's people nor its members are held while events are
    consolidated; ``items`` is iterated twice, as by ``resolve``.
    """
    person_of: dict[Member, str] = {}
    names: dict[str, str] = {}

    def persons() -> Iterator[Person]:
        for p in iter_persons(items, person_of):
            names[p.id] = p.name
            yield p

    def events() -> list[Event]:
        for _ in people:  # any people not yet taken are made first (events need them all)
            pass
        return consolidate_events(items, names, person_of)

    people = persons()
    return people, events


def resolve(items: Iterable[tuple[DocumentInfo, Analysis]]) -> Resolution:
    """Persons across spellings and documents, then events across sources.

    ``items`` is iterated twice (people, then events) and need not be held whole: a
    list, or a view that reads the analyses from the store on each iteration (what the
    pipeline passes, so a corpus's analyses are never all in memory at once).
    """
    person_of: dict[Member, str] = {}
    persons = tuple(iter_persons(items, person_of))
    events = consolidate_events(items, {p.id: p.name for p in persons}, person_of)
    return Resolution(persons, tuple(events), person_of)

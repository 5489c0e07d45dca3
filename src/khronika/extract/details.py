"""What a report says about the measure itself, read from the trigger and its sentence.

Details that tell one event of a type from another of the same person: the measure's
kind (an administrative arrest is not a pre-trial detention), its term ("15 days", "7
years"), how many acts a sentence sums up ("fined three times"), and whether the report
is about another act of its kind ("an additional sentence", "detained again").
Consolidation compares them (``khronika.consolidate``); cue lists are in
``data/triggers.yaml`` (measure_kinds, term_types, prison_term_types, count_types,
act_order, repeat_adverbs).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Token

from . import dates as D
from .resources import load_data, word_set

_TERM_NUM = r"\d{1,3}|" + "|".join(w for w, n in D._NUMS.items() if n > 1)
# a term the subject is held for: "a 15-day jail sentence", "detained for 14 days", "14 days
# of administrative arrest", "15 days in detention" (not "1.5 days in the colony", a rate)
_RE_TERM = re.compile(
    rf"(?<![\d.,])\b(?:(?P<a>{_TERM_NUM})-(?P<ua>day|month)\b|for (?P<b>{_TERM_NUM}) (?P<ub>day|month)s?\b"
    rf"|(?P<c>{_TERM_NUM}) (?P<uc>day|month)s? (?:of|in)\b)", re.I)
# several acts summed up: "fined three times", "detained twice" (not "three times larger")
_RE_COUNT = re.compile(rf"\b(?:(twice)|(?P<n>{_TERM_NUM}) times)\b(?!\s+(?:more|less|larger|higher|lower|bigger|smaller|as|over)\b)",
                       re.I)


# a prison term: "seven-year", "8.5 years", "six and a half years", "7 years and 6 months"
# (not a maximum: "up to 10 years")
_RE_PRISON = re.compile(
    rf"(?<![\d.,])(?<!up to )\b(?P<n>{_TERM_NUM}|one|\d{{1,2}}\.\d)(?P<half>[ -]and[ -]a[ -]half)?[ -](?P<u>year|month)s?\b"
    rf"(?:,? and (?P<m>{_TERM_NUM}|one) months?\b)?", re.I)
# what is not the trigger's own phrase: clauses hanging from it ("..., extending his current
# seven-year term", "who was sentenced to nine years")
_CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "appos", "punct"}


def trigger_phrase(tok: Token) -> str:
    """The trigger's own words and arguments, without the clauses that hang from it
    (coordinated clauses included; a coordinated number stays: "eight and a half years")."""
    keep, stack = [], [tok]
    while stack:
        t = stack.pop()
        keep.append(t)
        stack += [c for c in t.children if c.dep_ not in _CLAUSE_DEPS
                  and not (c.dep_ in {"conj", "cc"} and (t.pos_ in {"VERB", "AUX"} or c.pos_ in {"VERB", "AUX"}))]
    return " ".join(t.text for t in sorted(keep, key=lambda t: t.i))


def _num(n: str) -> float:
    return float(n) if n[0].isdigit() else {"one": 1}.get(n.lower()) or D._NUMS[n.lower()]


def prison_term(text: str) -> str | None:
    """The one prison term a phrase states ("7 years", "8.5 years", "18 months"), else None."""
    terms = set()
    for m in _RE_PRISON.finditer(text):
        v = _num(m["n"]) + 0.5 * bool(m["half"])
        if m["u"].lower() == "month":
            v /= 12
        if m["m"]:
            v += _num(m["m"]) / 12
        months = round(v * 12)
        terms.add(f"{v:g} years" if abs(v * 2 - round(v * 2)) < 1e-9 else f"{months} months")
    return terms.pop() if len(terms) == 1 else None


def act_order(tok: Token) -> str | None:
    """"repeat" when the trigger says it is another act of its kind ("an additional
    sentence", "opened a new case", "detained again"), "first" when it names the first one
    ("his initial sentence"), from words on the trigger, its direct object or its "to"
    phrase (data: triggers.yaml act_order, repeat_adverbs). Both, or neither: None."""
    order = {k: frozenset(str(w).lower() for w in ws) for k, ws in (load_data("triggers").get("act_order") or {}).items()}
    holders = [tok] + [c for c in tok.children if c.dep_ == "dobj"]
    holders += [g for p in tok.children if p.dep_ == "prep" and p.lower_ == "to" for g in p.children if g.dep_ == "pobj"]
    # "for a second time", "for the third time"
    holders += [g for p in tok.children if p.dep_ == "prep" and p.lower_ == "for"
                for g in p.children if g.dep_ == "pobj" and g.lemma_.lower() == "time"]
    # modifiers of nouns only: on a verb, "first" and "earlier" say when ("was first
    # poisoned and then imprisoned"), not which act of its kind
    words = {c.lower_ for h in holders if h.pos_ in {"NOUN", "PROPN"}
             for c in h.children if c.dep_ in {"amod", "det", "nummod", "compound"}}
    found = {k for k, ws in order.items() if words & ws}
    if tok.pos_ in {"VERB", "AUX"} and any(c.dep_ == "advmod" and c.lower_ in word_set("triggers", "repeat_adverbs")
                                           for c in tok.children):
        found.add("repeat")
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=1)
def _measure_kinds() -> dict[str, dict[str, tuple[str, ...]]]:
    data = load_data("triggers").get("measure_kinds") or {}
    return {t: {k: tuple(str(c).lower() for c in cues) for k, cues in kinds.items()} for t, kinds in data.items()}


def measure_details(etype: str, text: str) -> tuple[tuple[str, str], ...]:
    """What the sentence says about the measure itself: its kind (``measure_kinds``), its
    term ("15 days") and how many acts it sums up ("three times"), each only when the
    sentence names exactly one."""
    out: tuple[tuple[str, str], ...] = ()
    low = text.lower()
    kinds = {k for k, cues in _measure_kinds().get(etype, {}).items() if any(c in low for c in cues)}
    if len(kinds) == 1:
        out += (("kind", kinds.pop()),)
    if etype in word_set("triggers", "term_types"):
        terms = set()
        for m in _RE_TERM.finditer(text):
            n, unit = next((m[g], m["u" + g]) for g in "abc" if m[g])
            num = int(n) if n.isdigit() else D._NUMS[n.lower()]
            terms.add(f"{num} {unit.lower()}{'s' if num != 1 else ''}")
        if len(terms) == 1:
            out += (("term", terms.pop()),)
    if etype in word_set("triggers", "count_types"):
        counts = {2 if m[1] else int(m["n"]) if m["n"].isdigit() else D._NUMS[m["n"].lower()]
                  for m in _RE_COUNT.finditer(text)}
        if len(counts) == 1:
            out += (("count", f"{counts.pop()} times"),)
    return out

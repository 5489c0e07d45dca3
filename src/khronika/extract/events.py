"""Typed events from trigger lexicons (data/triggers.yaml) and dependency structure.

For each trigger token: check the rule (children, object, nearby words, foreign place),
drop it when negated, modal, or governed by a verb of possibility/request/threat
("faces up to", "risked prison sentences", "called for him to be charged") -- the rules
and these per-token checks live in ``triggers.py`` -- then find whom it is about from
the ontology role:

* ``target`` types (something is done to the subject): passive subject ("X was fined"),
  else object ("the party expelled X"), "against X", a nominal's possessor ("his
  arrest"); the doer (active subject or "by" phrase) becomes the agent;
* ``actor`` types (the subject acts): active subject, else the "by" phrase.

A clause without its own subject ("after being expelled", "and then imprisoned")
inherits the subject of the clause it hangs from. Noun phrases resolve to persons
through `PersonTable.persons_in` (names, coordination, apposition, pronouns,
"the politician"). Events whose subject is not a named person are dropped unless the
settings allow group subjects.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from ..models import EventMention, Provenance
from . import dates as D
from .details import act_order, measure_details, prison_term, trigger_phrase
from .docview import DocView
from .persons import PersonTable
from .resources import load_data, load_ontology, word_set
from .triggers import (
    Rule,
    _hypothetical,
    _matches,
    _passive,
    _reduced_participle,
    _settings,
    _small_clause,
    pos_ok,
    response_head,
    rules_for,
)

INHERIT_DEPS = {"conj", "advcl", "xcomp", "pcomp", "prep", "ccomp", "acl"}


_NUMBERS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"])}


def _number(tok: Token) -> int | None:
    low = tok.lower_
    if low.isdigit():
        return int(low)
    return _NUMBERS.get(low)


def _np_text(tok: Token, view: DocView) -> str:
    start, end = tok.left_edge.i, tok.right_edge.i + 1
    for e in view.ents_in(start, end):
        if e.root.i == tok.i or tok.i in range(e.start, e.end):
            return e.text
    words = [j for j in range(start, end) if view.dep[j] not in {"relcl", "punct"}]
    return " ".join(view.text[j] for j in words[:8])


class EventFinder:
    def __init__(self, doc: Doc, table: PersonTable, doc_id: str, doc_date: str | None, version: str):
        self.doc, self.t, self.doc_id, self.doc_date = doc, table, doc_id, doc_date
        self.v = table.view
        self.ontology = load_ontology()
        self.ru = frozenset(p.lower() for p in load_data("gazetteer").get("places_ru") or [])
        self.hedges = tuple(h.lower() for h in load_data("triggers").get("hedges") or [])
        self.prov = Provenance("extract", version)
        self._realised_cache: dict[str, bool] = {}
        self._cands = self._candidates()

    def _candidates(self) -> dict[int, list[Rule]]:
        """Token index -> the rules its lemma keys name and its part of speech fits, for
        the tokens that have any (one pass over the columns: most tokens trigger nothing)."""
        v, out = self.v, {}
        for i, (lemma, low) in enumerate(zip(v.lemma, v.lower, strict=True)):
            rules = rules_for(lemma, low)
            if rules and (cands := [r for r in rules if pos_ok(v.pos[i], v.tag[i], r.pos)]):
                out[i] = cands
        return out

    # -- subjects ------------------------------------------------------------------
    def _slot(self, tok: Token, deps: set[str]) -> list[Token]:
        return [c for c in tok.children if c.dep_ in deps]

    def _agent_tokens(self, tok: Token) -> list[Token]:
        # the small model often attaches a passive "by" phrase as a plain preposition
        return [g for a in tok.children if a.dep_ == "agent" or (a.dep_ == "prep" and a.lower_ == "by")
                for g in a.children if g.dep_ == "pobj"]

    def _own_subject(self, tok: Token) -> list[Token]:
        subj = self._slot(tok, {"nsubj", "nsubjpass"})
        if not subj and _small_clause(tok.i, self.v):
            subj = self._slot(tok.head, {"dobj"})  # "ordered X detained": X is the clause's subject
        if not subj and (named := _reduced_participle(tok.i, self.v)) is not None:
            subj = [self.doc[named]]
        if not subj and tok.dep_ in {"acl", "relcl"} and tok.tag_ == "VBN":
            subj = [tok.head]  # "colleague Gennady Shulga, who was also escorted out" / "X, detained on ..."
            if tok.head.dep_ == "attr" and not self.t.persons_in(tok.head):
                # "X is the first elected member ... to be sentenced": the copula's subject
                subj = self._slot(tok.head.head, {"nsubj"}) or subj
        if not subj:
            subj = self._left_names(tok)
        if not subj:
            subj = self._displaced_subject(tok)
        return subj

    def _displaced_subject(self, tok: Token) -> list[Token]:
        """"Together with X, his colleague Y, who left Russia, is involved in the case": the
        parser makes the subject an apposition of X inside the fronted inclusive phrase
        (X is then added by ``_included``)."""
        phrases = {p.lower() for p in load_data("triggers").get("inclusive_phrases") or []}
        for p in tok.children:
            if p.dep_ != "prep" or p.i > tok.i:
                continue
            for g in (c for c in p.children if c.dep_ == "pobj"):
                intro = self.doc[p.left_edge.i: g.left_edge.i].text.lower()
                if intro not in phrases:
                    continue
                return [a for a in g.children if a.dep_ == "appos" and g.i < a.i < tok.i]
        return []

    def _left_names(self, tok: Token) -> list[Token]:
        """Misparsed clause subjects: the names right before the verb's auxiliary
        ("..., while deputies A, B, and C were fined") are its subject."""
        aux = [c for c in tok.children if c.dep_ in {"aux", "auxpass"} and c.i < tok.i]
        if not aux:
            return []
        out = []
        i = min(a.i for a in aux) - 1
        while i >= tok.sent.start:
            x = self.doc[i]
            if x.i in self.t.token_key:
                out.append(x)
            elif not (x.is_punct or x.pos_ in {"CCONJ", "DET", "ADJ", "PROPN"} or x.tag_ in {"NN", "NNS"}):
                break
            i -= 1
        return [x for x in out if x.i in self.t.root_key]

    def _inherited_subject(self, tok: Token) -> tuple[list[Token], Token | None]:
        cur = tok
        for _ in range(4):
            if cur.dep_ not in INHERIT_DEPS or cur.head.i == cur.i:
                return [], None
            cur = cur.head
            subj = self._own_subject(cur)
            if subj:
                return subj, cur
        return [], None

    def _subjects(self, tok: Token, role: str) -> tuple[list[str], str | None, bool]:
        """(person keys, agent text, found_syntactically)."""
        t = self.t
        if role == "actor" and (resp := response_head(tok)) is not None:
            # "sentenced X for denouncing the war": the act is the response's subject's
            keys, _, found = self._subjects(resp, "target")
            return keys, None, found
        if tok.pos_ in {"NOUN", "PROPN"}:
            return self._nominal_subjects(tok)
        passive = _passive(tok.i, self.v)
        agents = self._agent_tokens(tok)
        subj = self._own_subject(tok)
        inherited_from = None
        if not subj and not (role == "target" and self._slot(tok, {"dobj"})):
            subj, inherited_from = self._inherited_subject(tok)
            if inherited_from is not None and not passive:
                # "after being expelled" inherits the subject as the patient
                passive = any(c.dep_ == "auxpass" for c in tok.children) or tok.tag_ == "VBN" and tok.dep_ in {"conj"} and _passive(inherited_from.i, self.v)
        if role == "actor":
            src = agents if passive and agents else ([] if passive and tok.dep_ == "acl" else subj)
            keys = [k for s in src for k in t.persons_in(s)]
            return keys, None, bool(src)
        # target role
        if passive:
            keys = [k for s in subj for k in t.persons_in(s)]
            if not keys:  # "the criminal case against X was initiated"
                keys = [k for s in subj for p in s.children if p.dep_ == "prep" and p.lower_ in {"against", "on"}
                        for g in p.children if g.dep_ == "pobj" for k in t.persons_in(g)]
            keys += self._included(tok)
            agent = _np_text(agents[0], self.v) if agents else None
            return keys, agent, bool(subj)
        objs = self._slot(tok, {"dobj", "dative"})
        keys = [k for o in objs for k in t.persons_in(o)]
        if not keys:
            # "opened a case against X", "imposed a fine on X", "apartment of X"
            for holder in [tok] + objs:
                for p in holder.children:
                    if p.dep_ == "prep" and p.lower_ in {"against", "on", "upon", "to"}:
                        keys += [k for g in p.children if g.dep_ == "pobj" for k in t.persons_in(g)]
            for o in objs:
                keys += [k for c in o.children if c.dep_ == "poss" for k in t.persons_in(c)]
        if not subj:  # "responded ... by calling him a traitor": the doer is the governing subject
            subj, _ = self._inherited_subject(tok)
        agent = _np_text(subj[0], self.v) if subj else None
        if keys:
            keys += self._included(tok)
        agent_keys = {k for s in subj for k in t.persons_in(s)}
        keys = [k for k in keys if k not in agent_keys]
        return keys, agent, bool(objs)

    def _nominal_subjects(self, tok: Token) -> tuple[list[str], str | None, bool]:
        t = self.t
        keys = [k for c in tok.children if c.dep_ == "poss" for k in t.persons_in(c)]
        if not keys:
            for p in tok.children:
                if p.dep_ == "prep" and p.lower_ in {"of", "on", "against", "for", "to"}:
                    keys += [k for g in p.children if g.dep_ == "pobj" for k in t.persons_in(g)]
        head = tok.head
        if not keys:
            keys = self._shower(tok)  # "held up an anti-war sign": the one who shows it
        if not keys and tok.dep_ == "pobj" and head.lower_ == "of" and head.head.dep_ == "attr" \
                and head.head.lemma_.lower() in {"subject", "target", "object", "victim", "focus"}:
            # "X was the subject of the opening of a criminal case": X of the copula
            keys = [k for s in self._own_subject(head.head.head) for k in t.persons_in(s)]
        if not keys and tok.dep_ == "pobj" and head.lower_ == "of" and head.head.dep_ in {"dobj", "attr"}:
            tok, head = head.head, head.head.head  # "received 14 days of administrative arrest"
        if not keys and tok.dep_ in {"dobj", "attr"} and head.lemma_.lower() in {"receive", "get", "serve", "pay", "face", "post", "publish", "share", "record", "give", "hand", "impose"}:
            if head.lemma_.lower() in {"give", "hand", "impose"}:
                for p in head.children:
                    if p.dep_ in {"dative"}:
                        keys += t.persons_in(p)
                    if p.dep_ == "prep" and p.lower_ in {"to", "on"}:
                        keys += [k for g in p.children if g.dep_ == "pobj" for k in t.persons_in(g)]
            else:
                keys += [k for s in self._own_subject(head) for k in t.persons_in(s)]
        if not keys and tok.dep_ == "nsubjpass" and head.lemma_.lower() in {"give", "hand", "impose", "award"}:
            # "the harshest sentence ... was given to X - 7 years in prison"
            keys += [k for p in head.children if p.dep_ in {"dative", "prep"} and p.lower_ in {"to", "on"}
                     for g in p.children if g.dep_ == "pobj" for k in t.persons_in(g)]
        if not keys and tok.dep_ == "nsubjpass":
            keys += [k for a in self._agent_tokens(head) for k in t.persons_in(a)]
        if not keys:
            # "the initiator of the appeal, deputy X" / "one of the initiators of the appeal, a deputy X"
            holders = [tok]
            if tok.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ in {"NUM", "PRON", "NOUN"}:
                holders.append(head.head)
            keys += [k for h in holders for c in h.children if c.dep_ == "appos" for k in t.persons_in(c)]
        return keys, None, bool(keys)

    def _shower(self, tok: Token) -> list[str]:
        """The subject of a display verb whose object (or "with" phrase) is the nominal:
        "held up a sheet of paper", "stood with a poster", "greets journalists with a sign"."""
        verbs = word_set("triggers", "display_verbs")
        cur = tok
        for _ in range(3):  # up through "of" ("a sheet of paper") and "with"
            if cur.dep_ not in {"dobj", "pobj", "prep"} or cur.head.i == cur.i:
                return []
            if cur.dep_ == "prep" and cur.lower_ not in {"with", "of"}:
                return []
            cur = cur.head
            if cur.pos_ in {"VERB", "AUX"}:
                break
        if cur.pos_ not in {"VERB", "AUX"} or cur.lemma_.lower() not in verbs and cur.lower_ not in verbs:
            return []
        subj = self._own_subject(cur) or self._inherited_subject(cur)[0]
        return [k for s in subj for k in self.t.persons_in(s)]

    def _dissent_target(self, key: str) -> bool:
        """The officials dissent is aimed at (roles.yaml) do not themselves dissent."""
        name = self.t.by_key(key).name().split()
        return bool(name) and name[-1].lower() in word_set("roles", "dissent_targets")

    def _included(self, tok: Token) -> list[str]:
        """Persons the clause adds to its targets: "In addition to X, police charged A and B"."""
        phrases = tuple(f" {p} " for p in load_data("triggers").get("inclusive_phrases") or [])
        out, v = [], self.v
        sent = v.sent(tok.i)
        for j in range(sent.start, sent.end):
            if j in self.t.root_key and tok.i in v.ancestors(j):
                x = self.doc[j]
                left = x.left_edge.i
                before = " " + v.span_text(max(sent.start, left - 3), left).lower() + " "
                if any(before.endswith(p) for p in phrases):
                    out += self.t.persons_in(x)
        return out

    def _counted_group(self, tok: Token, found: list[EventMention]) -> list[str]:
        """A counted plural ("five of them", "the five deputies") refers back to an
        explicitly enumerated set: the most recent run of same-type events whose named
        subjects number exactly that count. No count, or no set of that size: nobody
        (a miss is better than a wrong attribution)."""
        roles = word_set("roles", "role_nouns")
        slots = self._own_subject(tok) if _passive(tok.i, self.v) else self._slot(tok, {"dobj"})
        for s in slots:
            n = None
            if s.like_num and any(c.dep_ == "prep" and c.lower_ == "of" and any(
                    g.lower_ in {"them", "those"} or g.lemma_.lower() in roles for g in c.children) for c in s.children):
                n = _number(s)
            elif s.lemma_.lower() in roles and s.tag_ == "NNS":
                n = next((_number(c) for c in s.children if c.dep_ == "nummod"), None)
            if not n or n < 2:
                continue
            runs: list[list[str]] = []
            last_type = None
            for ev in found:
                if ev.subject_key is None:
                    continue
                if ev.type != last_type:
                    runs.append([])
                    last_type = ev.type
                runs[-1].append(ev.subject_key)
            for run in reversed(runs):
                members = list(dict.fromkeys(run))
                if len(members) == n:
                    return members
        return []

    def _fallback(self, sent: Span, tok: Token) -> list[str]:
        """Nearest person before the trigger in the same sentence (names or pronouns)."""
        best = None
        for j in range(sent.start, min(sent.end, tok.i)):
            k = self.t.token_key.get(j) or self.t.coref.refs.get(j)
            if k:
                best = k
        return [best] if best else []

    # -- dates ---------------------------------------------------------------------
    def _date(self, tok: Token, sent: Span) -> D.EventDate:
        """The trigger's date (see ``dates.attach``); an undated report is news as of the
        document's month only in the headline/lede or in the present perfect."""
        lede = sent.start < 80 or any(c.lower_ in {"has", "have"} and c.dep_ == "aux" for c in tok.children)
        return D.attach(tok, sent, self.doc_date, report_ok=lede, ents=self.v.ents_in(sent.start, sent.end))

    # -- main ----------------------------------------------------------------------------
    def events(self) -> list[EventMention]:
        found: list[EventMention] = []
        allow_groups = _settings().get("emit_group_events", False)
        prev_sent: Span | None = None
        in_sent: dict[int, list[int]] = {}  # sentence number -> its candidate triggers
        for i in self._cands:
            in_sent.setdefault(self.v.sent_of[i], []).append(i)
        for n, sent in enumerate(self.v.sents):
            text = self.v.span_text(sent.start, sent.end)
            triggers = in_sent.get(n, [])
            if triggers:
                low = text.lower()
                hedged = any(h in low for h in self.hedges)
            for i in triggers:
                rule = next((r for r in self._cands[i] if _matches(r, i, self.ru, self.v)), None)
                if rule is None or _hypothetical(i, self.v):
                    continue
                tok = self.doc[i]
                if rule.requires and not self._realised(rule.requires):
                    continue
                role = self.ontology[rule.type]["role"]
                self.t.first_person_ok = self.ontology[rule.type].get("family") == "dissent"
                try:
                    keys, agent, syntactic = self._subjects(tok, role)
                finally:
                    self.t.first_person_ok = False
                conf = rule.confidence
                if not keys and rule.patient_subject and role == "target" and not _passive(tok.i, self.v):
                    # machine-translated impersonal Russian: "A, B and C ... instituted
                    # administrative cases for discrediting the army" (cases against them)
                    keys = [k for x in self._slot(tok, {"nsubj"}) for k in self.t.persons_in(x)]
                    agent, conf = None, conf * 0.8
                if not keys and role == "target" and tok.pos_ not in {"NOUN", "PROPN"}:
                    # "five of them were charged" after five named deputies were fined
                    keys = self._counted_group(tok, found)
                    conf *= 0.8
                if not keys and not syntactic and tok.pos_ in {"NOUN", "PROPN"}:
                    keys = self._fallback(sent, tok)
                    conf *= 0.6
                    if not keys:
                        keys = self._topic(sent, prev_sent, found)
                if keys and self.ontology[rule.type].get("family") == "dissent":
                    keys = [k for k in keys if not self._dissent_target(k)]
                if not keys and not (allow_groups and self.ontology[rule.type].get("group_subject")):
                    continue
                start = sent.start_char + (len(text) - len(text.lstrip()))
                evidence = text.strip()
                when = self._date(tok, sent)
                date, details = when.date, when.details()
                if rule.type == "fine":
                    money = [e.text for e in self.v.ents_in(sent.start, sent.end) if e.label_ == "MONEY"]
                    details += (("amount", money[0]),) if money else ()
                details += measure_details(rule.type, text)
                if rule.type in word_set("triggers", "prison_term_types") and (term := prison_term(trigger_phrase(tok))):
                    details += (("term", term),)
                if order := act_order(tok):
                    details += (("order", order),)
                for k in dict.fromkeys(keys) or [None]:
                    name = self.t.by_key(k).name() if k else _np_text(tok, self.v)
                    found.append(EventMention(
                        doc_id=self.doc_id, type=rule.type, subject_key=k, subject_name=name,
                        evidence=evidence, span=(start, start + len(evidence)), agent=agent, date=date,
                        status="unconfirmed" if hedged else "reported", trigger=tok.text,
                        confidence=round(conf, 2), details=details, provenance=self.prov))
            if text.strip():
                prev_sent = sent
        return merge_mentions(found)

    def _realised(self, etype: str) -> bool:
        """Whether the document reports an act of this type as done (a trigger that is not
        hypothetical, whoever its subject): "X, who led the initiative" is an appeal only
        where the appeal was made, not where deputies "are planning to send" one."""
        if etype not in self._realised_cache:
            self._realised_cache[etype] = any(
                r.type == etype and not r.requires and _matches(r, i, self.ru, self.v) and not _hypothetical(i, self.v)
                for i, cands in self._cands.items() for r in cands)
        return self._realised_cache[etype]

    def _topic(self, sent: Span, prev: Span | None, found: list[EventMention]) -> list[str]:
        """A nominal trigger in a sentence that mentions nobody continues the previous
        sentence's story: "... the fine was set at 280 thousand rubles, reflecting a deduction
        for the period of pre-trial detention" is the detention of whoever was fined there.
        Only when the previous sentence has events about exactly one person."""
        if prev is None or any(j in self.t.token_key or j in self.t.coref.refs for j in range(sent.start, sent.end)):
            return []
        lo, hi = prev.start_char, sent.start_char
        subjects = {ev.subject_key for ev in found if lo <= ev.span[0] < hi and ev.subject_key}
        return list(subjects) if len(subjects) == 1 else []


# details whose different values in one document are two acts: an administrative arrest and
# a pre-trial detention, a seven-year and an additional three-year sentence, the "initial"
# and the "new" case
_DISTINCT = frozenset({"kind", "term", "order"})


def _distinct(a: EventMention, b: EventMention) -> bool:
    da, db = dict(a.details), dict(b.details)
    return any(k in da and k in db and da[k] != db[k] for k in _DISTINCT)


def merge_mentions(found: list[EventMention]) -> list[EventMention]:
    """One document reports one event once: merge same type + subject with compatible
    dates and no distinguishing detail that differs, keeping the first (usually the lede)
    and the most precise date."""
    out: list[EventMention] = []
    for ev in found:
        for i, prev in enumerate(out):
            if prev.type == ev.type and prev.subject_key == ev.subject_key and prev.subject_key is not None \
                    and not _distinct(prev, ev) \
                    and D.same_occurrence(prev.date, prev.details, prev.evidence, ev.date, ev.details, ev.evidence):
                from dataclasses import replace
                date, dated = D.combine(prev.date, prev.details, ev.date, ev.details)
                rest = tuple(kv for kv in prev.details if kv[0] not in D.DATE_KEYS)
                rest += tuple(kv for kv in ev.details if kv[0] not in D.DATE_KEYS | {k for k, _ in rest})
                status = "reported" if "reported" in (prev.status, ev.status) else "unconfirmed"
                out[i] = replace(prev, date=date, status=status, agent=prev.agent or ev.agent,
                                 confidence=max(prev.confidence, ev.confidence), details=dated + rest)
                break
        else:
            out.append(ev)
    return out

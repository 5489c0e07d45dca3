"""Trigger rules (data/triggers.yaml) and whether a token triggers one.

A rule names an event type, the lemmas that can trigger it and the conditions the token
must meet: part of speech, children or objects, voice, a medium it happened in, being
the stated reason for a response, nearby words, a foreign place. ``_matches`` checks
them; ``_hypothetical`` drops a trigger that is negated, modal, or governed by a verb
of possibility/request/threat ("faces up to", "called for him to be charged"). The
extractor that walks sentences and builds events is ``events.EventFinder``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Token

from .docview import DocView
from .resources import load_data, load_ontology, word_set

CLIMB_DEPS = {"xcomp", "ccomp", "dobj", "pobj", "prep", "pcomp", "acl", "advcl", "amod", "compound",
              "nmod", "attr", "oprd", "npadvmod", "nsubj", "nsubjpass"}
MODALS = {"could", "may", "might", "would", "will", "should", "must", "can", "shall", "'ll"}


@dataclass(frozen=True)
class Rule:
    type: str
    lemmas: frozenset[str]
    pos: str
    with_: frozenset[str]
    obj: frozenset[str]
    near: tuple[str, ...]
    not_near: tuple[str, ...]
    foreign: bool
    confidence: float
    voice: str | None = None
    patient_subject: bool = False
    via: frozenset[str] = frozenset()
    requires: str | None = None
    under_response: bool = False


@lru_cache(maxsize=1)
def rules_by_lemma() -> dict[str, list[Rule]]:
    ontology = load_ontology()
    out: dict[str, list[Rule]] = {}
    for raw in load_data("triggers")["triggers"]:
        if raw["type"] not in ontology:
            raise ValueError(f"triggers.yaml: unknown event type {raw['type']!r}")
        lemmas = raw["lemma"] if isinstance(raw["lemma"], list) else [raw["lemma"]]
        rule = Rule(raw["type"], frozenset(lemmas), raw.get("pos", "VERB"),
                    frozenset(raw.get("with", [])), frozenset(raw.get("obj", [])),
                    tuple(raw.get("near", [])), tuple(raw.get("not_near", [])),
                    bool(raw.get("foreign")), float(raw.get("confidence", 0.9)), raw.get("voice"),
                    bool(raw.get("patient_subject")), frozenset(raw.get("via", [])), raw.get("requires"),
                    bool(raw.get("under_response")))
        for lem in lemmas:
            out.setdefault(lem, []).append(rule)
    return out


def lemma_keys(tok: Token) -> tuple[str, ...]:
    """The model's lemma plus suffix-stripped forms: the small model lemmatises
    "fined" as "fin", so the surface form is consulted too."""
    return _lemma_keys(tok.lemma_, tok.lower_)


@lru_cache(maxsize=65536)
def _lemma_keys(lemma: str, low: str) -> tuple[str, ...]:
    # cached: every token of every sentence asks, and news repeats its words
    keys = [lemma.lower(), low]
    for suf, add in (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", ""), ("es", ""), ("s", ""), ("ing", "e"), ("ing", "")):
        if low.endswith(suf) and len(low) > len(suf) + 2:
            keys.append(low[: -len(suf)] + add)
    if len(keys) > 2 and low.endswith("ed") and len(low) > 5 and low[-3] == low[-4]:
        keys.append(low[:-3])  # "jammed" -> "jam", "shot" stays
    return tuple(dict.fromkeys(keys))


@lru_cache(maxsize=65536)
def rules_for(lemma: str, low: str) -> tuple[Rule, ...]:
    """The rules whose lemmas are among a token's lemma keys (cached like ``_lemma_keys``:
    every token of a document asks)."""
    rules = rules_by_lemma()
    return tuple(r for k in _lemma_keys(lemma, low) for r in rules.get(k, []))


def _settings() -> dict:
    return load_data("triggers").get("settings", {})


def pos_ok(pos_: str, tag_: str, pos: str) -> bool:
    """A token of this part of speech and tag can trigger a rule asking for ``pos``."""
    if pos == "ANY":
        return True
    if pos == "NOUN":
        return pos_ in {"NOUN", "PROPN"}
    if pos == "ADJ":
        return pos_ == "ADJ"
    return pos_ in {"VERB", "AUX"} or tag_ in {"VBN", "VBD", "VBG", "VBZ", "VBP", "VB"}


def _objects(i: int, v: DocView) -> list[int]:
    objs = [c for c in v.children(i) if v.dep[c] in {"dobj", "nsubjpass", "attr", "oprd", "dative"}]
    for p in (c for c in v.children(i) if v.dep[c] in {"prep", "agent"}):
        objs += [g for g in v.children(p) if v.dep[g] == "pobj"]
    return objs


def _window(i: int, view: DocView) -> str:
    """The words around token i in its sentence (once per token: each rule asks)."""
    if (win := view.memo.get(("window", i))) is None:
        s = _settings()
        sent = view.sent(i)
        lo = max(sent.start, i - s.get("window_before", 6))
        hi = min(sent.end, i + s.get("window_after", 14) + 1)
        win = view.memo["window", i] = " " + view.span_text(lo, hi).lower() + " "
    return win


ARG_DEPS = {"dobj", "appos", "prep", "pobj", "attr", "oprd", "nsubjpass", "dative", "agent", "prt"}


def _arguments(i: int, view: DocView, depth: int = 3) -> str:
    """Words of the trigger's own arguments beyond the window ("he signed on September 7,
    with six other members of his local council, an official appeal to the Duma");
    once per token and depth."""
    if (args := view.memo.get(("arguments", i, depth))) is None:
        args = view.memo["arguments", i, depth] = _argument_words(i, view, depth)
    return args


def _argument_words(i: int, view: DocView, depth: int) -> str:
    words: list[str] = []
    frontier = [i]
    for _ in range(depth):
        frontier = [c for f in frontier for c in view.children(f) if view.dep[c] in ARG_DEPS]
        words += [view.lower[c] for c in frontier]
    # ... and what a participle or clause hangs from: "The petition, signed by dozens of
    # officials after it was posted by X"
    cur = i
    for _ in range(depth):
        if view.dep[cur] not in {"acl", "relcl", "advcl", "conj"} or view.head[cur] == cur:
            break
        cur = view.head[cur]
        words.append(view.lower[cur])
    return " " + " ".join(words) + " "


def _via(tok: Token, media: frozenset[str]) -> bool:
    """The act happened in a medium: "during a broadcast in July 2022, referenced ...",
    "during a live broadcast on YouTube, ... he used negative terms" (the phrase may hang
    from any word of the trigger's clause)."""
    return any(t.dep_ == "pobj" and t.head.lower_ in {"during", "in", "on", "at"}
               and (t.lemma_.lower() in media or t.lower_ in media) for t in tok.subtree)


def response_head(tok: Token) -> Token | None:
    """The response a dissent act is the stated reason for: "sentenced ... for denouncing
    the war", "jailed over criticism of the war", "his arrest for his posts" (the verb or
    noun that "for"/"over" hangs from; data: triggers.yaml response_heads)."""
    if tok.dep_ not in {"pcomp", "pobj"} or tok.head.lower_ not in {"for", "over"}:
        return None
    head = tok.head.head
    heads = word_set("triggers", "response_heads")
    if head.i == tok.head.i or not any(k in heads for k in lemma_keys(head)):
        return None
    return head


def _matches(rule: Rule, i: int, ru_places: frozenset[str], view: DocView) -> bool:
    """Token i meets the rule (the cheap column checks first; a spaCy Token only for the
    medium, response and foreign-place checks)."""
    if not pos_ok(view.pos[i], view.tag[i], rule.pos):
        return False
    if rule.with_ and not any(view.lemma[c] in rule.with_ or view.lower[c] in rule.with_ for c in view.children(i)):
        return False
    if rule.obj and not any(view.lemma[o] in rule.obj or view.lower[o] in rule.obj
                            for o in _objects(i, view) + _modified(i, view)):
        return False
    if rule.voice and (rule.voice == "passive") != _passive(i, view):
        return False
    if rule.via and not _via(view.doc[i], rule.via):
        return False
    if rule.under_response and response_head(view.doc[i]) is None:
        return False
    if rule.near or rule.not_near:
        win = _window(i, view)
        if rule.near and not any(w in win for w in rule.near):
            args = _arguments(i, view)
            if not any(w in args for w in rule.near):
                return False
        if any(w in win for w in rule.not_near):
            return False
    if rule.foreign:
        tok = view.doc[i]
        places = [g for p in tok.children if p.dep_ == "prep" and p.lower_ in {"in", "to"}
                  for g in p.children if g.dep_ == "pobj" and g.ent_type_ == "GPE"]
        if not places or any(tok.doc[g.i].text.lower() in ru_places for g in places):
            return False
        if any(c.lower_ in {"war", "invasion"} for c in tok.subtree):
            return False
    return True


def _hypothetical(i: int, v: DocView) -> bool:
    """Token i is negated, modal, or under a verb of possibility/request/threat/law."""
    governors = word_set("triggers", "hypothetical_governors")
    # "called for Putin to be charged ... and removed": a conjunct shares its head's mood
    if v.dep[i] == "conj" and v.head[i] != i and v.pos[v.head[i]] in {"VERB", "AUX"} and _hypothetical(v.head[i], v):
        return True
    if any(v.dep[c] == "neg" for c in v.children(i)):
        return True
    if any(v.dep[c] == "aux" and v.lower[c] in MODALS for c in v.children(i)):
        return True
    cur = i
    for _ in range(4):
        if v.dep[cur] not in CLIMB_DEPS or v.head[cur] == cur:
            break
        prev, cur = cur, v.head[cur]
        if v.dep[prev] == "ccomp" and prev < cur and any(v.dep[c] in {"nsubj", "nsubjpass"} for c in v.children(prev)) \
                and not any(v.dep[c] == "mark" for c in v.children(prev)):
            # a fronted clause with its own subject is asserted, not governed: "Roizman was
            # charged under Part 1 ..., he was threatened with up to three years"
            break
        if v.lemma[cur] in governors or v.lower[cur] in governors:
            if _executed_order(prev, cur, v):
                continue
            return True
        if any(v.dep[c] == "aux" and v.lower[c] in MODALS for c in v.children(cur)):
            return True
    # "the deputies could face fines" / infinitive of purpose "to call for"
    return (v.pos[i] in {"VERB", "AUX"} and v.dep[i] in {"xcomp", "advcl", "acl", "ccomp"}
            and any(v.dep[c] == "aux" and v.lower[c] == "to" for c in v.children(i)))


def _executed_order(trigger: int, governor: int, v: DocView) -> bool:
    """"the court ordered X detained for 14 days" reports an order carried out: a bare
    past participle (no "to", no modal) under "order" is a fact, unlike "ordered to"."""
    return v.lemma[governor] == "order" and v.tag[trigger] in {"VBN", "VBD"} \
        and not any(v.lower[c] == "to" or v.dep[c] == "aux" for c in v.children(trigger))


def _modified(i: int, v: DocView) -> list[int]:
    """The noun a participle modifies: "the video published by X" (object of "publish")."""
    return [v.head[i]] if v.dep[i] == "acl" and v.tag[i] == "VBN" and v.head[i] != i else []



def _small_clause(i: int, v: DocView) -> bool:
    """A participle clause under "order/have": "the court ordered X detained" (X is detained)."""
    return v.tag[i] in {"VBN", "VBD"} and v.dep[i] in {"ccomp", "oprd", "xcomp"} \
        and v.lemma[v.head[i]] in {"order", "have", "get", "want"} \
        and not any(v.dep[c] in {"aux", "auxpass"} or v.lower[c] == "to" for c in v.children(i))


def _passive(i: int, v: DocView) -> bool:
    if any(v.dep[c] in {"nsubjpass", "auxpass"} for c in v.children(i)):
        return True
    if _small_clause(i, v):
        return True
    if v.tag[i] != "VBN" or any(v.dep[c] == "nsubj" for c in v.children(i)):
        return False
    # "the appeal, posted by X" / "reads the demand, as published by X"
    return v.dep[i] in {"acl", "relcl"} or any(v.dep[c] == "agent" for c in v.children(i)) \
        or _reduced_participle(i, v) is not None


def _reduced_participle(i: int, v: DocView) -> int | None:
    """"... against the former mayor Yevgeny Roizman, fined for discrediting the army": a
    bare past participle right after "<name>," describes that person (the name's token
    index), however the parser attached it (often as an adverbial clause of the main verb)."""
    if v.tag[i] != "VBN" or v.dep[i] not in {"advcl", "acl", "conj"} or i < 2 \
            or any(v.dep[c] in {"nsubj", "nsubjpass", "aux", "auxpass"} for c in v.children(i)):
        return None
    return i - 2 if v.text[i - 1] == "," and v.doc[i - 2].ent_type_ == "PERSON" else None

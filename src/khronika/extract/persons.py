"""Persons inside one document: name mentions, in-document linking, roles, anaphora.

Linking is by surname: every full name ("Dmitry Palyuga", "Palyuga D.S.", "Gorinov
Aleksey Alexandrovich") has a surname; bare surnames, spelling variants within a few
edits ("Horinov"/"Gorinov") and full names sharing it form one DocPerson.
Pronouns, definite role nouns ("the politician") and unnamed indefinite subjects
("an official ... spoke up", later named) are resolved by subject salience; the
resolver (``coref.Coref``) is used by the event extractor to find who an event is about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span, Token

from ..models import DocPerson
from .coref import LINK_DEPS, Coref
from .docview import DocView
from .nlp import GAZ_ID
from .resources import load_data, word_set

_NAME_TOKEN = re.compile(r"^(?:[A-ZА-ЯЁ][a-zа-яё'’]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)?)$")
_INITIALS = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?){1,2}$")
_PATRONYMIC = re.compile(r"(?:ovich|evich|ich|ovna|evna|ichna)$")
_STRIP = re.compile(r"(?:['’]s|\*+|[’'])$")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _folded_parties() -> frozenset[str]:
    return frozenset(fold(p) for p in load_data("gazetteer").get("parties") or [])


@lru_cache(maxsize=1)
def _strip_words() -> frozenset[str]:
    return word_set("roles", "name_strip") | word_set("roles", "title_cues")


def clean_name(span: Span) -> tuple[str, list[str]]:
    """Surface form without titles or possessive, and its name tokens."""
    return clean_words([t.text for t in span])


def clean_words(toks: list[str]) -> tuple[str, list[str]]:
    """``clean_name`` of a name's token texts."""
    strip = _strip_words()
    while toks and toks[0].lower().rstrip(".") in strip:
        toks = toks[1:]
    toks = [_STRIP.sub("", t) for t in toks if t not in {"'s", "’s", "*"}]
    text = " ".join(toks).replace(" - ", "-").replace(" -", "-").replace("- ", "-")
    names = [t for t in text.split() if _NAME_TOKEN.match(t) or _INITIALS.match(t)]
    return text.strip(), names


def surname_of(names: list[str]) -> str:
    first = word_set("gazetteer", "first_names", lower=False)
    plain = [n for n in names if not _INITIALS.match(n)]
    if not plain:
        return ""
    if len(names) >= 2 and _INITIALS.match(names[-1]):
        return plain[0]  # Palyuga D.S.
    if len(plain) == 3 and _PATRONYMIC.search(plain[2]) and plain[1] in first and plain[0] not in first:
        return plain[0]  # Gorinov Aleksey Alexandrovich
    return plain[-1]


def natural_order(names: list[str]) -> bool:
    first = word_set("gazetteer", "first_names", lower=False)
    return len(names) >= 2 and not _INITIALS.match(names[-1]) and not _INITIALS.match(names[0]) \
        and not (len(names) == 3 and names[0] not in first and names[1] in first)


@dataclass
class _Builder:
    key: str
    surname: str
    forms: list[str] = field(default_factory=list)
    full: list[list[str]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    roots: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    party: str | None = None
    place: str | None = None
    cue: bool = False

    def gender(self) -> str | None:
        fem = word_set("roles", "female_first_names", lower=False)
        firsts = {n[0] for n in self.full if natural_order(n)}
        if firsts & fem:
            return "f"
        if firsts:
            return "m"
        if self.surname and fold(self.surname).endswith(tuple(word_set("roles", "female_suffixes"))):
            return "f"
        return None

    def name(self) -> str:
        natural = [n for n in self.full if natural_order(n)]
        pool = natural or self.full
        if pool:
            best = max(pool, key=lambda n: (len(n), sum(f == n for f in pool)))
            return " ".join(best)
        return self.forms[0]


class PersonTable:
    """Persons of one document, with the token -> person map and the anaphora resolver."""

    def __init__(self, doc: Doc, doc_id: str):
        self.doc = doc
        self.view = DocView(doc)  # shared with the event finder
        self.doc_id = doc_id
        self.builders: list[_Builder] = []
        self.token_key: dict[int, str] = {}  # every token of a name mention -> key
        self.root_key: dict[int, str] = {}
        # quoted "I/we/our" stand for the quote's speaker only for acts of dissent
        # (the speaker's own appeal or statement); the event finder switches this on
        self.first_person_ok = False
        self._collect()
        self.coref = Coref(self)
        self.coref.quotes()

    # -- mentions and linking -------------------------------------------------
    def _collect(self) -> None:
        first = word_set("gazetteer", "first_names", lower=False)
        cues = word_set("roles", "title_cues", lower=False)
        mentions = []
        for ent in self.view.ents:
            if ent.label_ != "PERSON" or ent.ent_id_ == GAZ_ID:
                continue
            text, names = clean_words(self.view.text[ent.start:ent.end])
            if not names or all(_INITIALS.match(n) for n in names):
                continue
            if len(names) == 1 and names[0] in first:
                continue  # a bare given name says too little
            mentions.append((ent, text, names))
        by_surname: dict[str, _Builder] = {}
        # full names first, so bare surnames can attach to them
        for ent, text, names in sorted(mentions, key=lambda m: -len(m[2])):
            sur = surname_of(names)
            b = self._find(by_surname, sur, names)
            if b is None:
                b = _Builder(key="", surname=sur)
                by_surname[fold(sur)] = b
            if text not in b.forms:
                b.forms.append(text)
            if len(names) >= 2:
                b.full.append(names)
            b.spans.append((ent.start_char, ent.end_char))
            b.roots.append(ent.root.i)
            b.cue = b.cue or (ent.start > 0 and self.view.text[ent.start - 1] in cues)
            for i in range(ent.start, ent.end):
                self.token_key[i] = id(b)  # provisional
        keep = [b for b in by_surname.values()
                if b.full or b.cue or len(b.spans) >= 2]
        keep.sort(key=lambda b: min(b.spans))
        ids = {}
        for n, b in enumerate(keep):
            b.key = f"p{n}"
            ids[id(b)] = b.key
            b.spans.sort()
        self.builders = keep
        self.token_key = {i: ids[k] for i, k in self.token_key.items() if k in ids}
        for b in keep:
            for r in b.roots:
                self.root_key[r] = b.key
        for b in keep:
            self._roles(b)

    @staticmethod
    def _find(by_surname: dict[str, _Builder], sur: str, names: list[str]) -> _Builder | None:
        f = fold(sur)
        if f in by_surname:
            return by_surname[f]
        # spelling variants inside one document (Horinov/Gorinov, Kiselyova/Kiseleva)
        for k, b in by_surname.items():
            if len(f) >= 5 and len(k) >= 5 and fuzz.ratio(f, k) >= 83:
                given = {n[0][0] for n in b.full if natural_order(n)}
                mine = names[0][0] if natural_order(names) else None
                if not given or mine is None or mine in given:
                    return b
        return None

    # -- roles, party, place ---------------------------------------------------
    def _roles(self, b: _Builder) -> None:
        role_nouns = word_set("roles", "role_nouns")
        parties = _folded_parties()
        for r in b.roots:
            tok = self.doc[r]
            phrases: list[list[Token]] = []
            for ch in tok.children:
                if ch.dep_ == "appos" and ch.i not in self.token_key:
                    phrases.append(_phrase(ch))
            if tok.dep_ == "appos" and tok.head.lemma_.lower() in role_nouns and tok.head.i not in self.token_key:
                head = tok.head
                phrases.append([t for t in _phrase(head) if t.i < tok.i and not (tok.left_edge.i <= t.i <= tok.right_edge.i)])
            start = tok.i
            while start - 1 >= 0 and self.token_key.get(start - 1) == self.token_key.get(tok.i):
                start -= 1
            prev = self.doc[start - 1] if start > 0 else None
            if prev is not None and prev.i not in self.token_key and prev.head.i == tok.head.i != tok.i \
                    and prev.dep_ == tok.dep_ and prev.lemma_.lower() in role_nouns:
                # misparsed title: "The opposition politician Ilya Yashin" as two sibling subjects
                phrases.append(list(prev.subtree))
            sent_of = self.view.sent_of
            lefts = [t for t in tok.lefts if t.dep_ in {"compound", "amod", "nmod"} and t.i not in self.token_key
                     and sent_of[t.i] == sent_of[tok.i]]
            if lefts:
                phrases.append([t for lt in lefts for t in lt.subtree if t.i not in self.token_key])
            for ph in phrases:
                words = [t for t in ph if not (t.is_punct and t.i in (ph[0].i, ph[-1].i))]
                while words and words[0].lower_ in {"a", "an", "the", ","}:
                    words = words[1:]
                while words and (words[-1].is_punct or words[-1].lower_ in {"and", "who"}):
                    words = words[:-1]
                if not words or not any(t.lemma_.lower() in role_nouns or t.lower_ in role_nouns for t in words):
                    continue
                text = self.doc[words[0].i:words[-1].i + 1].text.strip(" ,\xa0")
                if len(text) > 120 or "\n" in text or "[" in text:
                    continue
                if text not in b.roles:
                    b.roles.append(text)
                ents = self.view.ents_in(words[0].i, words[-1].i + 1)
                for e in ents:
                    if b.party is None and e.label_ == "ORG" and (fold(e.text) in parties or "party" in e.text.lower()):
                        b.party = e.text
                    if b.place is None and e.label_ == "GPE":
                        b.place = e.text
                if b.place is None:
                    b.place = next((e.text for e in ents if e.label_ == "LOC"), None)

    def add_title(self, title_doc: Doc) -> None:
        """Names in the headline (metadata, not text): their spellings become aliases of
        the person they name, or a person with no span when the body never names them.
        No events come from here: a headline has no evidence span in the text."""
        first = word_set("gazetteer", "first_names", lower=False)
        for ent in title_doc.ents:
            if ent.label_ != "PERSON" or ent.ent_id_ == GAZ_ID:
                continue
            text, names = clean_name(ent)
            if not names or all(_INITIALS.match(n) for n in names) or (len(names) == 1 and names[0] in first):
                continue
            sur = surname_of(names)
            b = self._find({fold(x.surname): x for x in self.builders}, sur, names)
            if b is None:
                if len(names) < 2:
                    continue  # a bare surname only in the headline says too little
                b = _Builder(key=f"p{len(self.builders)}", surname=sur)
                self.builders.append(b)
            if text not in b.forms:
                b.forms.append(text)
            if len(names) >= 2 and names not in b.full:
                b.full.append(names)

    def doc_persons(self) -> tuple[DocPerson, ...]:
        return tuple(DocPerson(doc_id=self.doc_id, key=b.key, name=b.name(), aliases=tuple(b.forms),
                               roles=tuple(b.roles), party=b.party, place=b.place, spans=tuple(b.spans))
                     for b in self.builders)

    def listed_after(self, i: int, need_and: bool) -> list[str]:
        """Persons named in a plain list right after token i, read off the tokens (the
        parser often mangles long lists): "deputies: A, B, C and D", "A, B and C".
        From a name, the list must close with "and" so that "X, Y said" is no list."""
        v, out, saw_and = self.view, [], False
        j = i + 1
        while j < len(v) and j in self.token_key and self.token_key[j] == self.token_key.get(i):
            j += 1  # rest of the mention itself
        if j < len(v) and v.text[j] == ":" and not need_and:
            j += 1
        sent = v.sent(i)
        while j < sent.end:
            if j in self.token_key:
                key = self.token_key[j]
                out.append(key)
                while j < sent.end and self.token_key.get(j) == key:
                    j += 1
                continue
            if v.text[j] in {",", "&"} or v.lower[j] == "and":
                saw_and = saw_and or v.lower[j] in {"and", "&"}
                j += 1
                continue
            break
        if need_and and not saw_and:
            return []
        return list(dict.fromkeys(out))

    def by_key(self, key: str) -> _Builder:
        return next(b for b in self.builders if b.key == key)

    # -- noun phrases -> persons ------------------------------------------------
    def persons_in(self, tok: Token, depth: int = 0) -> list[str]:
        """Persons a noun-phrase head refers to: a name, a coordination of names, a
        role noun with a name in apposition, a pronoun or anaphor (via Coref), or the
        antecedent of a relative pronoun."""
        if depth > 4:
            return []
        out: list[str] = []
        if tok.i in self.token_key:
            out.append(self.token_key[tok.i])
            # lists parsed as chains of appositions: "deputies A, B, C and D"
            for ch in tok.children:
                if ch.dep_ == "appos" and ch.i in self.token_key:
                    out += self.persons_in(ch, depth + 1)
            out += self.listed_after(tok.i, need_and=True)
        elif tok.lower_ in {"who", "that", "whom", "which"} and tok.head.dep_ == "relcl":
            out += self.persons_in(tok.head.head, depth + 1)
        elif tok.i in self.coref.refs:
            out.append(self.coref.refs[tok.i])
        elif self.first_person_ok and tok.i in self.coref.first_person:
            out.append(self.coref.first_person[tok.i])
        else:
            if tok.lemma_.lower() in word_set("roles", "role_nouns") or tok.lower_ in word_set("roles", "role_nouns"):
                # "signed by four deputies: A, B, C and D" (the parser hangs the list elsewhere)
                out += self.listed_after(tok.i, need_and=False)
            # "deputies Dmitry Baltrukov, Ivan Chebotar" / "the deputy, Ivan Chebotar" /
            # "His loudest critic, the leader of the opposition Alexey Navalny"
            for ch in tok.children:
                if ch.dep_ in LINK_DEPS | {"nmod"} and ch.dep_ != "conj":
                    if ch.i in self.token_key or ch.pos_ in {"NOUN", "PROPN"}:
                        out += self.persons_in(ch, depth + 1)
                elif ch.dep_ == "prep" and ch.lower_ == "of" and tok.dep_ == "appos":
                    out += [self.token_key[g.i] for g in ch.children if g.dep_ == "pobj" and g.i in self.token_key]
                elif ch.dep_ == "prep" and ch.lower_ == "of":
                    # "A colleague of X, Y, is accused": the parser hangs Y on X, but a name in
                    # apposition to the name after "<role> of" names the role noun, not X
                    out += [self.token_key[a.i] for g in ch.children if g.dep_ == "pobj" and g.i in self.token_key
                            for a in g.children if a.dep_ == "appos" and a.i in self.token_key
                            and self.token_key[a.i] != self.token_key[g.i]]
        for ch in tok.children:
            if ch.dep_ == "conj":
                out += [k for k in self.persons_in(ch, depth + 1) if k not in out]
        return list(dict.fromkeys(out))


def _phrase(head: Token) -> list[Token]:
    """Subtree of a role phrase, cut before relative clauses and parentheticals."""
    toks = []
    for t in head.subtree:
        if t.dep_ in {"relcl", "acl"} and t.head.i != head.i:
            break
        if t.dep_ in {"relcl"}:
            break
        toks.append(t)
    return toks

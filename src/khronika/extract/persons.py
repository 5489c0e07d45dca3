"""Persons inside one document: name mentions, in-document linking, roles, anaphora.

Linking is by surname: every full name ("Dmitry Palyuga", "Palyuga D.S.", "Gorinov
Aleksey Alexandrovich") has a surname; bare surnames, spelling variants within a few
edits ("Horinov"/"Gorinov") and full names sharing it form one DocPerson.
Pronouns, definite role nouns ("the politician") and unnamed indefinite subjects
("an official ... spoke up", later named) are resolved by subject salience; the
resolver (`Coref`) is used by the event extractor to find who an event is about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span, Token

from ..models import DocPerson
from .docview import DocView
from .nlp import GAZ_ID
from .resources import load_data, word_set

SUBJ_DEPS = {"nsubj", "nsubjpass"}
LINK_DEPS = {"appos", "compound", "conj", "flat"}
MALE = {"he", "him", "his", "himself"}
FEMALE = {"she", "her", "hers", "herself"}
OBJECT_PRONOUNS = {"him", "her", "himself", "herself"}
FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}
_NAME_TOKEN = re.compile(r"^(?:[A-ZА-ЯЁ][a-zа-яё'’]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)?)$")
_INITIALS = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?){1,2}$")
_PATRONYMIC = re.compile(r"(?:ovich|evich|ich|ovna|evna|ichna)$")
LEDE_SENTENCES = 1  # sentence indexes 0..1: the headline-free lede
NEXT_SENTENCES = 2  # how far after an indefinite role object its name may come
_STRIP = re.compile(r"(?:['’]s|\*+|[’'])$")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _folded_parties() -> frozenset[str]:
    return frozenset(fold(p) for p in load_data("gazetteer").get("parties") or [])


def clean_name(span: Span) -> tuple[str, list[str]]:
    """Surface form without titles or possessive, and its name tokens."""
    strip = word_set("roles", "name_strip") | word_set("roles", "title_cues")
    toks = [t.text for t in span]
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
            text, names = clean_name(ent)
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
            prev = self.doc[ent.start - 1] if ent.start > 0 else None
            b.cue = b.cue or bool(prev is not None and prev.text in cues)
            for t in ent:
                self.token_key[t.i] = id(b)  # provisional
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
            lefts = [t for t in tok.lefts if t.dep_ in {"compound", "amod", "nmod"} and t.i not in self.token_key
                     and t.sent == tok.sent]
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
        doc, out, saw_and = self.doc, [], False
        j = i + 1
        while j < len(doc) and j in self.token_key and self.token_key[j] == self.token_key.get(i):
            j += 1  # rest of the mention itself
        if j < len(doc) and doc[j].text == ":" and not need_and:
            j += 1
        sent = doc[i].sent
        while j < sent.end:
            tok = doc[j]
            if j in self.token_key:
                key = self.token_key[j]
                out.append(key)
                while j < sent.end and self.token_key.get(j) == key:
                    j += 1
                continue
            if tok.text in {",", "&"} or tok.lower_ == "and":
                saw_and = saw_and or tok.lower_ in {"and", "&"}
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


class Coref:
    """Resolves pronouns, definite role nouns and unnamed indefinite subjects.

    One left-to-right pass keeps a salience history of (token, sentence, ref,
    is_subject). A pronoun takes the most recent *subject* in its sentence (not the
    subject of its own clause if it is an object), else in the nearest earlier
    sentence with one; gender is a soft filter. "An official ... spoke up" opens a
    placeholder that becomes the first person later named in subject position.
    """

    def __init__(self, table: PersonTable):
        self.t = table
        self.refs: dict[int, str] = {}
        self.first_person: dict[int, str] = {}  # I/we/my/our inside a quote -> its speaker
        self._placeholders: dict[str, int] = {}
        # indefinite role objects of the lede: placeholder -> (sentence index, role noun)
        self._role_placeholders: dict[str, tuple[int, str]] = {}
        self._run()
        self._finalise()

    # -- first person inside attributed quotations ---------------------------------
    def quotes(self) -> None:
        """"'We decided to make our appeal so short ...,' Thorstrom said": I/we/my/our
        inside a quotation belong to its speaker, named by a speech verb right after
        the closing quote ("..., X said" / "..., said X") or before an opening one
        that follows a colon ("X told CNN: '...'"). Unattributed quotes map nobody."""
        v = self.t.view
        speech = word_set("roles", "speech_verbs") | {"say", "tell", "write", "add", "state", "explain", "note"}
        spans, open_at, straight = [], None, None
        for i, x in enumerate(v.text):
            if x in {"“", "«"}:
                open_at = i
            elif x in {"”", "»"} and open_at is not None:
                spans.append((open_at, i))
                open_at = None
            elif x == '"':
                if straight is None:
                    straight = i
                else:
                    spans.append((straight, i))
                    straight = None
        for a, b in spans:
            inner = [i for i in range(a + 1, b) if v.lower[i] in FIRST_PERSON]
            if not inner:
                continue
            who = self._speaker_after(b, speech) or self._speaker_before(a, speech)
            if who:
                for i in inner:
                    self.first_person[i] = who

    def _person_at(self, tok: Token) -> str | None:
        return self.t.token_key.get(tok.i) or self.refs.get(tok.i)

    def _speaker_after(self, close: int, speech: set[str]) -> str | None:
        doc = self.t.doc
        window = [t for t in doc[close + 1: min(len(doc), close + 7)] if not t.is_space]
        verb = next((t for t in window[:5] if t.lower_ in speech or (t.pos_ == "VERB" and t.lemma_.lower() in speech)), None)
        if verb is None:
            return None
        for t in window:
            # the speaker is the speech verb's subject or adjacent to it
            if (t.i in self.t.token_key or (t.i in self.refs and t.pos_ == "PRON")) and abs(t.i - verb.i) <= 3:
                return self._person_at(t)
            if t.is_punct and t.text in {".", "!", "?", "“"} and t.i > verb.i:
                break
        return None

    def _speaker_before(self, open_: int, speech: set[str]) -> str | None:
        doc = self.t.doc
        j = open_ - 1
        while j >= 0 and doc[j].is_space:
            j -= 1
        if j < 0 or doc[j].text != ":":
            return None
        sent = doc[j].sent
        for v in sent:
            if v.lemma_.lower() in speech or v.lower_ in speech:
                for c in v.children:
                    if c.dep_ in SUBJ_DEPS:
                        keys = self.t.persons_in(c)
                        if len(keys) == 1:
                            return keys[0]
        return None

    def _is_subject(self, tok: Token) -> bool:
        while tok.dep_ in LINK_DEPS and tok.head.i != tok.i:
            tok = tok.head
        return tok.dep_ in SUBJ_DEPS

    def _is_main(self, tok: Token) -> bool:
        """Subject of the sentence's main clause (root verb or a verb coordinated with it)."""
        while tok.dep_ in LINK_DEPS and tok.head.i != tok.i:
            tok = tok.head
        if tok.dep_ not in SUBJ_DEPS:
            return False
        verb = tok.head
        while verb.dep_ == "conj" and verb.head.i != verb.i:
            verb = verb.head
        return verb.dep_ == "ROOT"

    def _run(self) -> None:
        doc, t, v = self.t.doc, self.t, self.t.view
        anaphors = word_set("roles", "anaphor_nouns")
        roles = word_set("roles", "role_nouns")
        pronouns, nouns = MALE | FEMALE, anaphors | roles
        hist: list[tuple[int, int, str, bool, bool]] = []
        # the columns pick out names, third-person pronouns and role/anaphor nouns: only
        # those become spaCy Tokens
        for i in range(len(v)):
            sidx = v.sent_of[i]
            if i in t.root_key:
                tok = doc[i]
                hist.append((i, sidx, t.root_key[i], self._is_subject(tok), self._is_main(tok)))
            elif v.lower[i] in pronouns and (v.pos[i] == "PRON" or v.tag[i] == "PRP$"):
                tok = doc[i]
                g = "m" if tok.lower_ in MALE else "f"
                ref = self._antecedent(tok, sidx, hist, g, tok.lower_ in OBJECT_PRONOUNS)
                if ref:
                    self.refs[i] = ref
                    hist.append((i, sidx, ref, self._is_subject(tok), self._is_main(tok)))
            elif v.pos[i] == "NOUN" and v.lemma[i] in nouns and not self._named(tok := doc[i]):
                det = next((c.lower_ for c in tok.children if c.dep_ in {"det", "poss"}), None)
                if det == "the" and tok.lemma_.lower() in anaphors and tok.tag_ == "NN":
                    ref = self._antecedent(tok, sidx, hist, None, False)
                    ref = self._by_role(tok.lemma_.lower(), ref, hist)
                    if ref:
                        self.refs[tok.i] = ref
                        hist.append((tok.i, sidx, ref, self._is_subject(tok), self._is_main(tok)))
                elif det in {"a", "an"} and tok.dep_ in SUBJ_DEPS and tok.tag_ == "NN":
                    ph = f"u{tok.i}"
                    self._placeholders[ph] = tok.i
                    self.refs[tok.i] = ph
                    hist.append((tok.i, sidx, ph, True, self._is_main(tok)))
                elif det in {"a", "an"} and tok.dep_ == "dobj" and tok.tag_ == "NN" and sidx <= LEDE_SENTENCES \
                        and tok.lemma_.lower() in roles:
                    # the lede's "has sentenced an anti-war councilor ..." names them next:
                    # "Moscow Councilor Alexei Gorinov was arrested ..." (see _finalise)
                    ph = f"u{tok.i}"
                    self._placeholders[ph] = tok.i
                    self._role_placeholders[ph] = (sidx, tok.lemma_.lower())
                    self.refs[tok.i] = ph
        self._hist = hist

    def _by_role(self, noun: str, ref: str | None, hist) -> str | None:
        """"the politician" is someone described as a politician: when the salient pick
        is described otherwise (a charity founder) and an earlier person fits, take them."""
        def fits(key: str) -> bool:
            return any(noun in r.lower() for r in self.t.by_key(key).roles)
        if ref is None or ref.startswith("u") or fits(ref):
            return ref
        mine = len(self.t.by_key(ref).spans)
        for h in reversed(hist):
            # an undescribed pick yields only to a person at least as prominent
            if not h[2].startswith("u") and fits(h[2]) and \
                    (self.t.by_key(ref).roles or len(self.t.by_key(h[2]).spans) >= mine):
                return h[2]
        # nobody described so: a one-mention, undescribed person is rarely "the politician";
        # the document's most-mentioned person is
        b = self.t.by_key(ref)
        if mine <= 1 and not b.roles:
            known = [h[2] for h in hist if not h[2].startswith("u")]
            if known:
                top = max(dict.fromkeys(known), key=lambda k: len(self.t.by_key(k).spans))
                if len(self.t.by_key(top).spans) > 1:
                    return top
        return ref

    def _named(self, tok: Token) -> bool:
        return any(c.i in self.t.token_key for c in tok.subtree)

    def _gender_ok(self, ref: str, g: str | None) -> bool:
        if g is None or ref.startswith("u"):
            return True
        pg = self.t.by_key(ref).gender()
        return pg is None or pg == g

    def _antecedent(self, tok: Token, sidx: int, hist, g: str | None, is_object: bool) -> str | None:
        # gender only breaks ties inside the nearest sentence: machine translation
        # often turns a woman into "he", so it cannot veto the salient subject
        pick = None
        same = [] if is_object else [h for h in hist if h[1] == sidx and h[3]]
        if same:
            pick = self._pick(same, g)
        else:
            earlier = [h for h in hist if sidx - 4 <= h[1] < sidx]
            for s in sorted({h[1] for h in earlier}, reverse=True):
                subj = [h for h in earlier if h[1] == s and h[3]]
                if subj:
                    pick = self._pick(subj, g)
                    break
            else:
                older = [h for h in hist if h[1] < sidx or not is_object]
                pick = self._pick(older, g) if older else None
        if pick and not self._gender_ok(pick, g):
            # "... colleague Elena Kotenochkina ... She was arrested": a recent mention of
            # the right gender beats a salient subject of the wrong one
            # ... but not one embedded under the pick's own main clause: "X said he felt
            # Putin was ..." does not make Putin the next "He" when X's gender was mistranslated
            led = {h[1] for h in hist if h[2] == pick and h[4]}
            recent = [h for h in hist if sidx - 1 <= h[1] <= sidx and not h[2].startswith("u")
                      and (h[4] or h[1] not in led) and g and self.t.by_key(h[2]).gender() == g]
            if recent:
                pick = recent[-1][2]
        return pick

    def _pick(self, cands, g: str | None) -> str:
        # main-clause subjects outrank embedded ones ("Thorstrom said he felt Putin was
        # ..."); among a tier, gender breaks ties but never vetoes (see _antecedent)
        main = [h for h in cands if h[4]]
        tier = main or cands
        for h in reversed(tier):
            if self._gender_ok(h[2], g):
                return h[2]
        return tier[-1][2]

    def _named_next(self, pos: int, sidx: int, noun: str, before: set[str]) -> str | None:
        """An indefinite role object ("an anti-war councilor") is the first person named in
        the next NEXT_SENTENCES sentences whose own role words share the noun's family
        (roles.yaml role_families: councilor ~ deputy ~ mundep); nobody else (precision first)."""
        family = self._family(noun)
        for h in self._hist:
            if h[0] <= pos or h[2].startswith("u") or h[2] in before or h[0] not in self.t.root_key:
                continue
            if h[1] > sidx + NEXT_SENTENCES:
                break
            b = self.t.by_key(h[2])
            words = {w.lower() for r in b.roles for w in r.split()}
            start = h[0]
            while start > 0 and self.t.token_key.get(start - 1) == h[2]:
                start -= 1
            # the mention's own title words too ("Moscow Councilor Alexei Gorinov")
            words |= {t.lower_ for t in self.t.doc[max(0, start - 3):h[0]]}
            if any(w in family for w in words):
                return h[2]
        return None

    @staticmethod
    def _family(noun: str) -> set[str]:
        for fam in load_data("roles").get("role_families") or []:
            low = {str(w).lower() for w in fam}
            if noun in low:
                return low
        return {noun}

    def _finalise(self) -> None:
        """Placeholders become the first person later named as a subject."""
        resolved: dict[str, str | None] = {}
        for ph, pos in self._placeholders.items():
            before = {h[2] for h in self._hist if h[0] < pos and not h[2].startswith("u")}
            if ph in self._role_placeholders:
                resolved[ph] = self._named_next(pos, *self._role_placeholders[ph], before)
                continue
            later = [h for h in self._hist if h[0] > pos and not h[2].startswith("u") and h[2] not in before
                     and h[0] in self.t.root_key]
            pick = next((h[2] for h in later if h[3]), None) or (later[0][2] if later else None)
            resolved[ph] = pick
        for i, r in list(self.refs.items()):
            if r.startswith("u"):
                if resolved.get(r):
                    self.refs[i] = resolved[r]  # type: ignore[assignment]
                else:
                    del self.refs[i]

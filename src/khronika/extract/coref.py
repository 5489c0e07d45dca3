"""Anaphora inside one document, over a ``PersonTable``'s name mentions: pronouns,
definite role nouns ("the politician"), unnamed indefinite subjects ("an official ...
spoke up", later named), and "I/we" inside attributed quotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from .resources import load_data, word_set

if TYPE_CHECKING:
    from .persons import PersonTable

SUBJ_DEPS = {"nsubj", "nsubjpass"}
LINK_DEPS = {"appos", "compound", "conj", "flat"}
MALE = {"he", "him", "his", "himself"}
FEMALE = {"she", "her", "hers", "herself"}
OBJECT_PRONOUNS = {"him", "her", "himself", "herself"}
FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}
LEDE_SENTENCES = 1  # sentence indexes 0..1: the headline-free lede
NEXT_SENTENCES = 2  # how far after an indefinite role object its name may come


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

    def _is_subject(self, i: int) -> bool:
        """Token i is (linked to) a subject."""
        dep, head = self.t.view.dep, self.t.view.head
        while dep[i] in LINK_DEPS and head[i] != i:
            i = head[i]
        return dep[i] in SUBJ_DEPS

    def _is_main(self, i: int) -> bool:
        """Token i is the subject of the sentence's main clause (root verb or a verb
        coordinated with it)."""
        dep, head = self.t.view.dep, self.t.view.head
        while dep[i] in LINK_DEPS and head[i] != i:
            i = head[i]
        if dep[i] not in SUBJ_DEPS:
            return False
        verb = head[i]
        while dep[verb] == "conj" and head[verb] != verb:
            verb = head[verb]
        return dep[verb] == "ROOT"

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
                hist.append((i, sidx, t.root_key[i], self._is_subject(i), self._is_main(i)))
            elif v.lower[i] in pronouns and (v.pos[i] == "PRON" or v.tag[i] == "PRP$"):
                tok = doc[i]
                g = "m" if tok.lower_ in MALE else "f"
                ref = self._antecedent(tok, sidx, hist, g, tok.lower_ in OBJECT_PRONOUNS)
                if ref:
                    self.refs[i] = ref
                    hist.append((i, sidx, ref, self._is_subject(i), self._is_main(i)))
            elif v.pos[i] == "NOUN" and v.lemma[i] in nouns and not self._named(tok := doc[i]):
                det = next((c.lower_ for c in tok.children if c.dep_ in {"det", "poss"}), None)
                if det == "the" and tok.lemma_.lower() in anaphors and tok.tag_ == "NN":
                    ref = self._antecedent(tok, sidx, hist, None, False)
                    ref = self._by_role(tok.lemma_.lower(), ref, hist)
                    if ref:
                        self.refs[tok.i] = ref
                        hist.append((tok.i, sidx, ref, self._is_subject(i), self._is_main(i)))
                elif det in {"a", "an"} and tok.dep_ in SUBJ_DEPS and tok.tag_ == "NN":
                    ph = f"u{tok.i}"
                    self._placeholders[ph] = tok.i
                    self.refs[tok.i] = ph
                    hist.append((tok.i, sidx, ph, True, self._is_main(i)))
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

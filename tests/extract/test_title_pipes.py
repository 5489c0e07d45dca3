"""Headlines skip the parser: their entities must still be those of the full pipeline."""

from __future__ import annotations

from khronika.extract import _title_docs, _title_pipes
from khronika.extract.nlp import get_nlp

HEADLINES = [
    "Moscow Municipal Deputy Alexei Gorinov Jailed for 7 Years Over 'War Fakes'",
    "Petersburg deputies Dmitry Palyuga and Nikita Yuferev charged after calling for Putin's resignation",
    "Ksenia Thorstrom: 'I signed the appeal and left for Finland'",
    "Yevgeny Roizman fined 260,000 rubles for 'discrediting' the army",
    "Court in Perm sentences Sergei Medvedev; Yashin detained again",
    "V.V. Putin meets Palyuga D.S. in Yekaterinburg",
]


def test_title_pipes_leave_out_parsing():
    pipes = _title_pipes(get_nlp())
    assert "ner" in pipes and "khronika_names" in pipes
    assert not {"parser", "tagger", "lemmatizer"} & set(pipes)


def test_headline_entities_equal_the_full_pipeline():
    nlp = get_nlp()
    full = [[(e.start, e.end, e.label_, e.ent_id_) for e in d.ents] for d in nlp.pipe(HEADLINES)]
    fast = [[(e.start, e.end, e.label_, e.ent_id_) for e in d.ents] for d in _title_docs(nlp, HEADLINES, 4)]
    assert fast == full
    assert sum(1 for doc in full for e in doc if e[2] == "PERSON") >= 6

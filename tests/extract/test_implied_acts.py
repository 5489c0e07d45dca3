"""Acts implied by responses and other indirect reports, on real dev articles:
"sentenced for criticizing ...", "during a broadcast ... referenced ... 'war'", a
sentence "given to X", names marked "Roizman*", "X, who led the initiative"."""

from __future__ import annotations

from conftest import DEV, corpus_file
from khronika.extract import analyse
from khronika.extract.events import response_head


def _an(prefix):
    """The article as the pipeline sees it: cleaned (lines rejoined, headline to metadata)."""
    from khronika.clean import clean
    from khronika.models import RawDocument
    from khronika.settings import Settings

    path = corpus_file(DEV, prefix)
    art = clean(RawDocument(source=str(path), data=path.read_bytes(), kind="text"), Settings())
    return analyse(art)


def _with(an, etype, surname):
    return [e for e in an.events if e.type == etype and surname in e.subject_name]


def test_act_given_as_reason_for_a_response_is_the_subjects_statement():
    # d006: "Gorinov ... is the first elected member of the opposition to be sentenced to
    # jail for criticizing Moscow's military campaign in Ukraine."
    an = _an("d006")
    ev = _with(an, "statement", "Gorinov")
    assert ev and "for criticizing" in ev[0].evidence
    assert ev[0].date is None  # the sentence does not date the act


def test_charge_labels_are_not_statements(nlp):
    # d014: "... Yevgeny Roizman, fined for discrediting the Russian army" - the state's
    # label for an offence says neither that nor when a statement was made
    an = _an("d014")
    assert not _with(an, "statement", "Roizman")
    doc = nlp("He was jailed over criticism of the war. He was fined for discrediting the army.")
    crit = next(t for t in doc if t.lower_ == "criticism")
    assert response_head(crit) is not None and response_head(crit).lower_ == "jailed"


def test_statement_in_a_broadcast_with_descriptive_verb():
    # d013: "the former mayor, during a broadcast in July 2022, referenced Russia's actions in
    # Ukraine with terms such as 'war'"; d017: "during a live broadcast on YouTube, ... he
    # 'used negative terms' to describe the military operation"
    for prefix in ("d013", "d017"):
        ev = _with(_an(prefix), "statement", "Roizman")
        assert ev and "broadcast" in ev[0].evidence and (ev[0].date or "").startswith("2022-07"), prefix


def test_asterisk_marked_name_is_the_person_and_fronted_clause_is_asserted():
    # d017: "Roizman* was charged to Part 1 of s. 280.3 ..., he was threatened with a sentence"
    an = _an("d017")
    assert [p.name for p in an.persons if "Roizman" in p.name] == ["Yevgeny Roizman"]
    assert _with(an, "charge", "Roizman")


def test_nominal_sentence_given_to_a_person():
    # d007: "the harshest sentence ... was given to Yashin's former colleague ..., Aleksei Horinov - 7 years"
    assert _with(_an("d007"), "sentence", "Horinov")


def test_leader_of_an_initiative_authored_the_appeal_only_when_it_was_made():
    # d031: "Dmitry Palyuga, who led the initiative, was fined" after deputies "called on"
    # the Duma
    assert _with(_an("d031"), "appeal", "Palyuga")
    # d028: deputies "are planning to send an appeal": nobody has appealed yet
    assert not _with(_an("d028"), "appeal", "Palyuga")


def test_indefinite_role_object_of_the_lede_is_the_person_named_next():
    # d003: "... has sentenced an anti-war councilor to seven years in prison for denouncing
    # Russia's war in Ukraine." then "Moscow Councilor Alexei Gorinov was arrested ..."
    an = _an("d003")
    sent = _with(an, "sentence", "Gorinov")
    assert sent and "an anti-war councilor" in sent[0].evidence
    assert any("denouncing" in e.evidence for e in _with(an, "statement", "Gorinov"))


def test_indefinite_role_object_stays_unresolved_without_a_matching_name(nlp):
    # the lede alone names nobody: no guess
    from khronika.extract.events import EventFinder
    from khronika.extract.persons import PersonTable

    path = corpus_file(DEV, "d003")
    lede = next(line for line in path.read_text(encoding="utf-8").splitlines() if "anti-war councilor" in line)
    doc = nlp(lede + "\n\nJudge Olesya Mendeleyeva read out the verdict.")
    table = PersonTable(doc, "t")
    assert not [e for e in EventFinder(doc, table, "t", None, "t").events() if e.type == "sentence"]

"""Charges, protests and detentions expressed through nouns, appositions and displayed
objects, and who may not be the subject of an act of dissent; on real dev sentences."""

from __future__ import annotations

import pytest

from conftest import DEV, _article, corpus_file
from khronika.extract import analyse


@pytest.fixture(scope="module")
def dev():
    cache: dict[str, object] = {}

    def get(prefix: str):
        if prefix not in cache:
            cache[prefix] = analyse(_article(corpus_file(DEV, prefix)))
        return cache[prefix]
    return get


def _who(an, etype, evidence_part):
    return {e.subject_name for e in an.events if e.type == etype and evidence_part in e.evidence}


def test_name_in_apposition_after_role_of_name_is_the_role(dev):
    # "A colleague of Alexei Gorinov, Elena Kotenochkina, is accused of the same thing"
    assert "Elena Kotenochkina" in _who(dev("d004"), "charge", "accused of the same thing")


def test_subject_displaced_into_fronted_inclusive_phrase(dev):
    # "Together with Gorinov, his colleague ... Elena Kotenochkina, who left Russia, is involved in the case."
    who = _who(dev("d001"), "charge", "is involved in the case")
    assert {"Elena Kotenochkina"} <= who and any("Gorinov" in n for n in who)


def test_holding_up_an_anti_war_sheet_is_a_protest(dev):
    # "the grey-haired man ... held up a crossed-out sheet of paper with the inscription: 'Do you still need this war?'"
    assert any("Gorinov" in n for n in _who(dev("d004"), "protest", "sheet of paper"))


def test_greeting_with_an_anti_war_sign_is_a_protest(dev):
    # "Gorinov greets journalists and supporters with a makeshift anti-war sign"
    assert any("Gorinov" in n for n in _who(dev("d002"), "protest", "anti-war sign"))


def test_subject_of_the_opening_of_a_case_is_charged(dev):
    # "Yashin ... was the subject of the opening of a criminal case in July"
    assert any("Yashin" in n for n in _who(dev("d008"), "charge", "subject of the opening"))


def test_reduced_participle_after_name_describes_the_name(dev):
    # "... against the former mayor Yevgeny Roizman, fined for discrediting the Russian army"
    assert any("Roizman" in n for n in _who(dev("d014"), "fine", "Roizman, fined"))


def test_nominal_without_participants_continues_previous_sentence(dev):
    # "... reflecting a short deduction for the period of pre-trial detention from August 24 to August 25"
    assert any("Roizman" in n for n in _who(dev("d014"), "detention", "period of pre-trial detention"))


def test_criticised_head_of_state_is_not_a_dissenter(dev):
    # "Yashin remained in Russia even after Putin sent troops ... and regularly condemned the offensive"
    an = dev("d010")
    assert not any("Putin" in e.subject_name for e in an.events if e.type in {"statement", "appeal", "protest"})

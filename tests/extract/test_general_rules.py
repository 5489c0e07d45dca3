"""General extraction rules, each checked on real corpus sentences (dev/seeds)."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import DEV, SEEDS, _article, corpus_file
from khronika.extract import analyse


def _run(directory, prefix, title=None):
    art = _article(corpus_file(directory, prefix))
    lines = art.text.split("\n")
    if title is not None:  # the cleaner moves the headline to metadata
        art = dataclasses.replace(art, text="\n".join(lines[1:]).lstrip("\n"), title=lines[0])
    return analyse(art)


def _events(an, etype):
    return {e.subject_name for e in an.events if e.type == etype}


@pytest.fixture(scope="module")
def d001():
    return _run(DEV, "d001", title=True)


def test_signatories_listed_after_colon_each_get_the_appeal(d001):
    # "the appeal was signed by four deputies: Natalya Kochugova, Alexander Sustov, ..."
    assert {"Natalya Kochugova", "Alexander Sustov", "Gennady Shulga", "Leonid Vasyukevich"} <= _events(d001, "appeal")


def test_headline_names_become_aliases_without_events(d001):
    gor = next(p for p in d001.persons if "Gorinov" in p.name)
    assert "Oleksiy Gorinov" in gor.aliases  # "Mundep Oleksiy Gorinov" in the title, role word stripped
    assert all(not e.evidence.startswith("Mundep") for e in d001.events)


def test_in_addition_to_x_is_charged_too():
    an = _run(DEV, "d027")
    charged = _events(an, "charge")
    assert {"Dmitry Baltrukov", "Dmitry Palyuga", "Ivan Chebotar"} <= charged
    assert any("Yuferev" in n for n in charged)


def test_petition_posted_or_published_by_x_is_their_appeal():
    assert any("Torstrem" in n for n in _events(_run(SEEDS, "002"), "appeal"))
    assert any("Thorstrom" in n for n in _events(_run(DEV, "d035"), "appeal"))


def test_demanded_charge_is_no_charge_and_conjunct_shares_the_mood():
    # "called for Putin to be charged with treason and removed from office"
    an = _run(DEV, "d031")
    assert "Vladimir Putin" not in _events(an, "charge") | _events(an, "dismissal")


def test_object_of_against_is_not_the_pronoun_antecedent():
    # "He said he was happy to take a public role against Putin ... he had already left Russia"
    an = _run(SEEDS, "004")
    assert not any("Putin" in n for n in _events(an, "exile"))

"""The near-linear resolver decides exactly what the all-pairs one did.

``reference_resolve`` is the straightforward resolver frozen before blocking by
distinct names and incremental event summaries were added. Both run on the real dev
analyses (what the pipeline hands ``resolve``), and on the dev corpus replicated under
new document ids, which turns every person block and event group into the large ones a
stream produces (one name in many documents). Persons (with members and merge
evidence), events (sources, dates, conflicts) and the member map must be identical.
"""

from __future__ import annotations

import gc
import random
from dataclasses import replace
from pathlib import Path

import pytest
import reference_resolve as ref  # beside this file (rootdir-relative import, no package)

import khronika.resolve as fast
from khronika.models import Person
from khronika.pipeline import run_ingest
from khronika.settings import Settings
from khronika.store.db import Store

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dev"

pytestmark = pytest.mark.skipif(
    not DEV.is_dir(), reason=f"dev corpus not found at {DEV} (../shared beside the repo); equivalence not checked")


@pytest.fixture(scope="module")
def dev_items(tmp_path_factory):
    captured = {}
    orig = fast.resolve_stream

    def capture(items):
        captured["items"] = list(items)
        return orig(items)

    fast.resolve_stream = capture  # the pipeline imports resolve_stream at call time
    try:
        run_ingest(Store(str(tmp_path_factory.mktemp("dev") / "dev.db")), [str(DEV)], Settings.load())
    finally:
        fast.resolve_stream = orig
    return captured["items"]


def _replicate(items, copies):
    """The corpus again under new ids; every third copy keeps the original stories."""
    out = []
    for r in range(copies):
        suf = f"~{r}" if r else ""

        def ren(x, keep=False, suf=suf):
            return x if x is None or keep else x + suf

        for info, an in items:
            info2 = replace(info, id=ren(info.id), duplicate_of=ren(info.duplicate_of),
                            story=ren(info.story, keep=r % 3 == 0))
            an2 = replace(an, doc_id=ren(an.doc_id),
                          persons=tuple(replace(p, doc_id=ren(p.doc_id)) for p in an.persons),
                          events=tuple(replace(e, doc_id=ren(e.doc_id)) for e in an.events))
            out.append((info2, an2))
    return out


def _same(items):
    a, b = fast.resolve(items), ref.resolve(items)
    assert a.persons == b.persons
    assert a.events == b.events
    assert dict(a.person_of) == dict(b.person_of)


def test_identical_on_dev(dev_items):
    assert dev_items
    _same(dev_items)


def test_identical_on_dev_replicated_into_large_blocks(dev_items):
    items = _replicate(dev_items, 12)
    random.Random(7).shuffle(items)
    _same(items)


class _Stream:
    """Items as the pipeline hands them over: iterable again and again (each time
    re-read from the store there), never indexed or measured, here in a new order on
    every pass, since nothing may depend on which document comes first."""

    def __init__(self, items):
        self.items, self.passes = items, 0

    def __iter__(self):
        self.passes += 1
        order = list(self.items)
        random.Random(self.passes).shuffle(order)
        return iter(order)


def test_resolve_reads_its_items_as_a_stream(dev_items):
    items = _replicate(dev_items, 3)
    stream = _Stream(items)
    a, b = fast.resolve(stream), ref.resolve(items)
    assert stream.passes == 2  # people, then events: one read each
    assert a.persons == b.persons
    assert a.events == b.events
    assert dict(a.person_of) == dict(b.person_of)


def test_resolve_stream_gives_what_resolve_gives_holding_no_people_for_events(dev_items, monkeypatch):
    """The pipeline's path: people one at a time, then events. When events are
    consolidated, no person and no member of the resolution is alive any more (the
    writer has stored and dropped them), and the result is ``resolve``'s."""
    want = fast.resolve(_replicate(dev_items, 2))
    want_persons = [(p.id, p.name, p.members, p.merge_evidence) for p in want.persons]
    want_events = want.events
    del want  # its people would be counted alive below
    alive = {}
    real = fast.consolidate_events

    def consolidate(items, names, person_of):
        gc.collect()
        alive["persons"] = sum(isinstance(o, Person) for o in gc.get_objects())
        alive["members"] = sum(isinstance(o, fast._M) for o in gc.get_objects())
        return real(items, names, person_of)

    monkeypatch.setattr(fast, "consolidate_events", consolidate)
    stream = _Stream(_replicate(dev_items, 2))
    persons, events = fast.resolve_stream(stream)
    got = []
    for p in persons:  # what a writer does: store (here: note) each person, drop it
        got.append((p.id, p.name, p.members, p.merge_evidence))
        if len(got) == len(want_persons):  # the last person: every member was let go as its person was made
            gc.collect()
            alive["members_at_last_person"] = sum(isinstance(o, fast._M) for o in gc.get_objects())
    del p
    evs = events()
    assert stream.passes == 2
    assert alive == {"members_at_last_person": 0, "persons": 0, "members": 0}
    assert got == want_persons
    assert tuple(evs) == want_events


def test_resolve_stream_events_make_people_not_yet_taken(dev_items):
    """Events need every person: asked for before the people are consumed, they still
    see them all."""
    items = _replicate(dev_items, 1)
    persons, events = fast.resolve_stream(items)
    next(persons)
    assert tuple(events()) == fast.resolve(items).events

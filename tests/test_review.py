"""Review decisions are stored apart and applied on read; the latest decision wins."""

import pytest

from khronika import review
from khronika.errors import ReviewError
from khronika.store.db import Store

PERSONS = [
    {"id": "p1", "name": "Ksenia Thorstrom", "aliases": ["Ksenia Thorstrom"], "roles": ["deputy"], "documents": ["d1"]},
    {"id": "p2", "name": "Xenia Torstrem", "aliases": ["Xenia Torstrem"], "roles": [], "documents": ["d2"]},
]
EVENTS = [
    {"id": "e1", "type": "appeal", "subject": "p2", "subject_name": "Xenia Torstrem", "agent": None,
     "date": "2022-09", "status": "reported", "sources": [{"document": "d2", "evidence": "posted by Xenia Torstrem"}]},
    {"id": "e2", "type": "exile", "subject": "p1", "subject_name": "Ksenia Thorstrom", "agent": None,
     "date": None, "status": "reported", "sources": [{"document": "d1", "evidence": "is now in Finland"}]},
]


def test_reject_then_confirm_latest_wins():
    reviews = [
        {"target_kind": "event", "target_id": "e1", "action": "reject", "payload": {}},
        {"target_kind": "event", "target_id": "e1", "action": "confirm", "payload": {}},
        {"target_kind": "event", "target_id": "e2", "action": "reject", "payload": {}},
    ]
    _, events = review.apply(PERSONS, EVENTS, reviews)
    assert [e["id"] for e in events] == ["e1"]


def test_edit_changes_only_editable_fields():
    reviews = [{"target_kind": "event", "target_id": "e2", "action": "edit", "payload": {"date": "2022-10"}}]
    _, events = review.apply(PERSONS, EVENTS, reviews)
    e2 = next(e for e in events if e["id"] == "e2")
    assert e2["date"] == "2022-10" and e2["reviewed"] == "edited"
    assert EVENTS[1]["date"] is None  # inputs are not mutated


def test_merge_moves_aliases_and_event_subjects_and_split_undoes_it():
    merge = {"target_kind": "person", "target_id": "p2", "action": "merge", "payload": {"into": "p1"}}
    persons, events = review.apply(PERSONS, EVENTS, [merge])
    assert [p["id"] for p in persons] == ["p1"]
    assert "Xenia Torstrem" in persons[0]["aliases"] and persons[0]["documents"] == ["d1", "d2"]
    assert {e["subject"] for e in events} == {"p1"}
    split = {"target_kind": "person", "target_id": "p2", "action": "split", "payload": {}}
    persons, _ = review.apply(PERSONS, EVENTS, [merge, split])
    assert {p["id"] for p in persons} == {"p1", "p2"}


def test_record_validates_and_persists(tmp_path):
    store = Store(str(tmp_path / "r.db"))
    with pytest.raises(ReviewError):
        review.record(store, "event", "e1", "delete", "ana")
    with pytest.raises(ReviewError):
        review.record(store, "event", "e1", "edit", "ana", {"sources": []})
    with pytest.raises(ReviewError):
        review.record(store, "event", "e1", "reject", "  ")
    for bad in ({}, {"date": "last May"}, {"status": "maybe"}, {"type": "picnic"}):
        with pytest.raises(ReviewError):  # every caller (form, JSON API, library) gets these checks
            review.record(store, "event", "e1", "edit", "ana", bad)
    review.record(store, "event", "e1", "edit", "ana", {"date": "2022-09", "type": "appeal", "status": "unconfirmed"})
    review.record(store, "event", "e1", "reject", "ana", note="not an arrest")
    edit, d = review.decisions(store)
    assert edit["payload"] == {"date": "2022-09", "type": "appeal", "status": "unconfirmed"}
    assert (d["target_id"], d["action"], d["reviewer"]) == ("e1", "reject", "ana")
    assert d["created_at"] is not None

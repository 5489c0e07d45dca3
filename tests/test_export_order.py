"""The export is a chronicle: events oldest first, undated last, in a stable order."""

from __future__ import annotations

from pathlib import Path

from khronika.export import build
from khronika.pipeline import run_ingest
from khronika.settings import Settings
from khronika.store.db import Store

DEMO = Path(__file__).resolve().parents[1] / "demo" / "seeds"


def test_events_are_in_chronicle_order(tmp_path):
    store = Store(str(tmp_path / "demo.db"))
    run_ingest(store, [str(DEMO)], Settings.load())
    events = build(store)["events"]
    assert len(events) >= 5
    dates = [e["date"] or "9999" for e in events]
    assert dates == sorted(dates)
    assert any(e["date"] for e in events) and events[0]["date"]  # dated events come first
    keys = [(e["date"] or "9999", e["type"], e["subject_name"] or "", e["id"]) for e in events]
    assert keys == sorted(keys)
    assert build(store)["events"] == events  # deterministic
    store.close()

"""Exports: the JSON contract (shared/eval/README.md), JSONL, CSV and Parquet.

Every export applies human review decisions (``review.apply``) to machine output.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from . import review
from .store.db import Store

FORMATS = ("json", "jsonl", "csv", "parquet", "plover")

DOC_FIELDS = ("id", "source", "title", "author", "outlet", "url", "language", "published", "published_stated",
              "date_suspect", "duplicate_of", "story", "text")


def build(store: Store) -> dict[str, Any]:
    """The contract object: {documents, persons, events}."""
    docs = [row | {"date_suspect": bool(row["date_suspect"])} for row in store.document_rows(DOC_FIELDS)]
    persons, events = review.apply(store.persons(), store.events(), review.decisions(store))
    out_persons = [
        {"id": p["id"], "name": p["name"], "aliases": list(p["aliases"]), "roles": list(p["roles"]),
         "documents": list(p["documents"])}
        for p in sorted(persons, key=lambda p: p["name"])
    ]
    out_events = []
    # a chronicle: oldest first, undated last; ties by type, subject and id (stable across runs)
    for e in sorted(events, key=lambda e: (e.get("date") or "9999", e["type"], e.get("subject_name") or "", e["id"])):
        item = {k: e.get(k) for k in ("id", "type", "subject", "subject_name", "agent", "date", "status")}
        item["sources"] = [{"document": s["document"], "evidence": s["evidence"]} for s in e["sources"]]
        if e.get("conflicts"):
            item["conflicts"] = list(e["conflicts"])
        if e.get("reviewed"):
            item["reviewed"] = e["reviewed"]
        out_events.append(item)
    return {"format": "khronika-export/1", "documents": docs, "persons": out_persons, "events": out_events}


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per (event, source): what a spreadsheet user expects."""
    docs = {d["id"]: d for d in data["documents"]}
    rows = []
    for e in data["events"]:
        for s in e["sources"]:
            d = docs.get(s["document"], {})
            rows.append({
                "event_id": e["id"], "type": e["type"], "subject": e["subject"], "subject_name": e["subject_name"],
                "agent": e["agent"], "date": e["date"], "status": e["status"], "document": s["document"],
                "source": d.get("source"), "outlet": d.get("outlet"), "url": d.get("url"),
                "published": d.get("published"), "evidence": s["evidence"],
            })
    return rows


def plover(data: dict[str, Any]) -> list[dict[str, Any]]:
    """PLOVER-style event records (event_type, actor, recipient, date, mode, sources)."""
    mapping = {
        "statement": ("PROTEST", "verbal"), "appeal": ("DEMAND", None), "protest": ("PROTEST", "demonstrate"),
        "denunciation": ("ACCUSE", None), "removal_from_session": ("COERCE", "restrict"),
        "party_expulsion": ("REJECT", None), "dismissal": ("COERCE", "restrict"), "charge": ("ACCUSE", "legal"),
        "detention": ("COERCE", "arrest"), "release": ("CONCEDE", "release"), "fine": ("COERCE", "sanction"),
        "sentence": ("COERCE", "sentence"), "wanted_list": ("ACCUSE", "legal"), "exile": ("OTHER", "flee"),
        "violence": ("ASSAULT", None),
    }
    out = []
    for e in data["events"]:
        ptype, mode = mapping.get(e["type"], ("OTHER", None))
        acts = e["type"] in {"statement", "appeal", "protest"}
        out.append({
            "event_id": e["id"], "event_type": ptype, "mode": mode, "khronika_type": e["type"],
            "event_date": e["date"], "actor": e["subject_name"] if acts else e["agent"],
            "recipient": None if acts else e["subject_name"], "status": e["status"],
            "source_documents": [s["document"] for s in e["sources"]],
            "evidence": [s["evidence"] for s in e["sources"]],
        })
    return out


def write(store: Store, fmt: str, out: Path | None) -> str | None:
    """Write the export; returns the text when ``out`` is None (stdout), else None."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = build(store)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
    elif fmt == "plover":
        text = json.dumps(plover(data), ensure_ascii=False, indent=2)
    elif fmt == "jsonl":
        lines = [json.dumps({"kind": "document", **d}, ensure_ascii=False) for d in data["documents"]]
        lines += [json.dumps({"kind": "person", **p}, ensure_ascii=False) for p in data["persons"]]
        lines += [json.dumps({"kind": "event", **e}, ensure_ascii=False) for e in data["events"]]
        text = "\n".join(lines) + "\n"
    elif fmt == "csv":
        buf = io.StringIO()
        rows = _rows(data)
        fields = list(rows[0]) if rows else ["event_id", "type", "subject_name", "date", "document", "evidence"]
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
        text = buf.getvalue()
    else:  # parquet: binary, needs a file
        import pyarrow as pa
        import pyarrow.parquet as pq

        if out is None:
            raise ValueError("parquet is binary: give an output file with -o")
        pq.write_table(pa.Table.from_pylist(_rows(data)), out)
        return None
    if out is None:
        return text
    out.write_text(text, encoding="utf-8")
    return None

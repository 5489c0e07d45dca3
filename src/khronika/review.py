"""Human review decisions, stored apart from machine output and applied on read.

The pipeline rewrites persons and events on every run; it never touches the
``reviews`` table. Pages and exports call :func:`apply` so a reviewer's decision
(reject an event, correct its date, merge two persons) survives any re-run. Event and
person ids are stable across runs (derived from content), which is what makes that work.

Actions
- event: ``confirm`` | ``reject`` | ``edit`` (payload: any of type, date, status, agent, subject_name)
- person: ``merge`` (payload: {"into": person_id}) | ``split``: without ``documents`` it undoes
  a reviewer's merge of the target; with payload {"documents": [doc ids], "name": "..."} it
  splits a machine merge: those documents (and the events reported only there) move to a
  new person whose id is derived from the target and the documents, so it is stable too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from . import ontology
from .errors import ReviewError
from .store import schema as s
from .store.db import Store

EVENT_ACTIONS = {"confirm", "reject", "edit"}
PERSON_ACTIONS = {"merge", "split"}
EDITABLE = {"type", "date", "status", "agent", "subject_name"}
STATUSES = ("reported", "unconfirmed")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def record(store: Store, kind: str, target: str, action: str, reviewer: str, payload: dict[str, Any] | None = None,
           note: str | None = None) -> int:
    payload = payload or {}
    if kind == "event":
        if action not in EVENT_ACTIONS:
            raise ReviewError(f"unknown event action {action!r}; use one of {sorted(EVENT_ACTIONS)}")
        bad = set(payload) - EDITABLE
        if bad:
            raise ReviewError(f"cannot edit field(s) {sorted(bad)}; editable: {sorted(EDITABLE)}")
        if action == "edit":
            _check_edit(payload)
    elif kind == "person":
        if action not in PERSON_ACTIONS:
            raise ReviewError(f"unknown person action {action!r}; use one of {sorted(PERSON_ACTIONS)}")
        if action == "merge" and not payload.get("into"):
            raise ReviewError("merge needs payload {'into': person_id}")
        if action == "merge" and payload["into"] == target:
            raise ReviewError("cannot merge a person into itself")
        if action == "split" and "documents" in payload:
            docs = payload["documents"]
            if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
                raise ReviewError("split needs payload {'documents': [document ids], 'name': ...}")
            if not str(payload.get("name") or "").strip():
                raise ReviewError("split needs a name for the new person")
    else:
        raise ReviewError(f"unknown review target kind {kind!r}")
    if not reviewer.strip():
        raise ReviewError("a review needs a reviewer name")
    if note is not None and not note.strip():
        note = None
    with store.engine.begin() as conn:
        res = conn.execute(
            insert(s.reviews).values(target_kind=kind, target_id=target, action=action, payload=payload,
                                     reviewer=reviewer, note=note)
        )
        return int(res.inserted_primary_key[0])


def _check_edit(payload: dict[str, Any]) -> None:
    """Values an edit may set: the same rules for the web form, the JSON API and library
    callers, because an edited event flows into every page and export."""
    if not payload:
        raise ReviewError("Nothing to change: fill in at least one field.")
    if "date" in payload and not DATE_RE.match(str(payload["date"])):
        raise ReviewError("Dates are YYYY, YYYY-MM or YYYY-MM-DD.")
    if "status" in payload and payload["status"] not in STATUSES:
        raise ReviewError("Status is 'reported' or 'unconfirmed'.")
    if "type" in payload and payload["type"] not in ontology.types():
        raise ReviewError(f"Unknown event type {payload['type']!r}.")


def decisions(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(s.reviews).order_by(s.reviews.c.id))]


def apply(persons: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]],
          reviews: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (persons, events) with decisions applied in order; the latest decision wins."""
    people = {p["id"]: dict(p) for p in persons}
    evs = {e["id"]: dict(e) for e in events}
    merged_into: dict[str, str] = {}
    for r in reviews:
        kind, target, action, payload = r["target_kind"], r["target_id"], r["action"], r["payload"] or {}
        if kind == "event" and target in evs:
            ev = evs[target]
            if action == "reject":
                ev["_rejected"] = True
            elif action == "confirm":
                ev["_rejected"] = False
                ev["reviewed"] = "confirmed"
            elif action == "edit":
                ev.update({k: v for k, v in payload.items() if k in EDITABLE})
                ev["reviewed"] = "edited"
        elif kind == "person":
            if action == "merge":
                merged_into[target] = payload["into"]
            elif action == "split" and payload.get("documents"):
                _split(people, evs, target, payload)
            elif action == "split":
                merged_into.pop(target, None)

    def root(pid: str) -> str:
        seen = set()
        while pid in merged_into and pid not in seen:
            seen.add(pid)
            pid = merged_into[pid]
        return pid

    for pid in list(people):
        into = root(pid)
        if into != pid and into in people:
            src, dst = people.pop(pid), people[into]
            dst["aliases"] = sorted(set(dst["aliases"]) | set(src["aliases"]) | {src["name"]})
            dst["roles"] = sorted(set(dst["roles"]) | set(src["roles"]))
            dst["documents"] = sorted(set(dst["documents"]) | set(src["documents"]))
            dst.setdefault("merged_from", []).append(pid)
    for ev in evs.values():
        if ev.get("subject"):
            ev["subject"] = root(ev["subject"])
    kept = [e for e in evs.values() if not e.pop("_rejected", False)]
    return list(people.values()), kept


def split_id(person_id: str, documents: Sequence[str]) -> str:
    """Id of the person split off ``person_id`` with ``documents``: stable across runs."""
    digest = hashlib.sha1("\x1f".join([person_id, *sorted(documents)]).encode()).hexdigest()
    return f"split-{digest[:16]}"


def _split(people: dict[str, dict[str, Any]], evs: dict[str, dict[str, Any]], target: str,
           payload: dict[str, Any]) -> None:
    src = people.get(target)
    if src is None:
        return
    moved = set(payload["documents"]) & set(src["documents"])
    if not moved or moved == set(src["documents"]):
        return  # nothing to split off, or everything: a split must leave two people
    new_id = split_id(target, sorted(moved))
    name = str(payload["name"]).strip()
    src["documents"] = sorted(set(src["documents"]) - moved)
    people[new_id] = {"id": new_id, "name": name, "aliases": [name], "roles": [],
                      "documents": sorted(moved), "members": [], "merge_evidence": [],
                      "split_from": target}
    for ev in evs.values():
        docs = {s["document"] for s in ev.get("sources", ())}
        if ev.get("subject") == target and docs and docs <= moved:
            ev["subject"] = new_id
            ev["subject_name"] = name

"""The document's own date, checked against what the page states.

Evidence, strongest first:
1. anchor reasoning (data/anchors.yaml): "the invasion ... has lasted for nearly seven
   months" -> 2022-02-24 + 7 months; "the first election since the start of the war"
   -> September 2022;
2. a fresh yearless date ("the day before, on May 18", "yesterday, July 7"): the text was
   written just after it; its year is the first one after the latest dated fact;
3. without a stated date only: the latest fully written date in the text, at month
   precision (an article reports things up to its own date).

A stated date is suspect only when evidence 1 or 2 contradicts it by more than
``suspect_months``: flagging a correct date is worse than missing a wrong one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..models import DocumentDate
from . import dates as D
from .resources import load_data

_NUM = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_FRESH = re.compile(
    r"\b(?:the day before|the previous day|yesterday|today|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
    r"[,\s]+(?:on\s+)?" + D._MON + r"\s+(\d{1,2})\b(?!,?\s*(?:19|20)\d\d)", re.I)


def _add(d: date, n: int, unit: str) -> date:
    unit = unit.rstrip("s")
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def _months(a: tuple, b: tuple) -> int:
    return abs((a[0] * 12 + (a[1] or 6)) - (b[0] * 12 + (b[1] or 6)))


def anchor_evidence(text: str) -> tuple[str, str] | None:
    """(YYYY-MM, why) implied by anchor reasoning, or None."""
    cfg = load_data("anchors")
    anchors = {k: date.fromisoformat(str(v["date"])) for k, v in cfg["anchors"].items()}
    words = cfg.get("anchor_words", {})
    for sent in re.split(r"(?<=[.!?])\s+", text):
        low = sent.lower()
        for rule in cfg.get("durations", []):
            m = re.search(rule["regex"], low)
            if not m or not any(w in low for w in words.get(rule["anchor"], [])):
                continue
            n = _NUM.get(m["n"], int(m["n"]) if m["n"].isdigit() else None)
            if n is None:
                continue
            d = _add(anchors[rule["anchor"]], n, m["unit"])
            return D.fmt(d.year, d.month), f"{m[0]!r} counted from {rule['anchor']} ({anchors[rule['anchor']]})"
        for rule in cfg.get("at_anchor", []):
            m = re.search(rule["regex"], low)
            if m:
                d = anchors[rule["anchor"]]
                return D.fmt(d.year, d.month), f"{m[0]!r} places the text at {rule['anchor']} ({d})"
    return None


def _explicit_dates(text: str) -> list[tuple[int, int | None, int | None]]:
    out = []
    for rx in (D._RE_MDY, D._RE_DMY, D._RE_MY):
        for m in rx.finditer(text):
            p = D.parse(D.absolute(m[0]))
            if p:
                out.append(p)
    return out


def fresh_evidence(text: str) -> tuple[str, str] | None:
    """(YYYY-MM, why) from a yearless date the text treats as just past."""
    m = _FRESH.search(text)
    if not m:
        return None
    mo, day = D._month(m[1]), int(m[2])
    known = [p for p in _explicit_dates(text) if p[1]]
    if not known:
        return None
    latest = max(known, key=lambda p: (p[0], p[1] or 0, p[2] or 0))
    y = latest[0] + ((mo, day) < (latest[1] or 0, latest[2] or 0))
    return D.fmt(y, mo), f"{m[0]!r}: written just after {D.fmt(y, mo, day)} (latest dated fact {D.fmt(*latest)})"


def document_date(text: str, stated: str | None) -> DocumentDate:
    limit = load_data("anchors").get("suspect_months", 3)
    ev = anchor_evidence(text) or fresh_evidence(text)
    if stated:
        s = D.parse(stated)
        if ev and s and _months(s, D.parse(ev[0])) > limit:
            return DocumentDate(published=ev[0], suspect=True,
                                evidence=f"stated {stated} contradicts the text: {ev[1]}")
        return DocumentDate(published=stated, suspect=False, evidence=None)
    if ev:
        return DocumentDate(published=ev[0], suspect=False, evidence=ev[1])
    known = [p for p in _explicit_dates(text) if p[2]]  # day-precise: a dated fact, not background
    if known:
        latest = max(known, key=lambda p: (p[0], p[1] or 0, p[2] or 0))
        return DocumentDate(published=D.fmt(latest[0], latest[1]), suspect=False,
                            evidence=f"latest date written in the text ({D.fmt(*latest)})")
    return DocumentDate(published=None)

"""The document's own date, checked against what the page states.

Evidence, strongest first:
1. anchor reasoning (data/anchors.yaml): "the invasion ... has lasted for nearly seven
   months" -> 2022-02-24 + 7 months; "the first election since the start of the war"
   -> September 2022;
2. a fresh yearless date ("the day before, on May 18", "yesterday, July 7"): the text was
   written just after it; its year is the first one after the latest dated fact;
   Without any fully dated fact, a weekday written with the date ("on Friday, July 8",
   "this Tuesday, September 13") picks the year: the first one on or after the text's
   floor (the war's start when the text is about the war, the latest dated fact);
3. without a stated date only: a dateline ("MOSCOW, December 9. /TASS/ ... on Friday"),
   at day precision when the weekday fixes the year;
4. without a stated date only: the yearless date the lede reports as the news ("On
   May 19, the court found ..."), in the first year after the latest dated fact;
5. without a stated date only: the latest fully written date in the text, at month
   precision (an article reports things up to its own date).

A stated date is suspect only when evidence 1 or 2 contradicts it by more than
``suspect_months``: flagging a correct date is worse than missing a wrong one.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from ..models import DocumentDate
from . import dates as D
from .resources import load_data

_NUM = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}
_WDS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_FRESH = re.compile(
    r"\b(?:the day before|the previous day|yesterday|today|(?:on|this) " + _WDS + ")"
    r"[,\s]+(?:on\s+)?" + D._MON + r"\s+(\d{1,2})\b(?!,?\s*(?:19|20)\d\d)", re.I)


# "MOSCOW, December 9. /TASS/." - a wire dateline at the start of a paragraph
_DATELINE = re.compile(r"(?m)^[ \t]*[A-Z][A-Z .'\-]{2,40},\s+(?i:" + D._MON + r")\s+(\d{1,2})\b\.?\s*(?:/|\(|-|\u2014|\u2013|\.)")
_LEDE_CHARS = 900  # headline, deck and first paragraph: where a news text states its news
_LEDE_DATE = re.compile(r"(?:^|(?<=[.!?\n])\s*)On\s+(?i:" + D._MON + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d\d)",
                        re.M)
_WEEKDAY_WORD = re.compile(r"\b(?:on|this|last)\s+(" + _WDS + r")\b", re.I)


def floor(text: str) -> date | None:
    """Earliest date the text can be about: the start of an anchor it is about (the
    war for a text about the war), or its latest fully dated fact, whichever is later."""
    cfg = load_data("anchors")
    low = text.lower()
    out: list[date] = []
    for name, words in cfg.get("anchor_words", {}).items():
        if name in cfg["anchors"] and any(re.search(r"\b" + re.escape(w) + r"\b", low) for w in words):
            out.append(date.fromisoformat(str(cfg["anchors"][name]["date"])))
    for p in _explicit_dates(text):
        if p[2]:
            out.append(date(p[0], p[1], p[2]))
    return max(out) if out else None


def _year_after(mo: int, day: int, text: str, weekday: int | None = None) -> tuple[int, str] | None:
    """Year of a fresh yearless date: the first after the latest dated fact, else (with
    a weekday) the first consistent one on or after the text's floor."""
    known = [p for p in _explicit_dates(text) if p[1]]
    if known:
        latest = max(known, key=lambda p: (p[0], p[1] or 0, p[2] or 0))
        return latest[0] + ((mo, day) < (latest[1] or 0, latest[2] or 0)), f"latest dated fact {D.fmt(*latest)}"
    fl = floor(text)
    if weekday is not None and fl:
        y = D.weekday_year(mo, day, weekday, fl)
        if y:
            return y, f"a {calendar.day_name[weekday]} in {y}, the first such year from {fl}"
    return None


def dateline_evidence(text: str) -> tuple[str, str] | None:
    m = _DATELINE.search(text[:_LEDE_CHARS * 2])
    if not m:
        return None
    mo, day = D._month(m[1]), int(m[2])
    para = text[m.start(): text.find("\n\n", m.start()) if "\n\n" in text[m.start():] else len(text)]
    wd = _WEEKDAY_WORD.search(para)
    weekday = D.WEEKDAYS[wd[1].lower()] if wd else None
    if weekday is not None:
        fl = floor(text)
        y = D.weekday_year(mo, day, weekday, fl) if fl else None
        if y and D._safe(y, mo, day):
            return D.fmt(y, mo, day), f"dateline {m[0].strip()!r} with {wd[0]!r}: a {wd[1]} in {y}"
    got = _year_after(mo, day, text)
    if got and D._safe(got[0], mo, day):
        return D.fmt(got[0], mo), f"dateline {m[0].strip()!r} ({got[1]})"
    return None


def lede_evidence(text: str) -> tuple[str, str] | None:
    m = _LEDE_DATE.search(text[:_LEDE_CHARS])
    if not m:
        return None
    mo, day = D._month(m[1]), int(m[2])
    got = _year_after(mo, day, text)
    if got and D._safe(got[0], mo, day):
        return D.fmt(got[0], mo), f"lede reports {m[0].strip()!r} as the news ({got[1]})"
    return None


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


@lru_cache(maxsize=1)
def _anchor_rules() -> tuple[dict[str, date], dict[str, tuple[str, ...]], tuple, tuple]:
    """anchors.yaml read once: anchor dates, each anchor's words, the duration rules as
    (anchor, pattern) and the at_anchor rules as (anchor, pattern), patterns compiled."""
    cfg = load_data("anchors")
    anchors = {k: date.fromisoformat(str(v["date"])) for k, v in cfg["anchors"].items()}
    words = {k: tuple(v) for k, v in cfg.get("anchor_words", {}).items()}
    durations = tuple((r["anchor"], re.compile(r["regex"])) for r in cfg.get("durations", []))
    at_anchor = tuple((r["anchor"], re.compile(r["regex"])) for r in cfg.get("at_anchor", []))
    return anchors, words, durations, at_anchor


def anchor_evidence(text: str) -> tuple[str, str] | None:
    """(YYYY-MM, why) implied by anchor reasoning, or None."""
    anchors, words, durations, at_anchor = _anchor_rules()
    # a sentence holds an anchor's word only if the text does: most texts rule most
    # anchors out at once (sentences are split at whitespace, so lowering the text
    # lowers each sentence alike)
    whole = text.lower()
    named = [a for a in dict.fromkeys(a for a, _ in durations) if any(w in whole for w in words.get(a, ()))]
    for sent in re.split(r"(?<=[.!?])\s+", text):
        low = sent.lower()
        # the anchor's words first: a plain substring test, far cheaper than the pattern
        here = {a for a in named if any(w in low for w in words[a])}
        for name, rx in durations:
            if name not in here:
                continue
            m = rx.search(low)
            if not m:
                continue
            n = _NUM.get(m["n"], int(m["n"]) if m["n"].isdigit() else None)
            if n is None:
                continue
            d = _add(anchors[name], n, m["unit"])
            return D.fmt(d.year, d.month), f"{m[0]!r} counted from {name} ({anchors[name]})"
        for name, rx in at_anchor:
            m = rx.search(low)
            if m:
                d = anchors[name]
                return D.fmt(d.year, d.month), f"{m[0]!r} places the text at {name} ({d})"
    return None


@lru_cache(maxsize=4)
def _explicit_dates(text: str) -> tuple[tuple[int, int | None, int | None], ...]:
    """The fully written dates in the text, (year, month, day) (cached: the evidence
    functions of one document each ask)."""
    out = []
    for rx in (D._RE_MDY, D._RE_DMY, D._RE_MY):
        for m in rx.finditer(text):
            p = D.parse(D.absolute(m[0]))
            if p:
                out.append(p)
    return tuple(out)


def fresh_evidence(text: str) -> tuple[str, str] | None:
    """(YYYY-MM, why) from a yearless date the text treats as just past."""
    m = _FRESH.search(text)
    if not m:
        return None
    mo, day = D._month(m[1]), int(m[2])
    wd = D.weekday_date(m[0])
    got = _year_after(mo, day, text, wd[0] if wd else None)
    if not got or not D._safe(got[0], mo, day):
        return None
    return D.fmt(got[0], mo), f"{m[0]!r}: written just after {D.fmt(got[0], mo, day)} ({got[1]})"


WEAK_EVIDENCE = "latest date written"  # the lower-bound fallback below


def anchor(ddate: DocumentDate) -> str | None:
    """The document date to resolve relative expressions against and to date undated
    reports with (as an upper bound): not the latest-date-written fallback, which is
    only a lower bound ("From February 24, 2022 to this day" in a September text)."""
    if ddate.evidence and ddate.evidence.startswith(WEAK_EVIDENCE):
        return None
    return ddate.published


def document_date(text: str, stated: str | None) -> DocumentDate:
    limit = load_data("anchors").get("suspect_months", 3)
    ev = anchor_evidence(text) or fresh_evidence(text)
    if stated:
        s = D.parse(stated)
        if ev and s and _months(s, D.parse(ev[0])) > limit:
            return DocumentDate(published=ev[0], suspect=True,
                                evidence=f"stated {stated} contradicts the text: {ev[1]}")
        return DocumentDate(published=stated, suspect=False, evidence=None)
    ev = ev or dateline_evidence(text) or lede_evidence(text)
    if ev:
        return DocumentDate(published=ev[0], suspect=False, evidence=ev[1])
    known = [p for p in _explicit_dates(text) if p[2]]  # day-precise: a dated fact, not background
    if known:
        latest = max(known, key=lambda p: (p[0], p[1] or 0, p[2] or 0))
        return DocumentDate(published=D.fmt(latest[0], latest[1]), suspect=False,
                            evidence=f"{WEAK_EVIDENCE} in the text ({D.fmt(*latest)})")
    return DocumentDate(published=None)

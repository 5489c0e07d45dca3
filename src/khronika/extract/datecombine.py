"""Combining the dates of two mentions of one event: whether two mentions of one type
and person in one document can be one event (``same_occurrence``), and the merged
mention's date (``combine``). Re-exported by ``dates``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .resources import load_data

Details = tuple[tuple[str, str], ...]
DATE_KEYS = frozenset({"date_basis", "date_text", "date_ref"})


def stated(date: str | None, details: Details) -> str | None:
    """The date the text gives, or None when ``date`` is only the report date (a bound)."""
    return None if ("date_basis", "document") in details else date


def not_after(date: str | None, bound: str | None) -> bool:
    """``date`` can precede ``bound`` (compared at the coarser precision)."""
    if not date or not bound:
        return True
    n = min(len(date), len(bound))
    return date[:n] <= bound[:n]


def refines(a: str | None, b: str | None) -> bool:
    """Same date, one a refinement of the other, or unknown."""
    if not a or not b:
        return True
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@lru_cache(maxsize=1)
def _another_occurrence() -> re.Pattern[str]:
    return re.compile(load_data("anchors")["another_occurrence"], re.I)


def same_occurrence(a: str | None, a_details: Details, a_evidence: str,
                    b: str | None, b_details: Details, b_evidence: str) -> bool:
    """Two mentions of one type and person in one document can be one event: their dates
    are compatible, and when either sentence says it is another occurrence ("In May 2022,
    he was also fined") both state the same date."""
    if not compatible(a, a_details, b, b_details):
        return False
    if a_evidence == b_evidence:
        return True
    rx = _another_occurrence()
    if rx.search(a_evidence) or rx.search(b_evidence):
        sa, sb = stated(a, a_details), stated(b, b_details)
        return bool(sa and sa == sb)
    return True


def compatible(a: str | None, a_details: Details, b: str | None, b_details: Details) -> bool:
    """Two mentions' dates can be one event's: stated dates refine each other, and a
    report date is an upper bound the other's stated date must not pass."""
    sa, sb = stated(a, a_details), stated(b, b_details)
    if sa and sb:
        return refines(sa, sb)
    if sa or sb:
        return not_after(sa or sb, b if sa else a)
    return True


def combine(a: str | None, a_details: Details, b: str | None, b_details: Details) -> tuple[str | None, Details]:
    """(date, date details) for the merged mention: the most precise stated date, else
    the earliest report date."""
    sa, sb = stated(a, a_details), stated(b, b_details)
    picks = [(d, det) for d, det in ((sa, a_details), (sb, b_details)) if d]
    if picks:
        d, det = max(picks, key=lambda p: len(p[0]))
    else:
        bounds = [(d, det) for d, det in ((a, a_details), (b, b_details)) if d]
        if not bounds:
            # undated both: keep an expression the corpus stages may still resolve
            kept = next((det for det in (a_details, b_details) if any(k == "date_text" for k, _ in det)), ())
            return None, tuple(kv for kv in kept if kv[0] in DATE_KEYS)
        d, det = min(bounds, key=lambda p: p[0])
    return d, tuple(kv for kv in det if kv[0] in DATE_KEYS)

"""Resolving date expressions against the document's date, at the precision the text
supports: "July 8, 2022" -> 2022-07-08, "in December" -> YYYY-12, "earlier this year"
-> YYYY, "last week" -> the month a week before, "on Friday" -> the last Friday on or
before a day-precise document date (else its month).

A yearless date takes the year that makes it the most recent such date not after the
document date; a weekday written with it ("Friday, July 8") must agree, and without a
document date the weekday alone picks the year, bounded below by ``floor`` (e.g. the
start of the war for a war-related report): the first consistent year on or after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .datecombine import (  # noqa: F401  (part of this module's API)
    DATE_KEYS,
    Details,
    combine,
    compatible,
    not_after,
    refines,
    same_occurrence,
    stated,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}

_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_RE_MDY = re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I)
_RE_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+((?:19|20)\d\d)\b", re.I)
_RE_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_RE_DOTS = re.compile(r"\b(\d\d)\.(\d\d)\.((?:19|20)\d\d)\b")
_RE_MY = re.compile(rf"\b{_MON}\s+(?:of\s+)?((?:19|20)\d\d)\b", re.I)
_RE_MD = re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*(?:19|20)\d\d)", re.I)
_RE_DM = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}\b(?!\s*,?\s*(?:19|20)\d\d)", re.I)
# a range dates its start: "from August 24 to August 25, 2022", "24-25 August 2022"
_TO = r"\s*(?:to|until|till|through|and|-|\u2013|\u2014)\s*"
_RE_RANGE_MDY = re.compile(
    rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?{_TO}(?:{_MON}\s+)?\d{{1,2}}(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I)
_RE_RANGE_DMY = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?{_MON})?{_TO}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+((?:19|20)\d\d)\b", re.I)
_RE_Y = re.compile(r"\b((?:19|20)\d\d)\b")
_RE_M = re.compile(rf"\b(last|this|in|since|early|late|mid|on|by|until|of)?\s*-?{_MON}\b", re.I)
_RE_WD = re.compile(r"\b(last|this|on|next)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_RE_SEASON = re.compile(r"\b(last|this|in the|next)\s+(spring|summer|autumn|fall|winter)\b", re.I)


_RE_WD_MD = re.compile(
    rf"\b(?:(?:this|last|on)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+(?:the\s+)?"
    rf"(?:{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON})\b", re.I)
_RE_ISO_ANY = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def parse(value: str | None) -> tuple[int, int | None, int | None] | None:
    """'2022', '2022-07' or '2022-07-08' -> (y, m, d)."""
    if not value:
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    return int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None


def fmt(y: int, m: int | None = None, d: int | None = None) -> str:
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def _month(tok: str) -> int:
    t = tok.lower().rstrip(".")
    return MONTHS.get(t, MONTHS.get(t[:3], 0))


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


def normalise(value: object) -> str | None:
    """Any value -> 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a real calendar date), or None.
    Keeps as much precision as is valid: '2022-02-30' -> '2022-02'."""
    if value is None:
        return None
    m = _RE_ISO_ANY.match(str(value).strip())
    if not m or not 1 <= int(m[1]) <= 9999:
        return None
    y = int(m[1])
    mo = int(m[2]) if m[2] else None
    if mo is None or not 1 <= mo <= 12:
        return fmt(y)
    d = int(m[3]) if m[3] else None
    if d is None or _safe(y, mo, d) is None:
        return fmt(y, mo)
    return fmt(y, mo, d)


def weekday_year(mo: int, d: int, weekday: int, floor: date, ceiling: date | None = None) -> int | None:
    """The first year on or after ``floor`` (and not after ``ceiling``, default today)
    in which day ``d`` of month ``mo`` falls on ``weekday`` (0 = Monday)."""
    ceiling = ceiling or date.today()
    for y in range(floor.year, ceiling.year + 1):
        got = _safe(y, mo, d)
        if got and floor <= got <= ceiling and got.weekday() == weekday:
            return y
    return None


def weekday_date(text: str) -> tuple[int, int, int] | None:
    """'Friday, July 8' / 'this Tuesday, September 13' -> (weekday, month, day)."""
    m = _RE_WD_MD.search(text)
    if not m:
        return None
    mo = _month(m[2] or m[5])
    d = int(m[3] or m[4])
    return (WEEKDAYS[m[1].lower()], mo, d) if mo and 1 <= d <= 31 else None


def year_before(mo: int, d: int | None, anchor: tuple[int, int | None, int | None],
                weekday: int | None = None) -> int:
    """Year making (mo, d) the most recent such date not after the anchor; a weekday
    written with the date may move it back a year when only that year agrees."""
    ay, am, ad = anchor
    y = ay
    if am and (mo > am or (mo == am and d and ad and d > ad)):
        y -= 1
    if weekday is not None and d:
        ok = [c for c in (y, y - 1) if (x := _safe(c, mo, d)) and x.weekday() == weekday]
        if ok:
            y = ok[0]
    return y


def absolute(text: str) -> str | None:
    """A date with its year written out, or None."""
    m = _RE_RANGE_MDY.search(text)
    if m and (mo := _month(m[1])) and _safe(int(m[4]), mo, int(m[2])):
        return fmt(int(m[4]), mo, int(m[2]))
    m = _RE_RANGE_DMY.search(text)
    if m and (mo := _month(m[2] or m[3])) and _safe(int(m[4]), mo, int(m[1])):
        return fmt(int(m[4]), mo, int(m[1]))
    for rx, order in ((_RE_MDY, "mdy"), (_RE_DMY, "dmy")):
        m = rx.search(text)
        if m:
            mo, d, y = (_month(m[1]), int(m[2]), int(m[3])) if order == "mdy" else (_month(m[2]), int(m[1]), int(m[3]))
            if _safe(y, mo, d):
                return fmt(y, mo, d)
    m = _RE_ISO.search(text)
    if m and _safe(int(m[1]), int(m[2]), int(m[3])):
        return fmt(int(m[1]), int(m[2]), int(m[3]))
    m = _RE_DOTS.search(text)
    if m and _safe(int(m[3]), int(m[2]), int(m[1])):
        return fmt(int(m[3]), int(m[2]), int(m[1]))
    m = _RE_MY.search(text)
    if m:
        return fmt(int(m[2]), _month(m[1]))
    m = _RE_Y.search(text)
    if m and re.search(r"\b(in|since|of|year|early|late|by|until|during)\b", text, re.I) or (m and text.strip() == m[0]):
        return fmt(int(m[1]))
    return None


def resolve(text: str, anchor: str | None, floor: date | None = None) -> str | None:
    """Resolve one date expression against the document date ``anchor``; without one,
    only a weekday+date ("Friday, July 8") can be placed, in the first consistent year
    on or after ``floor``."""
    got = absolute(text)
    if got:
        return got
    a = parse(anchor)
    wd = weekday_date(text)
    if a is None:
        if wd and floor:
            y = weekday_year(wd[1], wd[2], wd[0], floor)
            return fmt(y, wd[1], wd[2]) if y else None
        return None
    ay, am, ad = a
    low = text.lower()
    ref = _safe(ay, am or 1, ad or 1) if am else None
    if ad and am and ref:
        if re.search(r"\b(today|this morning|tonight|this evening)\b", low):
            return fmt(ay, am, ad)
        if re.search(r"\b(yesterday|the day before|the previous day)\b", low):
            d = ref - timedelta(days=1)
            return fmt(d.year, d.month, d.day)
    m = _RE_MD.search(text) or _RE_DM.search(text)
    if m:
        mo, d = (_month(m[1]), int(m[2])) if m.re is _RE_MD else (_month(m[2]), int(m[1]))
        # a yearless date after the document date is last year's
        y = year_before(mo, d, a, wd[0] if wd and (wd[1], wd[2]) == (mo, d) else None)
        if _safe(y, mo, d):
            return fmt(y, mo, d)
    m = _RE_WD.search(text)
    if m and am:
        if ad and ref:
            back = (ref.weekday() - WEEKDAYS[m[2].lower()]) % 7
            if (m[1] or "").lower() == "last" and back == 0:
                back = 7
            d = ref - timedelta(days=back)
            return fmt(d.year, d.month, d.day)
        return fmt(ay, am)
    if re.search(r"\b(this|last|past|previous|earlier this|that) week\b|\bthis weekend\b|\blast weekend\b|\bover the weekend\b", low) and am:
        if ref and ad and re.search(r"\b(last|past|previous) week", low):
            d = ref - timedelta(days=7)
            return fmt(d.year, d.month)
        return fmt(ay, am)
    if re.search(r"\b(this|earlier this|later this) month\b", low) and am:
        return fmt(ay, am)
    if re.search(r"\b(last|previous|past) month\b", low) and am:
        return fmt(ay - (am == 1), 12 if am == 1 else am - 1)
    if re.search(r"\b(this|earlier this|later this) year\b", low):
        return fmt(ay)
    if re.search(r"\b(last|previous|past) year\b", low):
        return fmt(ay - 1)
    m = _RE_SEASON.search(text)
    if m:
        mo = SEASONS[m[2].lower()]
        if m[1].lower() == "last":
            return fmt(ay - 1 if not am or mo >= am else ay)
        return fmt(ay)
    m = _RE_M.search(text)
    if m and _month(m[2]):
        mo = _month(m[2])
        if m[2].lower() == "may" and not (m[1] or "").strip():
            return None  # the modal verb, not the month
        y = ay
        if am and (mo > am or ((m[1] or "").lower() == "last" and mo >= am)):
            y -= 1
        return fmt(y, mo)
    return None


# -- offsets from another happening ----------------------------------------------------
#
# "Two days after the statement was issued", "a week later", "within a week", "the next
# day": the date is counted from a reference happening, not from the report. Exact day
# counts keep day precision; weeks and months are approximate (month precision), and
# "within" is an upper bound (the reference month, when the window stays inside it).

_NUMS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 0, "few": 0}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_RE_OFFSET = re.compile(
    r"^(?:(within|in)\s+)?(?:(?:just|only|some|about)\s+)?(a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|\d{1,2})\s+(day|week|month)s?(?:\s+(after|later|before|earlier))?$", re.I)
_RE_NEXT_DAY = re.compile(
    r"^(?:on\s+)?the\s+(next|following|previous)\s+day$|^a\s+day\s+(later|earlier)$|^the\s+day\s+(after|before)$", re.I)
OFFSET_DIRECTIONS = frozenset({"after", "later", "before", "earlier"})


@dataclass(frozen=True)
class Offset:
    days: int  # signed
    exact: bool  # day counts: the shifted day is meant
    within: bool  # an upper bound: some time in the window after the reference


def offset(text: str | None) -> Offset | None:
    """'Two days after' -> +2 days exact; 'a week later' -> +7 approximate; 'within a week'
    -> a window of 7 days; 'the next day' -> +1. Anything else (durations, 'ago') -> None."""
    if not text:
        return None
    t = " ".join(text.split())
    m = _RE_NEXT_DAY.match(t)
    if m:
        back = (m[1] or m[2] or m[3]).lower() in {"previous", "earlier", "before"}
        return Offset(-1 if back else 1, True, False)
    m = _RE_OFFSET.match(t)
    if not m or not (m[1] or m[4]):
        return None
    n = int(m[2]) if m[2].isdigit() else _NUMS[m[2].lower()]
    unit = m[3].lower()
    if (m[1] or "").lower() == "in" and not m[4]:
        return None  # "in two days" counts from the report
    sign = -1 if (m[4] or "").lower() in {"before", "earlier"} else 1
    return Offset(sign * n * _UNIT_DAYS[unit], unit == "day", bool(m[1]) and not m[4])


def shift(base: str | None, off: Offset | None) -> str | None:
    """``base`` moved by ``off``, at the precision the offset supports."""
    p = parse(base)
    if off is None or p is None or p[1] is None:
        return None
    y, mo, d = p
    if d is None:
        # a month reference: only a window inside it keeps the month
        return fmt(y, mo) if off.within else None
    ref = _safe(y, mo, d)
    if ref is None:
        return None
    got = ref + timedelta(days=off.days)
    if off.within:
        return fmt(y, mo) if (got.year, got.month) == (y, mo) else (fmt(y) if got.year == y else None)
    return fmt(got.year, got.month, got.day) if off.exact else fmt(got.year, got.month)


# -- attaching a date to an event trigger ---------------------------------------------
#
# A date in a sentence belongs to the event whose clause it sits in. Climbing the
# dependency tree from the date to the first verb finds that clause; on the way, a
# temporal-anchor preposition with a noun of its own ("opened a case after his live
# stream on April 7") hands the date to that noun: it dates the earlier happening, not
# the verb. A trigger shares a date with another clause only where English shares it:
# an xcomp, a clause reported by a report verb, a "when" clause, a conjunct without
# its own subject ("On May 19 the court found X guilty and imposed a fine"), and a
# relative clause whose head noun is dated ("the video published on July 1, in which
# X spoke").

DURATION = re.compile(r"\b(years?|months?|weeks?|days?|hours?|-year|decades?)\b", re.I)
RELATIVE = re.compile(r"\b(last|this|ago|earlier|yesterday|today|previous|past|next)\b", re.I)
REPORT_VERBS = frozenset({"report", "say", "tell", "write", "announce", "confirm", "learn"})
# prepositions that place their object's happening relative to the clause's
ANCHOR_PREPS = frozenset({"after", "before", "following", "since", "until", "till", "prior", "ahead", "amid"})
_LEAD_WORDS = frozenset({"on", "in", "since", "last", "this", "by"})
_REF_SENTENCES = 3  # how far back an offset's reference time is looked for
_VERBAL = frozenset({"VERB", "AUX"})


@dataclass(frozen=True)
class EventDate:
    """A trigger's date: ``basis`` 'text' (the sentence dates it) or 'document' (the
    report date, month precision, an upper bound); ``text`` the raw expression."""

    date: str | None = None
    basis: str | None = None
    text: str | None = None
    ref: str | None = None  # for an offset ("two days after"): the reference date's expression

    def details(self) -> tuple[tuple[str, str], ...]:
        out: tuple[tuple[str, str], ...] = (("date_basis", self.basis),) if self.basis else ()
        out += (("date_text", self.text),) if self.text else ()
        return out + ((("date_ref", self.ref),) if self.ref else ())


def _governor(root: Token) -> tuple[Token, bool]:
    """(first verbal ancestor of a date, whether the climb crossed an anchor preposition
    that has a noun of its own between it and the date)."""
    gov, crossed, prev = root, False, None
    while gov.pos_ not in _VERBAL and gov.head.i != gov.i:
        prev, gov = gov, gov.head
        if gov.dep_ == "prep" and gov.lower_ in ANCHOR_PREPS and prev is not None and prev.pos_ in {"NOUN", "PROPN"} \
                and prev.ent_type_ != "DATE":
            crossed = True
    return gov, crossed


def _shares_with_head(tok: Token) -> bool:
    """Clauses that take their head clause's date when they have none of their own."""
    head = tok.head
    if head.i == tok.i:
        return False
    if tok.dep_ == "xcomp":
        return True
    if tok.dep_ == "ccomp" and head.lemma_.lower() in REPORT_VERBS:
        return True  # "reported this week that authorities placed X"
    if tok.dep_ == "advcl" and any(c.lower_ == "when" for c in tok.children):
        return True  # "emerged last week when X called on"
    # "On May 19 the court found X guilty and imposed a fine"
    return tok.dep_ == "conj" and tok.pos_ in _VERBAL and head.pos_ in _VERBAL \
        and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in tok.children)


def _clause(tok: Token) -> Token:
    """The verb whose clause a (possibly nominal) trigger is in: itself for a verb."""
    cur = tok
    while cur.pos_ not in _VERBAL and cur.head.i != cur.i:
        cur = cur.head
    return cur


def _expression(e: Span) -> str:
    prev = e.doc[e.start - 1] if e.start > 0 else None
    return f"{prev.text} {e.text}" if prev is not None and prev.lower_ in _LEAD_WORDS else e.text


def attach(tok: Token, sent: Span, anchor: str | None, report_ok: bool = True,
           ents: list[Span] | None = None) -> EventDate:
    """The date of the event triggered by ``tok``: the nearest date expression of its own
    clause, else one its clause shares (see above), else - for a lede or present-perfect
    report, ``report_ok`` - the document's month as an upper bound. ``ents``: the
    sentence's entities when the caller has them (``sent.ents`` rebuilds the document's)."""
    own_clause = _clause(tok)
    nominal = tok.pos_ in {"NOUN", "PROPN"}
    cands = []
    for e in sent.ents if ents is None else ents:
        if e.label_ != "DATE":
            continue
        off_text = _offset_expression(e)
        if off_text is None and _is_duration(e):
            continue
        point: Token | None = None
        if off_text:
            gov, point = _offset_governor(e)
            crossed = False
        else:
            gov, crossed = _governor(e.root)
        if crossed and not (nominal and tok in list(e.root.ancestors)):
            continue  # dates the anchor noun ("after his live stream on April 7")
        if gov.i == tok.i or (nominal and gov.i == own_clause.i) \
                or (tok.dep_ in {"relcl", "acl"} and e.start <= tok.head.i < e.end):  # "on July 1, when X spoke"
            tier = 0
        elif (_shares_with_head(tok) and gov.i == tok.head.i) \
                or (nominal and _shares_with_head(own_clause) and gov.i == own_clause.head.i) \
                or (tok.dep_ in {"relcl", "acl"} and _dates_noun(gov, e, tok.head)) \
                or (tok.dep_ == "relcl" and any(c.lower_ in {"where", "when"} for c in tok.children)
                    and gov.i == _clause(tok.head).i):
            tier = 1  # shared; "the video published on July 1, in which X spoke"; "summoned
            # to the station on May 5, where they were charged"
        else:
            continue
        if off_text:
            base, ref = _reference(e, point, sent, anchor)
            got = shift(base, offset(off_text)) or ""
            cands.append((tier, abs(e.root.i - tok.i), got, off_text, ref or ""))
            continue
        text = _expression(e)
        cands.append((tier, abs(e.root.i - tok.i), resolve(text, anchor) or "", text, ""))
    best = min(cands) if cands else None
    if best and best[2]:
        return EventDate(best[2], "text", best[3], best[4] or None)
    # an expression that needs a document date ("on September 7" in an undated text) is
    # kept for the corpus stages, which may know the date from related reports
    unresolved, ref = (best[3], best[4] or None) if best else (None, None)
    if not unresolved and (post := embed_date(sent)):
        return EventDate(post[0], "text", post[1])
    p = parse(anchor)
    if p and report_ok:
        return EventDate(fmt(p[0], p[1]), "document", unresolved, ref)
    return EventDate(None, None, unresolved, ref)


# -- embedded social-media posts ------------------------------------------------------
#
# An embedded post ends with its signature: "— Name (@handle) September 12, 2022". The
# signature dates the post's text (its own paragraph, and a quoted translation printed
# just above it), and a report that someone published/posted on a platform takes it when
# every embedded post in the document has that one date (otherwise it is ambiguous).

_RE_SIGNATURE = re.compile(r"[\u2014\u2013]\s*[^\n()]{1,80}\(@\w{1,40}\)\s*([^\n]{6,40}?)\s*$", re.M)
_RE_PLATFORM = re.compile(r"\b(twitter|tweet(?:ed|s)?|telegram|facebook|instagram|vkontakte)\b", re.I)
_OPEN_QUOTES = "\u201c\"\u00ab\u201e"
_CLOSE_QUOTES = " \t\n\u201d\"\u00bb\u201c"


def signatures(text: str) -> list[tuple[int, int, str, str]]:
    """(paragraph start, signature end, date, written date) of each embedded-post
    signature with a full date."""
    out = []
    for m in _RE_SIGNATURE.finditer(text):
        got = absolute(m[1])
        if got and len(got) == 10:
            out.append((text.rfind("\n", 0, m.start()) + 1, m.end(), got, m[1]))
    return out


def embed_date(sent: Span) -> tuple[str, str] | None:
    """(date, written date) of the embedded post ``sent`` belongs to or reports the
    publication of, when unambiguous."""
    doc = sent.doc
    sigs = doc.user_data.get("khronika_signatures")
    if sigs is None:
        sigs = doc.user_data["khronika_signatures"] = signatures(doc.text)
    if not sigs:
        return None
    text = doc.text  # spaCy joins it anew on every access: only when there are posts
    s0, s1 = sent.start_char, sent.end_char
    para = text.rfind("\n", 0, s0) + 1
    for start, end, got, written in sigs:
        if start <= s0 < end:
            return got, written  # the post's own text
        between = [x for x in text[s1:start].strip(_CLOSE_QUOTES).splitlines() if x.strip()]
        if s1 <= start and text[para:para + 1] in _OPEN_QUOTES and len(between) <= 1 \
                and not any(x.lstrip()[:1] in _OPEN_QUOTES for x in between):
            return got, written  # its quoted translation, just above it (the original may sit between)
    if _RE_PLATFORM.search(sent.text) and len({got for _, _, got, _ in sigs}) == 1:
        return sigs[0][2], sigs[0][3]
    return None


def _is_duration(e: Span) -> bool:
    return bool(DURATION.search(e.text)) and not RELATIVE.search(e.text)


def _offset_expression(e: Span) -> str | None:
    """'Two days' before 'after', 'a week' after 'within', 'a week later', 'the next day':
    the offset expression when the entity counts from another happening, else None."""
    doc, text = e.doc, e.text
    nxt = doc[e.end] if e.end < len(doc) else None
    if nxt is not None and nxt.lower_ in OFFSET_DIRECTIONS and e[-1].lower_ not in OFFSET_DIRECTIONS:
        text = f"{text} {nxt.text}"
    if e.start > 0 and doc[e.start - 1].lower_ == "within":
        text = f"within {text}"
    return text if offset(text) else None


def _offset_governor(e: Span) -> tuple[Token, Token | None]:
    """(clause an offset dates, the 'after'/'before' word introducing its reference, if any).
    "Two days after the statement was issued, X was charged": the count modifies the
    subordinate verb but dates the main clause."""
    head = e.root.head
    if head.pos_ in _VERBAL and head.dep_ == "advcl":
        mark = next((c for c in head.children if c.dep_ == "mark" and c.lower_ in OFFSET_DIRECTIONS), None)
        if mark is not None:
            return head.head, head
    gov, _ = _governor(e.root)
    return gov, head if head.lower_ in OFFSET_DIRECTIONS and head.dep_ == "prep" else None


def _reference(e: Span, point: Token | None, sent: Span, anchor: str | None) -> tuple[str | None, str | None]:
    """(date, expression) an offset counts from: a date inside its own 'after ...' phrase
    ("three days after his arrest on May 5"), else the narrative's reference time - the
    latest date expression written before it in the last few sentences."""
    doc = sent.doc
    if point is not None:
        inside = {t.i for t in point.subtree}
        for x in sent.ents:
            if x.label_ == "DATE" and x.start != e.start and x.root.i in inside and not _is_duration(x):
                text = _expression(x)
                return resolve(text, anchor), text
    start = sent
    for _ in range(_REF_SENTENCES):
        if start.start == 0:
            break
        start = doc[start.start - 1].sent
    for x in reversed(doc.ents):
        if x.end > e.start or x.label_ != "DATE" or _is_duration(x) or _offset_expression(x):
            continue
        if x.start < start.start:
            break
        text = _expression(x)
        return resolve(text, anchor), text
    return None, None


def _dates_noun(gov: Token, e: Span, noun: Token) -> bool:
    """The date modifies ``noun`` directly or through a participle/relative clause of it."""
    if gov.i == noun.i:
        return True
    return gov.dep_ in {"acl", "relcl"} and gov.head.i == noun.i

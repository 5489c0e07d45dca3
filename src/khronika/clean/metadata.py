"""Metadata from lines: dates, bylines, URLs, outlets, language, headline tidying.

Dates are read with a small regex grammar over month names from
data/boilerplate.yaml (fast and predictable: a date *line* must be almost nothing
but a date); free-form strings from containers fall back to dateparser.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from .patterns import Patterns, load_patterns, outlet_key

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|utc|gmt|msk)?(?=\W|$)", re.I)
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


def _ymd(y: int, m: int, d: int) -> str | None:
    if 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def find_dates(text: str, p: Patterns | None = None) -> list[tuple[int, int, str]]:
    """(start, end, YYYY-MM-DD) for every full date written in ``text``."""
    p = p or load_patterns()
    mdy, dmy = p.month_day_year, p.day_month_year
    out: list[tuple[int, int, str]] = []
    for m in _ISO.finditer(text):
        v = _ymd(int(m[1]), int(m[2]), int(m[3]))
        if v:
            out.append((m.start(), m.end(), v))
    for m in mdy.finditer(text):
        v = _ymd(int(m[3]), p.months[m[1].lower()], int(m[2]))
        if v:
            out.append((m.start(), m.end(), v))
    for m in dmy.finditer(text):
        v = _ymd(int(m[3]), p.months[m[2].lower()], int(m[1]))
        if v:
            out.append((m.start(), m.end(), v))
    for m in _DOTTED.finditer(text):
        v = _ymd(int(m[3]), int(m[2]), int(m[1]))
        if v:
            out.append((m.start(), m.end(), v))
    out.sort()
    kept: list[tuple[int, int, str]] = []
    for d in out:  # drop overlaps (an ISO date inside a longer match)
        if not kept or d[0] >= kept[-1][1]:
            kept.append(d)
    return kept


def normalise_date(value: str | None) -> str | None:
    """Any date string from a container or page to YYYY-MM-DD (None if unreadable)."""
    if not value or not value.strip():
        return None
    found = find_dates(value)
    if found:
        return found[0][2]
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{2}))?\s*", value)
    if m:
        return m[1] + (f"-{m[2]}" if m[2] else "")
    try:
        import dateparser

        dt = dateparser.parse(value, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on junk
        return None
    return dt.strftime("%Y-%m-%d") if dt else None


def date_line(text: str, p: Patterns | None = None) -> str | None:
    """The date when ``text`` is a dateline and little else ("Sunday, December 15, 2024",
    "News 14:26 02 Nov, 2022", "8 July 2022, 19:56"); None for a sentence with a date."""
    p = p or load_patterns()
    dates = find_dates(text, p)
    if not dates or len(text) > 80:
        return None
    rest = text
    for s, e, _ in reversed(dates):
        rest = rest[:s] + " " + rest[e:]
    rest = _TIME.sub(" ", rest)
    words = [w.lower() for w in _WORD.findall(rest)]
    leftover = [w for w in words if w not in p.weekdays and w not in p.date_labels]
    # one unknown word is allowed: a section name printed before the date ("Abroad", "World")
    return dates[0][2] if len(leftover) <= 1 else None


def byline(text: str, p: Patterns | None = None) -> tuple[str, str | None] | None:
    """(author, date) when ``text`` is a byline: "By Joshua Manning • 12 September 2022 • 14:44",
    "Foreign Policy Brief #156 | By: Yelena Korshunov | November 14, 2022"."""
    p = p or load_patterns()
    if len(text.split()) > 20:
        return None
    for seg in re.split(r"\s*[|•·]\s*", text):
        m = re.match(r"^by:?\s+(.+)$", seg.strip(), re.I)
        if not m:
            continue
        name = p.read_time.sub(" ", m.group(1))
        dates = find_dates(name, p)
        if dates:
            name = name[: dates[0][0]]
        name = _TIME.sub(" ", name)
        name = re.sub(r"\s+", " ", name).strip(" ,;-–—")
        words = name.split()
        if not words or len(words) > 6:
            return None
        # names are capitalised: "By supporting The Moscow Times" is not a byline
        if not all(w[0].isupper() or w.lower() in {"de", "van", "von", "al", "and", "&"} for w in words):
            return None
        d = find_dates(text, p)
        return name, (d[0][2] if d else None)
    return None


def name_like(text: str) -> bool:
    """Two or three capitalised words, nothing else: "Сергей Голубев", "Vasil Polonsky"."""
    words = text.split()
    return 2 <= len(words) <= 3 and all(_WORD.fullmatch(w) and w[0].isupper() and not w.isupper() for w in words)


def find_url(text: str) -> str | None:
    m = _URL.search(text)
    return m.group(0).rstrip(".,;>") if m else None


def url_label(text: str, p: Patterns | None = None) -> tuple[bool, str | None]:
    """("Original url: <https://…>") -> (True, url); a label alone -> (True, None)."""
    p = p or load_patterns()
    m = re.match(r"^\s*([A-Za-z ]{2,20})\s*:\s*(.*)$", text)
    if not m or m.group(1).strip().lower() not in p.url_labels:
        return False, None
    rest = m.group(2).strip()
    if not rest:
        return True, None
    url = find_url(rest)
    return (True, url) if url and len(rest) <= len(url) + 4 else (False, None)


def bare_url(text: str) -> str | None:
    """A paragraph that is only a URL (optionally in <...>)."""
    t = text.strip().strip("<>").strip()
    return t if _URL.fullmatch(t) else None


def canonical_outlet(name: str, p: Patterns | None = None) -> str:
    """Map a spelling to the outlet's canonical name ("THE WASHINGTON EXAMINER" -> "Washington Examiner")."""
    p = p or load_patterns()
    clean = re.sub(r"[®™*]", "", name).strip(" .,:;!\"'“”")
    known = p.outlet_keys.get(outlet_key(clean))
    if known is not None:
        return known
    return clean.title() if clean.isupper() and len(clean) > 5 else clean


def outlet_from_url(url: str | None, p: Patterns | None = None) -> str | None:
    if not url:
        return None
    p = p or load_patterns()
    host = (urlparse(url).hostname or "").lower()
    # a domain matches the host itself or any parent of it ("news.bbc.co.uk" ends ".bbc.co.uk")
    suffixes = [host] + [host[i + 1:] for i, c in enumerate(host) if c == "."]
    found = [p.outlet_domains[d] for d in suffixes if d in p.outlet_domains]
    return p.outlets[min(found)].name if found else None


def outlet_from_signature(text: str, p: Patterns | None = None) -> str | None:
    """The outlet a masthead/appeal/footer/dateline line names, if it is one."""
    p = p or load_patterns()
    for o in p.outlets:
        if any(rx.search(text) for rx in o.signatures):
            return o.name
    for rx in p.signature_patterns:
        m = rx.search(text)
        if m and len(m.group("outlet").split()) <= 5:
            return canonical_outlet(m.group("outlet"), p)
    return None


def tidy_title(title: str, p: Patterns | None = None) -> tuple[str, str | None]:
    """(headline, site suffix) with CMS prefixes and "| Site" suffixes removed."""
    p = p or load_patterns()
    t = re.sub(r"\s+", " ", title).strip().lstrip("#").strip()
    for rx in p.title_prefixes:
        t = rx.sub("", t, count=1)
    site = None
    for sep in p.title_suffix_separators:
        if sep in t:
            head, tail = t.rsplit(sep, 1)
            if len(tail.split()) <= p.title_suffix_max_words and len(head.split()) >= 4:
                t, site = head.strip(), tail.strip()
                break
    return t, site


_CYRILLIC = re.compile("[\u0400-\u04ff]+")
_LATIN = re.compile("[A-Za-z]+")  # the ASCII letters, what c.isascii() and c.isalpha() accept


def language(text: str) -> str:
    """Cheap script test: mostly Cyrillic -> "ru", otherwise "en"."""
    # counted by regex runs, not a Python loop per character
    sample = text[:20000]
    if not _CYRILLIC.search(sample):
        return "en"
    cyr = sum(map(len, _CYRILLIC.findall(sample)))
    lat = sum(map(len, _LATIN.findall(sample)))
    return "ru" if cyr > lat else "en"

"""Paragraph-level cleaner for plain text and markdown.

The text is cut into units (one per line, or one per paragraph when a block is
hard-wrapped prose), markdown markup is reduced to text, and each unit is either
kept or dropped with a reason. Decisions, in order:

1. metadata lines (scraper "date" prefix, "Original url:", bylines, datelines) go
   to metadata;
2. multi-paragraph appeals (data/boilerplate.yaml ``blocks``) and single-line
   boilerplate categories (``categories``);
3. a tail after an end marker ("Leave a Reply", "Other Topics of Interest");
4. the header zone before the first body paragraph: the headline is chosen, short
   non-sentences around it (taglines, breadcrumbs, kickers) go;
5. body repairs: fragments split by stripped links are re-joined, captions next to
   credits and truncated image captions go, repeated paragraphs are kept once.

When in doubt a unit is kept: losing a content sentence costs more than leaving a
caption in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Removal
from . import metadata as md
from .patterns import Patterns, load_patterns

_TERMINAL = re.compile(r"[.!…][\"'”’»)\]]*$")
_QUESTION = re.compile(r"\?[\"'”’»)\]]*$")
_ANY_END = re.compile(r"[.!?…:;,][\"'”’»)\]]*$")
_BULLET = re.compile(r"^\s*(?:[-*•·–—]|\d{1,2}[.)])\s+")
_CONTINUES = re.compile(r"^[a-zа-яё\-–—,;:)]")  # a line that carries on the previous sentence
_LOWER = re.compile(r"[a-zа-яё]")  # common lower-case letters: a quick "not ALL CAPS" test
_SCRAPER_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b\s*")
HEADER_SCAN = 15  # units examined for a headline/byline/dateline; deeper lines are body


@dataclass
class Unit:
    raw: str
    text: str
    heading: bool = False
    reason: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class TextResult:
    paragraphs: list[str]
    removed: list[Removal]
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    site_suffix: str | None = None
    signals: list[str] = field(default_factory=list)


_SINGLE_QUOTES = re.compile(r"[‘’`´]")
_DOUBLE_QUOTES = re.compile(r"[“”«»„]")
_SPACES = re.compile(r"\s+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060]")


@lru_cache(maxsize=4096)  # clean_text asks again for the same paragraphs (title, headline copies, repeats)
def key(text: str) -> str:
    """Normalised paragraph key: case, quotes, spacing and final punctuation ignored."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = _SINGLE_QUOTES.sub("'", t)
    t = _DOUBLE_QUOTES.sub('"', t)
    t = _SPACES.sub(" ", t)
    return t.strip(" .,;:!?'\"*-–—…")


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("\u00a0", " ").replace("\t", " ")
    return text


_MARKUP = re.compile(r"[#>\[<*_]")  # every rule below needs one of these characters
_HEADING = re.compile(r"^\s*#{1,6}\s")
_HEADING_OPEN = re.compile(r"^\s*#{1,6}\s+")
_HEADING_CLOSE = re.compile(r"\s+#{1,6}\s*$")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def strip_markdown(s: str) -> tuple[str, bool]:
    """Markdown to text: (text, is_heading). Links keep their text, images go."""
    if not _MARKUP.search(s):  # most lines are plain prose
        return _SPACES.sub(" ", s).strip(), False
    heading = bool(_HEADING.match(s))
    s = _HEADING_OPEN.sub("", s)
    s = _HEADING_CLOSE.sub("", s) if heading else s
    s = _QUOTE_MARK.sub("", s)
    s = _IMAGE.sub("", s)
    s = _LINK.sub(r"\1", s)
    s = _AUTOLINK.sub(r"\1", s)
    s = _BOLD.sub(r"\2", s)
    s = _ITALIC.sub(r"\1", s)
    return _SPACES.sub(" ", s).strip(), heading


def _hard_wrapped(lines: list[str]) -> bool:
    """Prose wrapped at a fixed width: most lines run on into a lower-case next line."""
    if len(lines) < 3:
        return False
    runs = sum(1 for a, b in zip(lines, lines[1:], strict=False)
               if not _ANY_END.search(a) and b[:1].islower())
    return runs >= 0.6 * (len(lines) - 1)


_BLANK_LINE = re.compile(r"\n[ ]*\n")
_RULE = re.compile(r"[=\-_*]{3,}")


def split_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for block in _BLANK_LINE.split(normalise(text)):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if _hard_wrapped(lines):
            lines = [" ".join(lines)]
        for line in lines:
            if _RULE.fullmatch(line):  # setext underline / horizontal rule
                if line.startswith("=") and units:
                    units[-1].heading = True
                continue
            plain, heading = strip_markdown(line)
            if plain:
                units.append(Unit(raw=line, text=plain, heading=heading))
    return units


def _match_text(u: Unit) -> str:
    return _unbulleted(u.text)


@lru_cache(maxsize=4096)  # each rule family (blocks, categories, tail markers) looks at every unit
def _unbulleted(text: str) -> str:
    return _BULLET.sub("", text).strip()


def classify(text: str, p: Patterns) -> str | None:
    """The boilerplate category of one paragraph, or None."""
    words = len(text.split())
    for cat in p.categories:
        if words <= cat.max_words:
            for loose, search in cat.tests:
                if (loose is None or loose(text)) and search(text):
                    return cat.name
    # an ALL-CAPS line of several words is another story's headline (teaser)
    if words < 4 or len(_LOWER.findall(text)) >= 0.1 * len(text):
        return None  # lower-case letters are letters that are not upper case: over a tenth, no teaser
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.9:
        return "teaser"
    return None


def _is_body(u: Unit) -> bool:
    if u.heading:
        return False
    if u.words >= 25:
        return True
    if u.words >= 8 and _TERMINAL.search(u.text):
        return True
    return u.words >= 15 and bool(_QUESTION.search(u.text))


def _headline_like(u: Unit) -> bool:
    t = u.text
    if not 3 <= u.words <= 30 or _TERMINAL.search(t) and not u.heading:
        return False
    if re.search(r"[:;,]$", t):
        return False
    return bool(re.match(r"^[\"'“‘«(\w]", t)) and (t[:1].isupper() or not t[:1].isalpha())


def clean_text(text: str, hints: dict[str, str | None] | None = None, p: Patterns | None = None) -> TextResult:
    p = p or load_patterns()
    hints = hints or {}
    units = split_units(text)
    res = TextResult(paragraphs=[], removed=[])
    extra: list[Removal] = []

    def mark(i: int, reason: str) -> None:
        if units[i].reason is None:
            units[i].reason = reason

    # 1. scraper prefix " date 2022-07-08 <rest of first line>"
    if units:
        m = _SCRAPER_DATE.match(units[0].text)
        if m:
            res.published = m.group(1)
            extra.append(Removal(m.group(0).strip(), "date_line"))
            rest = units[0].text[m.end():].strip()
            if rest:
                units[0] = Unit(raw=rest, text=rest, heading=units[0].heading)
            else:
                units.pop(0)

    for i, u in enumerate(units):
        is_label, url = md.url_label(u.text, p)
        if is_label:
            mark(i, "url_line")
            if url is None and i + 1 < len(units) and md.bare_url(units[i + 1].text):
                url = md.bare_url(units[i + 1].text)
                mark(i + 1, "url_line")
            res.url = res.url or url

    # 2. appeal blocks, then single-line categories
    for b in p.blocks:
        for i, u in enumerate(units):
            if u.reason or not b.start.search(_match_text(u)):
                continue
            end = None
            for j in range(i + 1, min(len(units), i + b.max_paragraphs)):
                if b.end and b.end.search(_match_text(units[j])):
                    end = j
                    break
            if end is None and b.to_end and len(units) - i <= b.max_paragraphs:
                end = len(units) - 1
            if end is not None:
                for j in range(i, end + 1):
                    mark(j, b.name)
    for i, u in enumerate(units):
        if u.reason is None:
            reason = classify(_match_text(u), p)
            if reason == "teaser" and i == 0:
                continue  # a capitalised first line is this article's own headline
            if reason:
                mark(i, reason)

    # 3. tail after an end marker, if the tail is small next to the body above it
    for i, u in enumerate(units):
        if i >= 3 and any(rx.search(_match_text(u)) for rx in p.tail_markers):
            tail = [v for v in units[i + 1:] if v.reason is None]
            above = sum(len(v.text) for v in units[:i] if v.reason is None)
            if len(units) - i - 1 <= 8 and sum(len(v.text) for v in tail) <= 0.5 * above:
                for j in range(i + 1, len(units)):
                    mark(j, "tail")
            break

    # 4. header zone
    body_start = next((i for i, u in enumerate(units) if u.reason is None and _is_body(u)), len(units))
    header = range(min(body_start, HEADER_SCAN))
    for i in header:
        u = units[i]
        if u.reason:
            continue
        by = md.byline(u.text, p)
        if by:
            res.author = res.author or by[0]
            res.published = res.published or by[1]
            mark(i, "byline")
            continue
        d = md.date_line(u.text, p)
        if d:
            res.published = res.published or d
            mark(i, "date_line")

    title_idx: int | None = None
    title = hints.get("title")
    if not title:
        cands = [i for i in header if units[i].reason is None and _headline_like(units[i])]
        keys = [key(u.text) for u in units]

        def recurs(i: int) -> bool:
            k = keys[i]
            # a headline printed twice sits near its copy (masthead + article head, breadcrumb);
            # a lead sentence repeated deep in the body is a dek, not the title
            return any(j != i and (keys[j] == k or (keys[j].endswith(k) and len(keys[j]) - len(k) < 30))
                       for j in range(max(0, i - 3), min(len(units), i + 4)))

        pick = next((i for i in cands if units[i].heading), None)
        if pick is None:
            pick = next((i for i in cands if recurs(i)), None)
        if pick is None and cands:
            pick = cands[0]
        if pick is not None:
            title_idx = pick
            title = units[pick].text
    if title:
        tidy, res.site_suffix = md.tidy_title(title, p)
        res.title = tidy
        tkeys = {key(title), key(tidy)}
        # copies of the headline go only from the head of the page; deeper down the
        # repeat rule keeps one copy, so a misjudged headline never costs body text
        head_end = max(body_start, (title_idx or 0) + 4)
        for i, u in enumerate(units[:head_end]):
            k = key(u.text)
            if k in tkeys:
                mark(i, "title_line")
            elif any(k.endswith(t) and 0 < len(k) - len(t) < 30 and len(t) > 20 for t in tkeys):
                mark(i, "breadcrumb")  # "WorldAsiaThe court imposed ..." = section path + headline
    for i in header:
        u = units[i]
        if u.reason or u.words > 8 or _ANY_END.search(u.text) and not u.text.endswith(":"):
            continue
        if title_idx is not None and i > title_idx and not res.author and md.name_like(u.text):
            res.author = u.text
            mark(i, "byline")
        elif title_idx is not None or i < body_start:
            mark(i, "masthead")

    # 5. body repairs
    _merge_fragments(units, body_start)
    _captions(units)
    seen: set[str] = set()
    for i, u in enumerate(units):
        if u.reason is None:
            k = key(u.text)
            if k in seen:
                mark(i, "repeat")
            seen.add(k)

    for u in units:
        if u.reason is None:
            res.paragraphs.append(u.text)
        elif u.reason != "merged":  # merged text lives on in the previous paragraph
            extra.append(Removal(u.raw, u.reason))
            if u.reason not in ("repeat", "title_line"):
                res.signals.append(u.text)
    res.removed = extra
    res.signals.extend(res.paragraphs[:2])
    for s in res.signals:
        res.outlet = md.outlet_from_signature(_BULLET.sub("", s), p)
        if res.outlet:
            break
    return res


def _ends_mid_sentence(t: str) -> bool:
    return bool(re.search(r"[a-zа-яё,]$", t))


def _merge_fragments(units: list[Unit], start: int) -> None:
    """Re-join a sentence that a stripped link split over lines:
    "... journalist" / "Vasil Polonsky" / "reported in his Telegram channel ."."""
    live = [i for i in range(start, len(units)) if units[i].reason is None]
    k = 0
    while k + 1 < len(live):
        a, b = units[live[k]], units[live[k + 1]]
        nxt = units[live[k + 2]] if k + 2 < len(live) else None
        # b continues a's sentence, or b is a short name whose sentence goes on after it
        joins = not a.heading and a.words >= 6 and _ends_mid_sentence(a.text) and (
            bool(_CONTINUES.match(b.text))
            or (b.words <= 4 and not _ANY_END.search(b.text) and nxt is not None and bool(_CONTINUES.match(nxt.text))))
        if joins:
            a.text = f"{a.text} {b.text}"
            a.raw = f"{a.raw} {b.raw}"
            b.reason = "merged"  # its text now lives in the previous paragraph
            b.raw = ""
            live.pop(k + 1)
        else:
            k += 1


def _captions(units: list[Unit]) -> None:
    live = [i for i, u in enumerate(units) if u.reason is None]
    for n, i in enumerate(live):
        u = units[i]
        nxt = units[i + 1] if i + 1 < len(units) else None
        if nxt is not None and nxt.reason == "caption":
            # "Yevgenii Roizman" above "Yevgenii Roizman Photo: AP/Scanpix"
            if u.words <= 8 and nxt.text.startswith(u.text):
                u.reason = "caption"
                continue
            # a caption sits right above a bare credit line ("Photo taken from:")
            bare_credit = re.match(r"^[^:]{0,30}:\s*[^.]{0,40}$", nxt.text)
            if bare_credit and (u.words <= 8 or re.search(r"\b\d{4}\.$", u.text) and md.find_dates(u.text[-25:])):
                u.reason = "caption"
                continue
        # an image caption cut off mid-sentence: "Putin, here participating in ..., said Russia is there"
        if 0 < n < len(live) - 1 and u.words >= 10 and "," in u.text and not u.heading \
                and re.search(r"\s[a-z]+$", u.text) and units[live[n + 1]].text[:1].isupper():
            u.reason = "truncated_caption"

"""Byte-level sniffing and text decoding shared by the readers and the cleaner.

Order matters: a BOM is trusted first (UTF-16 files contain NUL bytes and would
otherwise look binary), then magic numbers and NUL/control-byte density decide
"binary", then strict UTF-8, then charset-normalizer restricted to the encodings
Russian and Western news sites actually serve. A decoding is only accepted when
the result looks like prose (letters and spaces), because charset-normalizer
will happily map random bytes onto some code page.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

# Legacy code pages seen on Russian-language and Western news sites; restricting the
# detector to these stops random bytes being "decoded" as Big5 or EBCDIC.
LEGACY_ENCODINGS = [
    "cp1251", "koi8_r", "iso8859_5", "cp866", "mac_cyrillic",
    "cp1252", "latin_1", "iso8859_2", "cp1250", "utf_16",
]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3", "SQLite database"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_SNIFF = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|title|meta)[\s>]", re.I
)


def bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text (None when it may be text). Looks at the first 8 KB."""
    if bom_encoding(data):
        return None
    head = data[:8192]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"looks like a {what}"
    if b"\x00" in head:
        return "contains NUL bytes"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    # a stray form feed or escape is tolerable; a few percent of control bytes is not prose
    if head and controls / len(head) > 0.02:
        return f"{controls} control bytes in the first {len(head)}"
    return None


def looks_like_html(data: bytes) -> bool:
    return bool(_HTML_SNIFF.search(data[:4096]))


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if Python knows it."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii", "ignore")).name
    except LookupError:
        return None


def plausible_text(text: str) -> bool:
    """True when ``text`` reads like prose rather than bytes mapped onto a code page."""
    sample = text[:20000]
    if not sample.strip():
        return False
    chars = [c for c in sample if not c.isspace()]
    if not chars:
        return False
    letters = sum(c.isalpha() for c in chars)
    bad = sum(unicodedata.category(c) in ("Cc", "Co", "Cs", "Cn") for c in chars)
    spaces = len(sample) - len(chars)
    if bad / len(chars) > 0.01 or letters / len(chars) < 0.5:
        return False
    # random high bytes never contain 0x20; real prose is ~15% spaces
    return not (len(sample) > 80 and spaces / len(sample) < 0.03)


def visible_text(html: str) -> str:
    """Roughly the text a browser would show: script/style bodies, tags and entities removed.

    Linear in the input (no backtracking regex over hostile markup): plausibility must
    judge a page's prose, not its markup, or a page with 20 KB of minified CSS or a long
    inline data: URI in its <head> reads as "not prose" and is rejected as undecodable.
    """
    low = html.lower()
    out: list[str] = []
    i = 0
    nxt = {"script": low.find("<script"), "style": low.find("<style")}
    while True:
        for tag in nxt:  # refresh only the cached positions we have passed: linear overall
            if 0 <= nxt[tag] < i:
                nxt[tag] = low.find("<" + tag, i)
        found = [(pos, tag) for tag, pos in nxt.items() if pos >= 0]
        if not found:
            out.append(html[i:])
            break
        j, tag = min(found)
        out.append(html[i:j])
        k = low.find("</" + tag, j)
        end = low.find(">", k) if k >= 0 else -1
        if end < 0:
            break
        i = end + 1
    text = _TAG.sub(" ", "".join(out))
    return _SPACES.sub(" ", _ENTITY.sub(" ", text))  # 100k empty <div>s must not fill the sample


_TAG = re.compile(r"<[^<>]*(?:>|$)")  # a tag cut off by the sample's end counts too
_ENTITY = re.compile(r"&#?[A-Za-z0-9]{1,10};")
_SPACES = re.compile(r"\s+")


def decode(data: bytes, declared: str | None = None) -> tuple[str, str] | None:
    """Return (text, encoding) or None when no encoding gives plausible text.

    ``declared`` (an HTML meta charset or a container header) is tried after a BOM and
    strict UTF-8 but before detection; Russian sites still mislabel cp1251 pages.
    For HTML the prose test looks at the visible text, not the markup.
    """
    html = looks_like_html(data)

    def prose(text: str) -> str:
        return visible_text(text[:2_000_000]) if html else text

    candidates: list[str] = []
    bom = bom_encoding(data)
    if bom:
        candidates.append(bom)
    candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        shown = prose(text)
        if plausible_text(shown) or not shown.strip():
            return text, enc
    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        return None
    text = str(best)
    if not plausible_text(prose(text)):
        return None
    return text, best.encoding

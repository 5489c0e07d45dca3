"""Load and compile the editable domain data (data/boilerplate.yaml, data/outlets.yaml).

Compiled once per process; a bad regular expression is a ConfigError naming the
file and pattern, raised at start rather than mid-run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..errors import ConfigError

Search = Callable[[str], re.Match[str] | None]


@dataclass(frozen=True)
class Category:
    name: str
    max_words: int
    patterns: tuple[re.Pattern[str], ...]
    # per pattern: (a looser test that must pass first, or None; the pattern's search)
    tests: tuple[tuple[Search | None, Search], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tests", tuple((_loose(rx), rx.search) for rx in self.patterns))


def _loose(rx: re.Pattern[str]) -> Search | None:
    """``rx`` without its leading ``\\b``: it matches wherever ``rx`` does (dropping a
    zero-width assertion only widens a match), and without it the regex engine scans
    for the literal prefix - about three times faster on a paragraph with no match,
    which is most of them."""
    if not rx.pattern.startswith("\\b"):
        return None
    try:
        return re.compile(rx.pattern[2:], rx.flags).search
    except re.error:
        return None


@dataclass(frozen=True)
class Block:
    name: str
    start: re.Pattern[str]
    end: re.Pattern[str] | None
    to_end: bool
    max_paragraphs: int


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    signatures: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Patterns:
    categories: tuple[Category, ...]
    blocks: tuple[Block, ...]
    tail_markers: tuple[re.Pattern[str], ...]
    title_prefixes: tuple[re.Pattern[str], ...]
    title_suffix_separators: tuple[str, ...]
    title_suffix_max_words: int
    url_labels: frozenset[str]
    date_labels: frozenset[str]
    read_time: re.Pattern[str]
    months: dict[str, int]
    month_day_year: re.Pattern[str]  # "December 15, 2024", month names from ``months``
    day_month_year: re.Pattern[str]  # "15 December 2024"
    weekdays: frozenset[str]
    outlets: tuple[Outlet, ...]
    signature_patterns: tuple[re.Pattern[str], ...]
    # lookups built once from ``outlets`` (metadata.canonical_outlet / outlet_from_url):
    # a spelling's key -> canonical name, a domain -> the first outlet listing it
    outlet_keys: dict[str, str]
    outlet_domains: dict[str, int]


def outlet_key(name: str) -> str:
    """An outlet spelling compared without case, spacing or a leading "the"."""
    return re.sub(r"^the\s+", "", re.sub(r"\s+", " ", name.lower())).strip()


def _load(name: str) -> Any:
    try:
        text = resources.files("khronika").joinpath("data", name).read_text(encoding="utf-8")
        return yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"data/{name}: {exc}") from exc


def _rx(source: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"data/{source}: bad pattern {pattern!r}: {exc}") from exc


@lru_cache(maxsize=1)
def load_patterns() -> Patterns:
    bp = _load("boilerplate.yaml")
    ol = _load("outlets.yaml")
    cats = tuple(
        Category(name, int(spec.get("max_words", 30)),
                 tuple(_rx("boilerplate.yaml", p) for p in spec.get("patterns", [])))
        for name, spec in (bp.get("categories") or {}).items()
    )
    blocks = tuple(
        Block(b["name"], _rx("boilerplate.yaml", b["start"]),
              _rx("boilerplate.yaml", b["end"]) if b.get("end") else None,
              bool(b.get("to_end")), int(b.get("max_paragraphs", 10)))
        for b in bp.get("blocks") or []
    )
    meta = bp.get("metadata") or {}
    months = {str(stem).lower(): int(num) for num, stems in (bp.get("months") or {}).items() for stem in stems}
    names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    outlets = tuple(
        Outlet(o["name"], tuple(d.lower() for d in o.get("domains", [])), tuple(o.get("aliases", [])),
               tuple(_rx("outlets.yaml", p) for p in o.get("signatures", [])))
        for o in ol.get("outlets") or []
    )
    outlet_keys: dict[str, str] = {}
    outlet_domains: dict[str, int] = {}
    for n, o in enumerate(outlets):  # the first outlet listed wins, as in a scan in file order
        for spelling in (o.name, *o.aliases):
            outlet_keys.setdefault(outlet_key(spelling), o.name)
        for d in o.domains:
            outlet_domains.setdefault(d, n)
    return Patterns(
        categories=cats,
        blocks=blocks,
        tail_markers=tuple(_rx("boilerplate.yaml", p) for p in bp.get("tail_markers", [])),
        title_prefixes=tuple(_rx("boilerplate.yaml", p) for p in bp.get("title_prefixes", [])),
        title_suffix_separators=tuple(bp.get("title_suffix_separators", [])),
        title_suffix_max_words=int(bp.get("title_suffix_max_words", 3)),
        url_labels=frozenset(s.lower() for s in meta.get("url_labels", [])),
        date_labels=frozenset(s.lower() for s in meta.get("date_labels", [])),
        read_time=_rx("boilerplate.yaml", meta.get("read_time", r"(?!x)x")),
        months=months,
        month_day_year=re.compile(rf"\b({names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
        day_month_year=re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({names})\.?,?\s+(\d{{4}})\b", re.I),
        weekdays=frozenset(s.lower() for s in bp.get("weekdays", [])),
        outlets=outlets,
        signature_patterns=tuple(_rx("outlets.yaml", p) for p in ol.get("signature_patterns", [])),
        outlet_keys=outlet_keys,
        outlet_domains=outlet_domains,
    )

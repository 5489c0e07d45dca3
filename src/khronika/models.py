"""Records that flow between pipeline stages.

Every record is a frozen dataclass. Facts carry their provenance: the document they
come from, the character span in that document's *clean* text, and the stage (with
its version) that produced them. Stages never mutate a record; they return new ones
(``dataclasses.replace``).

Flow::

    RawDocument --clean--> Article --extract--> Analysis(DocPerson, EventMention)
    Article* --dedupe--> duplicate_of / story
    Analysis* --resolve--> Person, Event  (corpus level, with sources)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["reported", "unconfirmed"]


@dataclass(frozen=True, slots=True)
class Provenance:
    stage: str
    version: str


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One article as read from disk, stdin, a JSONL line or a WARC record.

    ``data`` is kept byte-for-byte (it is stored, hashed and never altered).
    ``kind`` is the parser to use: ``text``, ``markdown`` or ``html``.
    ``hints`` carries metadata the container knew (JSONL fields, WARC headers):
    keys ``url``, ``title``, ``date``, ``outlet``, ``author``; values may be None.
    """

    source: str
    data: bytes
    kind: str
    hints: dict[str, str | None] = field(default_factory=dict)
    encoding: str | None = None  # set when the reader already decoded/detected it


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of the raw text the cleaner dropped, and why (kept for audit)."""

    text: str
    reason: str  # e.g. "donation_appeal", "caption", "click_here", "repeat", "title_line"


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned document: main text plus metadata. ``id`` is stable across runs."""

    id: str
    source: str
    content_hash: str  # sha256 of the raw bytes
    text: str  # cleaned main text, paragraphs separated by "\n\n"
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_stated: str | None = None  # what the page claims, YYYY[-MM[-DD]]
    language: str | None = None
    removed: tuple[Removal, ...] = ()
    provenance: Provenance = Provenance("clean", "0")


@dataclass(frozen=True, slots=True)
class DocPerson:
    """A person as named inside one document (after in-document linking).

    ``key`` is unique within the document (e.g. "p0"). ``name`` is the fullest form
    used in the document, ``aliases`` every surface form seen (full names, surnames,
    other spellings), ``spans`` the character spans of every mention in the clean text.
    """

    doc_id: str
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    party: str | None = None
    place: str | None = None
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class EventMention:
    """One event as one document reports it, with its evidence sentence."""

    doc_id: str
    type: str
    subject_key: str | None  # DocPerson.key in the same document, or None for a group
    subject_name: str
    evidence: str  # the sentence that says so
    span: tuple[int, int]  # of the evidence sentence in the clean text
    agent: str | None = None
    date: str | None = None  # YYYY[-MM[-DD]], at the precision the text supports
    status: Status = "reported"
    trigger: str | None = None
    confidence: float = 1.0
    details: tuple[tuple[str, str], ...] = ()  # e.g. (("amount", "260,000 rubles"),)
    provenance: Provenance = Provenance("extract", "0")


@dataclass(frozen=True, slots=True)
class DocumentDate:
    """The document's date as estimated from its text, against what it states."""

    published: str | None  # best estimate, YYYY[-MM[-DD]]
    suspect: bool = False  # the stated date contradicts the text
    evidence: str | None = None  # why, in words (for reviewers)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything extraction learned from one document."""

    doc_id: str
    persons: tuple[DocPerson, ...]
    events: tuple[EventMention, ...]
    date: DocumentDate
    provenance: Provenance = Provenance("extract", "0")


@dataclass(frozen=True, slots=True)
class Source:
    document: str
    evidence: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A real-world person across documents."""

    id: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    documents: tuple[str, ...]
    members: tuple[tuple[str, str], ...] = ()  # (doc_id, DocPerson.key) merged here
    merge_evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A real-world event, consolidated over every document that reports it."""

    id: str
    type: str
    subject: str | None  # Person.id
    subject_name: str
    sources: tuple[Source, ...]
    agent: str | None = None
    date: str | None = None
    status: Status = "reported"
    conflicts: tuple[str, ...] = ()  # human-readable, e.g. "amount: 260,000 rubles (d1) vs 280,000 rubles (d2)"
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not be ingested, with a human-readable reason."""

    source: str
    reason: str  # short code: "binary", "empty", "too_large", "undecodable", "parse_error", ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """Document-level facts the corpus stages (dedupe, stories, resolve, export) need.

    ``published`` is the best estimate of the real date; ``published_stated`` what the
    page claims. ``duplicate_of`` and ``story`` are filled by the dedupe/story stages.
    """

    id: str
    source: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    published_stated: str | None = None
    date_suspect: bool = False
    duplicate_of: str | None = None
    story: str | None = None
    language: str | None = None

"""Settings: each one named, with a default and a help text (datasette style).

Values come from defaults, then ``KHRONIKA_<NAME>`` environment variables, then
explicit overrides (CLI flags). ``khronika settings`` lists them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_input_bytes", 20 * 1024 * 1024, "Largest single input file or record accepted; larger ones are rejected as too_large."),
    Setting("max_text_chars", 2_000_000, "Largest decoded article text kept; longer texts are rejected as too_large."),
    Setting("max_warc_bytes", 500 * 1024 * 1024, "Most decompressed bytes read from one WARC file (guards against compression bombs)."),
    Setting("min_text_chars", 40, "Articles whose clean text is shorter than this are rejected as too_short."),
    Setting("minhash_perm", 128, "MinHash permutations per document signature."),
    Setting("minhash_threshold", 0.7, "Estimated Jaccard similarity over word shingles at or above which two documents are near-duplicates."),
    Setting("shingle_size", 5, "Words per shingle for near-duplicate detection."),
    Setting("story_threshold", 0.5, "Score at or above which two documents are placed in the same story cluster."),
    Setting("story_window_days", 10, "Documents whose dates differ by more than this are not the same story."),
    Setting("recurring_min_docs", 3, "A paragraph seen in at least this many documents of one outlet is learned as boilerplate."),
    Setting("batch_size", 64, "Documents per extraction batch (spaCy nlp.pipe) and per storage transaction."),
    Setting("review_token", None, "Token required for review writes in the web UI/API (also KHRONIKA_REVIEW_TOKEN)."),
)


@dataclass(frozen=True)
class Settings:
    max_input_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 2_000_000
    max_warc_bytes: int = 500 * 1024 * 1024
    min_text_chars: int = 40
    minhash_perm: int = 128
    minhash_threshold: float = 0.7
    shingle_size: int = 5
    story_threshold: float = 0.5
    story_window_days: int = 10
    recurring_min_docs: int = 3
    batch_size: int = 64
    review_token: str | None = None

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Defaults, then KHRONIKA_* environment variables, then non-None overrides."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = os.environ.get(f"KHRONIKA_{f.name.upper()}")
            if env is not None:
                values[f.name] = _coerce(f.name, env, cls.__dataclass_fields__[f.name].default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(cls(), **values)


def _coerce(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(f"setting {name}: cannot read {raw!r} as {type(default).__name__}") from exc
    return raw

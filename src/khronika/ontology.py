"""The event ontology (``data/ontology.yaml``): one reader for every layer.

Kept apart from ``khronika.extract`` so the web UI, review validation and timelines can
consult it without importing spaCy. A deployment adds an event type by editing the data
file; every layer sees it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def types() -> dict[str, dict]:
    """Event types in file order: name -> {family, role, group_subject, label, ...}."""
    text = resources.files("khronika.data").joinpath("ontology.yaml").read_text(encoding="utf-8")
    return {name: dict(spec or {}) for name, spec in (yaml.safe_load(text) or {}).items()}

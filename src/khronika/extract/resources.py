"""Loading the editable domain data (``khronika/data/*.yaml``) once per process.

Everything an analyst may want to tune (ontology, trigger lexicons, gazetteer, role
vocabulary, date anchors) lives in those files; this module only reads and caches them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from .. import ontology


@cache
def load_data(name: str) -> Any:
    """Parsed ``khronika/data/<name>.yaml`` (cached; treat the result as read-only)."""
    path = resources.files("khronika") / "data" / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_ontology() -> dict[str, dict]:
    """Event types: name -> {family, role, group_subject, label}."""
    return {k: dict(v) for k, v in ontology.types().items()}


@cache
def word_set(name: str, key: str, lower: bool = True) -> frozenset[str]:
    items = load_data(name).get(key) or []
    return frozenset(str(x).lower() if lower else str(x) for x in items)

"""Quality gate: the real pipeline on the gold corpora, scored by ../shared/eval/score.py,
must stay at or above the floors pinned in tests/eval_baseline.json.

Raise a floor when the work improves; never lower one to make a change pass.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from khronika.export import build
from khronika.pipeline import run_ingest
from khronika.settings import Settings
from khronika.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text())

pytestmark = pytest.mark.skipif(
    not (SHARED / "eval" / "score.py").exists(),
    reason=f"evaluation kit not found at {SHARED} (../shared beside the repo); gate not run",
)


def _scorer():
    spec = importlib.util.spec_from_file_location("khronika_score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module", params=sorted(BASELINE))
def scored(request, tmp_path_factory):
    corpus = request.param
    store = Store(str(tmp_path_factory.mktemp(corpus) / "eval.db"))
    run_ingest(store, [str(SHARED / "corpus" / corpus)], Settings.load())
    exported = build(store)
    gold = json.loads((SHARED / "eval" / f"{corpus}.gold.json").read_text())
    metrics, detail = _scorer().score(gold, exported)
    print(f"\n{corpus}: " + " ".join(f"{k}={v}" for k, v in metrics.items()))
    return corpus, metrics, detail


def test_metrics_at_or_above_floors(scored):
    corpus, metrics, detail = scored
    below = {k: (metrics.get(k), floor) for k, floor in BASELINE[corpus].items() if metrics.get(k, 0) < floor}
    assert not below, f"{corpus}: below floor {below}; detail: {json.dumps(detail, ensure_ascii=False)[:3000]}"

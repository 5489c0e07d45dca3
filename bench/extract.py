"""Extraction throughput on the dev corpus.

Measures, in one run over the same texts:
* ``analyse_many`` (full extraction: spaCy + gazetteer + names + persons + events + dates);
* bare ``nlp.pipe`` NER of the unmodified small model (only what NER needs: ``ner``),
and prints docs/s for both and their ratio (what the extraction layer costs).

usage: python bench/extract.py [CORPUS_DIR] [--repeat N]
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from khronika.extract import analyse_many  # noqa: E402
from khronika.extract.nlp import get_bare_nlp, get_nlp, ner_pipes  # noqa: E402
from khronika.models import Article  # noqa: E402


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    args = [a for a in args if not a.isdigit()]
    corpus = Path(args[0]) if args else ROOT.parent / "shared" / "corpus" / "dev"
    files = sorted(corpus.glob("*.txt"))
    if not files:
        print(f"no .txt files in {corpus}", file=sys.stderr)
        return 2
    arts = [Article(id=f.name, source=str(f), content_hash=hashlib.sha256(f.read_bytes()).hexdigest(),
                    text=f.read_text(encoding="utf-8")) for f in files] * repeat
    texts = [a.text for a in arts]
    get_nlp(), get_bare_nlp()  # loading is not throughput
    list(analyse_many(arts[:2]))  # warm-up

    t0 = time.perf_counter()
    n_events = sum(len(a.events) for a in analyse_many(arts))
    full = time.perf_counter() - t0

    bare_nlp = get_bare_nlp()
    t0 = time.perf_counter()
    with bare_nlp.select_pipes(enable=ner_pipes(bare_nlp)):  # NER only, as bench/throughput.py
        n_ents = sum(len(d.ents) for d in bare_nlp.pipe(texts, batch_size=32))
    bare = time.perf_counter() - t0

    n = len(arts)
    print(f"docs={n} chars={sum(map(len, texts))} events={n_events} bare_ents={n_ents}")
    print(f"analyse_many: {n / full:.1f} docs/s ({full:.2f}s)")
    print(f"bare nlp.pipe NER: {n / bare:.1f} docs/s ({bare:.2f}s)")
    print(f"ratio analyse_many/bare: {bare / full:.2f} (extraction runs at {100 * bare / full:.0f}% of bare speed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

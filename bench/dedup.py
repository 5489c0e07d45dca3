"""Near-duplicate benchmark: MinHash-LSH (khronika.dedupe) against all-pairs Jaccard.

    python bench/dedup.py                       # 10k and 100k documents, 5k baseline
    python bench/dedup.py --sizes 2000 --baseline 1000

Per size (each in a fresh child process, so peak RSS is that size's own): documents
per second through ``find_duplicates`` with an in-memory band index, peak RSS above
the corpus, and planted-duplicate precision/recall (pairs). Then the baseline: exact
Jaccard over shingle sets for every pair of a sample, with the same threshold and
containment rule, and its documents per second. The corpus comes from bench/corpus.py.

Acceptance (printed): seconds per document at the largest size within 1.5x of the
smallest; recall >= 0.98 at precision >= 0.98.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import GenDoc, generate  # noqa: E402

from khronika import dedupe  # noqa: E402
from khronika.models import DocumentInfo  # noqa: E402
from khronika.settings import Settings  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def pairs_of(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {p for g in groups.values() for p in combinations(sorted(g), 2)}


def score(pred: dict[str, list[str]], docs: list[GenDoc]) -> tuple[float, float, int]:
    truth: dict[str, list[str]] = {}
    for d in docs:
        truth.setdefault(d.group, []).append(d.id)
    got, want = pairs_of(pred), pairs_of(truth)
    tp = len(got & want)
    return (tp / len(got) if got else 1.0), (tp / len(want) if want else 1.0), len(want)


def info(d: GenDoc) -> DocumentInfo:
    return DocumentInfo(id=d.id, source=d.id, title=d.title, published=d.published)


def run_lsh(n: int, seed: int, out: mp.Queue) -> None:
    settings = Settings.load()
    docs = list(generate(n, seed))
    base_rss = rss_mb()
    index = dedupe.MemoryBandIndex()
    t = time.perf_counter()
    # batches as the pipeline sends them; the index is what makes this incremental
    canon: dict[str, str] = {}
    for i in range(0, n, 1000):
        canon.update(dedupe.find_duplicates([(info(d), d.text) for d in docs[i : i + 1000]], index, settings))
    elapsed = time.perf_counter() - t
    groups: dict[str, list[str]] = {}
    for d, c in canon.items():
        groups.setdefault(c, []).append(d)
    p, r, planted = score(groups, docs)
    out.put({"n": n, "s": elapsed, "rss": rss_mb() - base_rss, "p": p, "r": r, "planted": planted})


def run_baseline(n: int, seed: int, out: mp.Queue) -> None:
    settings = Settings.load()
    docs = list(generate(n, seed))
    t = time.perf_counter()
    sets = [frozenset(dedupe.shingles(dedupe.normalise(d.text), settings.shingle_size)) for d in docs]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in combinations(range(n), 2):
        a, b = sets[i], sets[j]
        inter = len(a & b)
        if not inter:
            continue
        jac = inter / (len(a) + len(b) - inter)
        small = min(len(a), len(b))
        dup = jac >= settings.minhash_threshold or (
            jac >= dedupe.CONTAINMENT_MIN_JACCARD and inter / small >= dedupe.CONTAINMENT
        )
        if dup:
            parent[find(i)] = find(j)
    elapsed = time.perf_counter() - t
    groups: dict[str, list[str]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(str(find(i)), []).append(d.id)
    p, r, planted = score(groups, docs)
    out.put({"n": n, "s": elapsed, "rss": 0.0, "p": p, "r": r, "planted": planted})


def child(target, n: int, seed: int) -> dict:
    q: mp.Queue = mp.Queue()
    proc = mp.get_context("fork").Process(target=target, args=(n, seed, q))
    proc.start()
    res = q.get()
    proc.join()
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--baseline", type=int, default=5_000, help="all-pairs sample size (0 to skip)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    rows = []
    print(f"{'method':<22}{'docs':>8}{'seconds':>9}{'docs/s':>9}{'ms/doc':>8}{'peak MB':>9}{'P':>7}{'R':>7}{'planted pairs':>15}")
    for n in args.sizes:
        r = child(run_lsh, n, args.seed)
        rows.append(r)
        print(f"{'minhash-lsh':<22}{n:>8}{r['s']:>9.1f}{n / r['s']:>9.0f}{1000 * r['s'] / n:>8.3f}{r['rss']:>9.0f}"
              f"{r['p']:>7.3f}{r['r']:>7.3f}{r['planted']:>15}")
    if args.baseline:
        r = child(run_baseline, args.baseline, args.seed)
        print(f"{'all-pairs jaccard':<22}{args.baseline:>8}{r['s']:>9.1f}{args.baseline / r['s']:>9.0f}"
              f"{1000 * r['s'] / args.baseline:>8.3f}{'-':>9}{r['p']:>7.3f}{r['r']:>7.3f}{r['planted']:>15}")
    ok = True
    if len(rows) > 1:
        ratio = (rows[-1]["s"] / rows[-1]["n"]) / (rows[0]["s"] / rows[0]["n"])
        print(f"time per document, {rows[-1]['n']} vs {rows[0]['n']}: {ratio:.2f}x (limit 1.5x)")
        ok &= ratio <= 1.5
    worst_p, worst_r = min(r["p"] for r in rows), min(r["r"] for r in rows)
    print(f"planted duplicates: precision {worst_p:.3f}, recall {worst_r:.3f} (limits 0.98/0.98)")
    ok &= worst_p >= 0.98 and worst_r >= 0.98
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

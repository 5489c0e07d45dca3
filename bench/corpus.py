"""Synthetic news corpus with known duplicates, grown from the real dev/seed articles.

Reusable by any benchmark (dedupe, ingest throughput)::

    from bench.corpus import generate, load_sentences
    for doc in generate(10_000, seed=1):      # lazily, constant memory
        doc.id, doc.text, doc.group, doc.kind, doc.title, doc.published

Every document is built from real sentences of ``shared/corpus`` (so vocabulary,
sentence length and quoting look like news), but each *base* document draws its own
sentences and has a share of its words, all its numbers and its dates perturbed, so
two base documents are not near-duplicates of each other. Planted on top:

``exact``    the same text re-scraped: other line breaks, curly quotes, case of the title
``near``     a re-scrape with one paragraph dropped or a donation appeal glued on and a
             couple of words edited (the kind of copy dedupe must catch)
``rewrite``  the same story retold: a third of the words changed and sentences
             reordered (same story, *not* a duplicate)

``group`` is the ground truth: documents with the same group are duplicates (base,
exact and near copies of one base); a rewrite has a group of its own and
``story`` equal to its base's group.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "shared" / "corpus"

APPEAL = (
    "A Message from our newsroom: we are facing unprecedented challenges and need your help. "
    "Your support, no matter how small, makes a world of difference. Remind me later."
)


@dataclass(frozen=True)
class GenDoc:
    id: str
    text: str
    group: str  # duplicate group (ground truth)
    story: str  # story group (ground truth): rewrites share their base's story
    kind: str  # base | exact | near | rewrite
    title: str | None = None
    published: str | None = None


def load_sentences(root: Path = ROOT) -> list[str]:
    """Real sentences (6+ words) of every corpus article under ``root``."""
    files = sorted(root.glob("*/*.txt"))
    if not files:
        raise FileNotFoundError(f"no corpus under {root} (the shared corpus is needed to build the benchmark)")
    out: list[str] = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        for s in re.split(r"(?<=[.!?])\s+|\n+", text):
            s = s.strip()
            if len(s.split()) >= 6 and not s.startswith(("http", "<", "#")):
                out.append(s)
    return sorted(set(out))


_NUM = re.compile(r"\d+")


class _Maker:
    def __init__(self, seed: int, root: Path):
        self.rng = random.Random(seed)
        self.sentences = load_sentences(root)
        self.vocab = sorted({w for s in self.sentences for w in s.split() if w.isalpha()})

    def perturb(self, sentence: str, share: float) -> str:
        rng = self.rng
        words = [rng.choice(self.vocab) if rng.random() < share else w for w in sentence.split()]
        return _NUM.sub(lambda m: str(rng.randint(1, 10 ** len(m.group())) - 1), " ".join(words))

    def base(self) -> tuple[list[str], str, str]:
        rng = self.rng
        n = rng.randint(8, 16)
        sents = [self.perturb(s, 0.3) for s in rng.sample(self.sentences, n)]
        # paragraphs of 1-3 sentences, as articles have
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(1, 3)
            paras.append(" ".join(sents[i : i + k]))
            i += k
        title = self.perturb(rng.choice(self.sentences), 0.3)[:90]
        date = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return paras, title, date

    def exact(self, paras: list[str]) -> str:
        # a re-scrape: single line breaks and typographic quotes; normalisation must undo it
        return "\n".join(p.replace('"', "\u201c") for p in paras)

    def near(self, paras: list[str]) -> str:
        rng = self.rng
        paras = list(paras)
        if rng.random() < 0.5 and len(paras) > 4:
            paras.pop(rng.randrange(1, len(paras)))
        else:
            paras.append(APPEAL)
        for _ in range(2):
            i = rng.randrange(len(paras))
            words = paras[i].split()
            words[rng.randrange(len(words))] = rng.choice(self.vocab)
            paras[i] = " ".join(words)
        return "\n\n".join(paras)

    def rewrite(self, paras: list[str]) -> str:
        sents = [s for p in paras for s in re.split(r"(?<=[.!?])\s+", p)]
        self.rng.shuffle(sents)
        return "\n\n".join(self.perturb(s, 0.35) for s in sents)


def generate(n: int, seed: int = 1, root: Path = ROOT, *, exact: float = 0.08, near: float = 0.12,
             rewrite: float = 0.06) -> Iterator[GenDoc]:
    """``n`` documents; shares of planted exact copies, near copies and rewrites.

    Copies follow their base at a random short distance, so a stream reader sees the
    original first most of the time but not always (as with real re-scrapes).
    """
    mk = _Maker(seed, root)
    rng = mk.rng
    pending: list[GenDoc] = []
    made = 0
    b = 0
    while made < n:
        paras, title, date = mk.base()
        g = f"g{b:07d}"
        b += 1
        docs = [GenDoc(f"{g}-0", "\n\n".join(paras), g, g, "base", title, date)]
        r = rng.random()
        if r < exact:
            docs.append(GenDoc(f"{g}-e", mk.exact(paras), g, g, "exact"))
        elif r < exact + near:
            docs.append(GenDoc(f"{g}-n", mk.near(paras), g, g, "near"))
        elif r < exact + near + rewrite:
            docs.append(GenDoc(f"{g}-r", mk.rewrite(paras), f"{g}r", g, "rewrite", None, date))
        for d in docs:
            pending.insert(max(0, len(pending) - rng.randint(0, 3)), d)
        while len(pending) > 4 and made < n:
            yield pending.pop(0)
            made += 1
    for d in pending[: n - made]:
        yield d

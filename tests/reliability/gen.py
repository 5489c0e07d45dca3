"""Seeded generators shared by the reliability tests and ``bench/soak.py``.

- :func:`write_crash_corpus` writes N small, distinct text articles derived from the
  shared dev corpus (paragraphs shuffled and perturbed), or synthetic prose when
  ``../shared`` is absent. Every file's bytes are unique, so "documents stored" must
  equal "files written" exactly.
- :func:`write_hostile_corpus` writes inputs that try to break the readers: random
  bytes, invalid UTF-8, cp1251 and mixed encodings, empty files, an oversized file,
  deeply nested and script-laden HTML, JSONL with broken lines, a WARC compression
  bomb. A known-good article is written *last* (sorted order) to prove the batch goes on.

Nothing here imports khronika: the generator must not depend on the code under test.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("KHRONIKA_SHARED", ROOT.parent / "shared"))
DEV_CORPUS = SHARED / "corpus" / "dev"

GOOD_MARKER = "Zyxwvut Reliability-Sentinel"
GOOD_ARTICLE = (
    f"Activist {GOOD_MARKER} was detained in Moscow on 3 March 2024 after a single picket.\n\n"
    "Police officers took the activist to the Tverskoy district station, according to the OVD-Info monitors. "
    "A court later fined the activist 30,000 roubles for discrediting the army.\n\n"
    "The activist had earlier called for an end to the war in an open letter signed by local deputies.\n"
)

_NAMES = ["Anna Petrova", "Ivan Sokolov", "Maria Kuznetsova", "Oleg Orlov", "Ilya Yashin", "Yulia Galyamina",
          "Boris Kagarlitsky", "Alexei Gorinov", "Lilia Chanysheva", "Vladimir Kara-Murza"]
_ACTS = ["was detained", "was fined 30,000 roubles", "was sentenced to two years", "called for peace",
         "was expelled from the party", "was added to the wanted list", "staged a single picket",
         "was charged with spreading fakes", "was released from custody", "signed an open letter"]
_PLACES = ["Moscow", "St Petersburg", "Yekaterinburg", "Kazan", "Novosibirsk", "Perm", "Ufa"]


def _dev_paragraphs() -> list[str]:
    paras: list[str] = []
    if DEV_CORPUS.is_dir():
        for p in sorted(DEV_CORPUS.iterdir()):
            if p.suffix not in (".txt", ".md"):
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            paras += [q.strip() for q in text.split("\n\n") if len(q.strip()) > 80]
    return paras


def _synthetic_paragraph(rng: random.Random) -> str:
    who, act, where = rng.choice(_NAMES), rng.choice(_ACTS), rng.choice(_PLACES)
    day = rng.randint(1, 28)
    return (f"{who} {act} in {where} on {day} May 2023, local monitors reported. "
            f"The case drew attention from human-rights groups in {rng.choice(_PLACES)}.")


def write_crash_corpus(out: Path, n: int, seed: int = 8, paragraphs: int = 2) -> list[Path]:
    """``n`` distinct short articles under ``out`` (two-level directories); returns the paths."""
    rng = random.Random(seed)
    pool = _dev_paragraphs()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        parts = []
        for _ in range(paragraphs):
            if pool and rng.random() < 0.8:
                para = rng.choice(pool)
                sents = para.split(". ")
                if len(sents) > 2:  # perturb: drop one sentence so copies are near, not exact
                    del sents[rng.randrange(len(sents))]
                parts.append(". ".join(sents))
            else:
                parts.append(_synthetic_paragraph(rng))
        # a unique line keeps every file's bytes distinct (exact-duplicate inputs are a different test)
        parts.append(f"Report {i:06d}: {_synthetic_paragraph(rng)}")
        sub = out / f"b{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"doc{i:06d}.txt"
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# -- hostile inputs ---------------------------------------------------------------------


def _warc_record(uri: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2024-03-03T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{zlib.crc32(uri.encode()):032x}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def warc_bomb(path: Path, decompressed: int) -> None:
    """A .warc.gz whose one HTML record inflates to ``decompressed`` bytes (a few KB on disk per MB)."""
    prefix = b"<html><body><p>" + b"A" * 64
    body_len = decompressed
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body_len}\r\n\r\n").encode()
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
            f"WARC-Date: 2024-03-03T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{0:032x}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + body_len}\r\n\r\n").encode()
    with gzip.open(path, "wb", compresslevel=9) as gz:
        gz.write(head + http + prefix)
        chunk = b" " * (1 << 20)
        left = body_len - len(prefix)
        while left > 0:
            gz.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        gz.write(b"\r\n\r\n")


def write_hostile_corpus(out: Path, seed: int = 8, n_random: int = 40, big_mb: int = 50,
                         nest_depth: int = 100_000, bomb_bytes: int = 64 << 20) -> dict[str, str]:
    """Write the hostile corpus; returns {file name: what it is}. ``zz_good.txt`` sorts last."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    what: dict[str, str] = {}

    def put(name: str, data: bytes, desc: str) -> None:
        (out / name).write_bytes(data)
        what[name] = desc

    put("a_empty.txt", b"", "zero bytes")
    put("a_empty.html", b"", "zero bytes html")
    put("a_empty.jsonl", b"", "zero bytes jsonl")
    put("a_whitespace.txt", b" \n\t\r\n" * 100, "only whitespace")
    for i in range(n_random):
        size = rng.choice([1, 7, 100, 4096, 70_000])
        ext = rng.choice([".txt", ".html", ".md", ".bin", ".jsonl", ""])
        put(f"b_random{i:03d}{ext}", rng.randbytes(size), f"random bytes ({size})")
    # invalid UTF-8: prose with stray continuation bytes and truncated sequences
    prose = GOOD_ARTICLE.replace(GOOD_MARKER, "Ivan Petrov").encode()
    put("c_bad_utf8.txt", prose[:50] + b"\x80\xbf\xc3" + prose[50:] + b"\xe2\x82", "invalid UTF-8 inside prose")
    ru = ("Активист Иван Петров был задержан в Москве 3 марта 2024 года после одиночного пикета. "
          "Суд назначил ему штраф в размере 30 000 рублей за дискредитацию армии.\n\n") * 3
    put("c_cp1251.txt", ru.encode("cp1251"), "cp1251 Russian prose")
    put("c_koi8r.txt", ru.encode("koi8_r"), "koi8-r Russian prose")
    put("c_mixed.txt", ru.encode("utf-8") + ru.encode("cp1251") + prose, "UTF-8 then cp1251 then ASCII")
    put("c_utf16.txt", ru.encode("utf-16"), "UTF-16 with BOM")
    put("c_bom_only.txt", b"\xef\xbb\xbf", "UTF-8 BOM only")
    put("c_nul_prose.txt", prose.replace(b" ", b"\x00"), "prose with NULs for spaces")
    put("c_lying_meta.html", b'<html><head><meta charset="utf-8"></head><body><p>' + ru.encode("cp1251") +
        b"</p></body></html>", "cp1251 page declaring utf-8")
    put("c_bogus_meta.html", b'<html><head><meta charset="x-no-such-charset"></head><body><p>' + prose +
        b"</p></body></html>", "unknown declared charset")
    # an oversized text file: must be rejected by size, never read whole
    with open(out / "d_big.txt", "wb") as fh:
        line = (b"The quick brown fox reports on a trial in Moscow. " * 20) + b"\n"
        for _ in range(big_mb * (1 << 20) // len(line) + 1):
            fh.write(line)
    what["d_big.txt"] = f"{big_mb} MB text file"
    # HTML torture
    put("e_nested.html", b"<html><body>" + b"<div>" * nest_depth + prose + b"</div>" * nest_depth +
        b"</body></html>", f"{nest_depth} nested <div>")
    put("e_nested_unclosed.html", b"<html><body>" + b"<div><span><b>" * (nest_depth // 3) + prose,
        "unclosed nesting")
    script = b"<script>alert(document.cookie)</script><img src=x onerror=alert(1)><iframe src=javascript:1>"
    put("e_scripts.html", b"<html><head>" + script * 200 + b"</head><body><article><p>" + prose + script +
        b"</p></article>" + script * 200 + b"</body></html>", "script-laden html")
    put("e_only_tags.html", b"<html>" + b"<p></p>" * 5000 + b"</html>", "html with no text")
    put("e_entities.html", b"<html><body><p>" + b"&#0;&#xD800;&#1114112;&amp;&lt;" * 2000 + b"</p></body></html>",
        "invalid character references")
    put("e_huge_attr.html", b'<html><body><p title="' + b"x" * 3_000_000 + b'">' + prose + b"</p></body></html>",
        "3 MB attribute")
    # JSONL with good and broken lines
    lines = [
        json.dumps({"url": "http://x.example/1", "text": GOOD_ARTICLE.replace(GOOD_MARKER, "Olga Smirnova")}),
        "{not json",
        json.dumps([1, 2, 3]),
        json.dumps({"text": ""}),
        json.dumps({"text": 12345}),
        json.dumps({"html": {"nested": True}, "text": None}),
        '{"text": "\\ud800 lone surrogate ' + "x" * 60 + '"}',
        "\xff\xfe garbage".encode("latin-1").decode("latin-1"),
        json.dumps({"url": "http://x.example/2", "title": "t" * 10_000, "date": "not-a-date",
                    "html": "<p>" + GOOD_ARTICLE.replace(GOOD_MARKER, "Pavel Ivanov") + "</p>"}),
        json.dumps({"text": "deep " + "[" * 10_000}),
        '{"title": "\\udc00 broken title", "text": ' + json.dumps(GOOD_ARTICLE.replace(GOOD_MARKER, "Lev Ponomarev")) + "}",
        json.dumps({"title": "nul\u0000title", "author": "a\u0000b",
                    "text": GOOD_ARTICLE.replace(GOOD_MARKER, "Nadezhda Nul").replace(" was ", " was\u0000 ")}),
        "[" * 50_000,
        json.dumps({"url": "http://x.example/3", "text": GOOD_ARTICLE.replace(GOOD_MARKER, "Grigory Last")}),
    ]
    body = "\n".join(lines).encode("utf-8") + b"\n" + b"\xff\xfe\xfd not utf8\n" + b'{"text": "truncated'
    put("f_broken.jsonl", body, "JSONL with broken lines")
    put("f_deep.jsonl", b"[" * 200_000 + b"\n", "JSON nesting 200k deep")
    # WARC: a normal small one, a truncated one, a bomb
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        gz.write(_warc_record("http://ok.example/", b"<html><body><p>" + prose + b"</p></body></html>"))
    put("g_ok.warc.gz", buf.getvalue(), "valid one-record WARC")
    put("g_truncated.warc.gz", buf.getvalue()[: len(buf.getvalue()) // 2], "truncated WARC")
    put("g_garbage.warc", rng.randbytes(5000), "random bytes named .warc")
    put("g_notgzip.warc.gz", b"WARC/1.0\r\nthis is not gzip\r\n", "plain bytes named .warc.gz")
    warc_bomb(out / "g_bomb.warc.gz", bomb_bytes)
    what["g_bomb.warc.gz"] = f"WARC bomb ({(out / 'g_bomb.warc.gz').stat().st_size:,} bytes -> {bomb_bytes:,})"
    # odd names
    put("h_name with spaces & 'quotes'.txt", GOOD_ARTICLE.replace(GOOD_MARKER, "Yuri Dmitriev").encode(),
        "odd file name")
    put("h_unicode_имя.md", ("# Заголовок\n\n" + ru).encode(), "unicode file name, markdown")
    # the good article, last in sorted order
    put("zz_good.txt", GOOD_ARTICLE.encode(), "good article after all the bad ones")
    return what

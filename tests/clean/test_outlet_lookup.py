"""The outlet lookups built in Patterns answer like a scan of outlets.yaml in file order."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from khronika.clean import metadata as md
from khronika.clean.patterns import load_patterns


def _scan_canonical(name: str) -> str:
    p = load_patterns()
    clean = re.sub(r"[®™*]", "", name).strip(" .,:;!\"'“”")

    def key(s: str) -> str:
        return re.sub(r"^the\s+", "", re.sub(r"\s+", " ", s.lower())).strip()

    for o in p.outlets:
        if key(clean) in {key(o.name), *(key(a) for a in o.aliases)}:
            return o.name
    return clean.title() if clean.isupper() and len(clean) > 5 else clean


def _scan_url(url: str) -> str | None:
    host = (urlparse(url).hostname or "").lower()
    for o in load_patterns().outlets:
        if any(host == d or host.endswith("." + d) for d in o.domains):
            return o.name
    return None


def test_canonical_outlet_matches_a_scan() -> None:
    p = load_patterns()
    for o in p.outlets:
        for spelling in (o.name, *o.aliases):
            for v in (spelling, spelling.upper(), f"The {spelling}", f"  the  {spelling.lower()}. ", spelling + "®",
                      "x" + spelling, spelling[:-1]):
                assert md.canonical_outlet(v, p) == _scan_canonical(v), v
    for v in ("THE UNKNOWN HERALD", "Some Blog", "", "the"):
        assert md.canonical_outlet(v, p) == _scan_canonical(v), v


def test_outlet_from_url_matches_a_scan() -> None:
    p = load_patterns()
    for d in (d for o in p.outlets for d in o.domains):
        for host in (d, "www." + d, "a.b." + d, "x" + d, d + ".evil", "." + d, d.upper(), d.split(".", 1)[-1]):
            for url in (f"https://{host}/a?b", f"http://{host}:8080/", host):
                assert md.outlet_from_url(url, p) == _scan_url(url), url
    assert md.outlet_from_url(None, p) is None and md.outlet_from_url("", p) is None

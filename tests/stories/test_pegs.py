"""News pegs on real dev articles: a follow-up (prosecutor's request, appeal ruling,
second conviction) is not in the story of the happening its background recalls.

Uses raw dev texts with the first line as headline (no extraction), so it checks the
peg logic itself; expected kinds are what each headline plainly says, not gold ids.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khronika import stories
from khronika.settings import Settings
from khronika.stories import StoryItem, assign_stories

DEV = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev"


def doc(name: str, published: str | None = None, titled: bool = True) -> StoryItem:
    if not DEV.is_dir():
        pytest.skip(f"shared dev corpus not found at {DEV}")
    text = (DEV / f"{name}.txt").read_text(encoding="utf-8", errors="replace").strip()
    title, _, body = text.partition("\n")
    if not titled:
        title, body = "", text
    return StoryItem(name, body.strip(), published=published, title=title or None)


@pytest.mark.parametrize("name,titled,kind", [
    ("d009", True, "request"),       # "Prosecutor requests nine years ... for Ilya Yashin"
    ("d003", True, "verdict"),       # "... Sentenced to 7 Years in Prison ..."
    ("d001", True, "verdict"),       # "Gorinov, who called for stopping the war, was sentenced": relative clause is background
    ("d005", False, "repeat"),       # "has received an additional three-year prison sentence"
    ("d013", False, "ruling_upheld"),  # "The recent decision ... was upheld by the court"
])
def test_headline_peg(name, titled, kind):
    assert stories.news_peg(doc(name, titled=titled)) == kind


def test_demand_content_is_not_a_happening():
    # "demanded that Putin be charged with treason": the charge did not happen
    it = StoryItem("x", "Body.", title="St. Petersburg deputies demanded that Putin be charged with treason and fired")
    assert stories.news_peg(it) == "dissent"


def test_second_sentence_is_not_in_first_sentence_story():
    items = [doc("d002"), doc("d003"), doc("d006"), doc("d005", titled=False)]
    got = assign_stories(items, None, Settings())
    assert got["d002"] == got["d006"]  # one verdict, two outlets
    assert got["d005"] not in {got["d002"], got["d003"], got["d006"]}


def test_prosecutor_request_is_not_in_verdict_story():
    items = [doc("d008", titled=False), doc("d011"), doc("d009")]
    got = assign_stories(items, None, Settings())
    assert got["d009"] not in {got["d008"], got["d011"]}


def test_estimated_document_date_is_a_lower_bound():
    # A date estimated from the text (latest date it mentions) does not pin the article
    # to that month: it may report a happening months later.
    a = doc("d016", published="2023-05-19")
    b = StoryItem("b", a.text, published="2022-08", title=a.title, published_bound=True)
    c = StoryItem("c", a.text, published="2022-08", title=a.title, published_bound=False)
    f = stories.Features([a, b, c])
    assert stories.compatible("d016", "b", f, Settings())
    assert not stories.compatible("d016", "c", f, Settings())

"""The book's introduction lists exactly the chapters that exist: none promised, none missing."""

from __future__ import annotations

import re

from test_structure import toc_entries

from support import REPO

INTRODUCTION = (REPO / "book" / "introduction.md").read_text(encoding="utf-8")


def test_introduction_links_every_chapter_of_the_toc_and_nothing_else():
    linked = set(re.findall(r"\{doc\}`\.\./(notebooks/[^`]+)`", INTRODUCTION))
    chapters = {chapter for chapter, _ in toc_entries() if chapter.startswith("notebooks/")}
    assert linked == chapters

"""The book's Sphinx extension, without building the book (the slow tests build it)."""

from __future__ import annotations

import json
from pathlib import Path

import pydata_sphinx_theme

from backend_roadmap_tools.book_theme import (
    clean_notebook_json,
    prune_icon_rules,
    slim_page,
    strip_test_markers,
    subset_fonts,
)


def test_marker_lines_are_removed_and_code_kept():
    source = "# NBVAL_IGNORE_OUTPUT\nratio = fast / slow\n  #  NBVAL_SKIP \nprint(ratio)"
    assert strip_test_markers(source) == "ratio = fast / slow\nprint(ratio)"


def test_a_comment_that_mentions_a_marker_is_kept():
    source = "x = 1  # NBVAL_IGNORE_OUTPUT would hide this\n# NBVAL_ is a prefix"
    assert strip_test_markers(source) == source


def test_notebook_json_loses_markers_in_code_cells_only():
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["# NBVAL_IGNORE_OUTPUT\n", "measure()"]},
            {"cell_type": "markdown", "source": "# NBVAL_IGNORE_OUTPUT"},
        ]
    }
    cleaned = json.loads(clean_notebook_json(json.dumps(notebook)))
    assert cleaned["cells"][0]["source"] == "measure()"
    assert cleaned["cells"][1]["source"] == "# NBVAL_IGNORE_OUTPUT"


def test_unchanged_or_unreadable_json_is_returned_as_it_was():
    text = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}]})
    assert clean_notebook_json(text) is text
    assert clean_notebook_json("not json") == "not json"


PAGE = """<head>
<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>
<script src="../_static/searchtools.js"></script>
<script src="../_static/language_data.js"></script>
<script src="../searchindex.js"></script>
<script src="../_static/doctools.js"></script>
</head>"""


def test_slim_page_drops_fontawesome_and_the_search_index_off_the_search_page():
    slim = slim_page(PAGE)
    assert "fontawesome" not in slim and "searchindex" not in slim and "searchtools" not in slim
    assert "doctools.js" in slim


def test_the_search_page_keeps_its_index():
    slim = slim_page(PAGE, is_search_page=True)
    assert "searchindex.js" in slim and "fontawesome" not in slim


def test_icon_rules_of_unused_icons_go_and_used_ones_stay():
    css = (
        '.x{color:red}.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
        '.fa-anchor:before{content:"\\f13d"}.fa-sun:before{content:"\\f185"}'
    )
    pruned = prune_icon_rules(css, {"fa-navicon", "fa-sun"})
    assert pruned == '.x{color:red}.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}' + (
        '.fa-sun:before{content:"\\f185"}'
    )


def test_fonts_cut_to_the_glyphs_still_hold_them(tmp_path):
    from fontTools.ttLib import TTFont

    source = next(Path(pydata_sphinx_theme.__file__).parent.rglob("fa-solid-900.woff2"))
    font = tmp_path / "fa-solid-900.woff2"
    font.write_bytes(source.read_bytes())
    subset_fonts([font], {0xF0C9, 0xF185})
    assert font.stat().st_size < source.stat().st_size / 10
    with TTFont(str(font)) as cut:
        assert {0xF0C9, 0xF185} <= set(cut.getBestCmap())

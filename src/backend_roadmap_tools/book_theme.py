"""A Sphinx extension that fixes what readers hit in the book's theme (`_config.yml` loads it).

- Test markers (`# NBVAL_IGNORE_OUTPUT`-style comments) are removed from code cells, so
  readers never see them; tags such as `nbval-ignore-output` never show anyway.
- A page loads MathJax only when it has math itself (Sphinx also loads it on every page whose
  toctree includes a page with math: the introduction).
- thebe is off: its configuration (written twice, naming another host) and its files go.
- sphinx-design's and togglebutton's files load only on pages that use them.
- The theme's fontawesome.js (1.5 MB, it turns icon tags into SVG) is not loaded: the theme's
  CSS already draws the same icons with the Font Awesome web font. The search index loads on
  the search page only.
- Icons: the theme's stylesheet carries a rule for each of Font Awesome's ~1,400 icons and
  its web fonts every glyph. After the build, only the rules of icons some page or script
  names are kept, and the fonts are cut to those glyphs (fontTools; woff2 needs brotli, and
  without it the fonts are left whole). That keeps a chapter page under its weight budget.
- The course's own CSS and JS (`book/_static/`): long outputs wrap, code scrolls inside its box,
  one search box, and the sidebar buttons work at every width.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A whole line that is only a test marker: `# NBVAL_IGNORE_OUTPUT`, `# NBVAL_SKIP`, ...
MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*$")


def strip_test_markers(source: str) -> str:
    """The cell source without lines that are only a test marker comment."""
    lines = source.splitlines(keepends=True)
    kept = [line for line in lines if not MARKER.match(line)]
    return "".join(kept).rstrip("\n") if len(kept) != len(lines) else source


def clean_notebook_json(text: str) -> str:
    """The notebook (JSON text) with test markers stripped from its code cells."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        joined = "".join(source) if isinstance(source, list) else source
        cleaned = strip_test_markers(joined)
        if cleaned != joined:
            cell["source"] = cleaned
            changed = True
    return json.dumps(notebook) if changed else text


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = clean_notebook_json(source[0])


def _asset_name(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _asset_body(asset: Any) -> str:
    return str(getattr(asset, "attributes", {}).get("body", ""))


def unwanted_assets(page_has_math: bool, body: str) -> list:
    """Predicates saying which script and CSS files this page does not need."""
    rules = [
        lambda name, text: "thebe" in name.lower() or "THEBE" in text,
    ]
    if not page_has_math:
        rules.append(lambda name, text: "mathjax" in name.lower() or "MathJax" in text)
    if 'class="sd-' not in body and "sd-tab" not in body:
        rules.append(lambda name, text: "sphinx-design" in name or "design-tabs" in name)
    if "toggle" not in body:
        rules.append(lambda name, text: "togglebutton" in name)
    return rules


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    # Pages without a document (search, genindex) get the same treatment, without math.
    domain = app.env.get_domain("math")
    page_has_math = doctree is not None and bool(domain.data["has_equations"].get(pagename))
    rules = unwanted_assets(page_has_math, context.get("body", ""))
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is None:
            continue
        assets[:] = [
            asset
            for asset in assets
            if not any(rule(_asset_name(asset), _asset_body(asset)) for rule in rules)
        ]


FONTAWESOME_SCRIPT = re.compile(r"<script[^>]*/fontawesome\.js[^>]*>\s*</script>\s*")
# The theme loads the search index on every page for a search-as-you-type it does not enable
# here (`search_as_you_type` is off): only the search page needs it. It grows with the book.
SEARCH_SCRIPTS = re.compile(
    r"<script src=\"[^\"]*(?:searchtools|language_data|searchindex)\.js\"></script>\s*"
)


def slim_page(html: str, is_search_page: bool = False) -> str:
    """The page without scripts it does not need: fontawesome.js (the theme's CSS web font
    draws the same icons) and, except on the search page, the search index and its tools."""
    html = FONTAWESOME_SCRIPT.sub("", html)
    return html if is_search_page else SEARCH_SCRIPTS.sub("", html)


# A stylesheet rule that only maps icon classes to a glyph:
# `.fa-bars:before,.fa-x:before{content:"\f0c9"}`
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]{4,5})"\}')
ICON_NAME = re.compile(r"fa-[a-z0-9-]+")
GLYPH = re.compile(r'content:"\\([0-9a-f]{4,5})"')


def prune_icon_rules(css: str, used: set[str]) -> str:
    """The stylesheet without the rules of icons that no page or script names."""

    def keep(match: re.Match) -> str:
        names = set(ICON_NAME.findall(match.group(1)))
        return match.group(0) if names & used else ""

    return ICON_RULE.sub(keep, css)


def subset_fonts(fonts: list, codepoints: set[int]) -> None:
    """Cut each web font to ``codepoints`` (in place); leave it whole if that cannot be done."""
    try:
        import brotli  # noqa: F401 - woff2 output needs it
        from fontTools import subset
    except ImportError:
        return
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    for path in fonts:
        font = subset.load_font(str(path), options)
        try:
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codepoints)
            subsetter.subset(font)
            subset.save_font(font, str(path), options)
        finally:
            font.close()


def slim_icons(root) -> None:
    """Keep only the icons the built book uses, in the stylesheets and in the web fonts."""
    used: set[str] = set()
    for path in [*root.rglob("*.html"), *root.glob("_static/**/*.js")]:
        used.update(ICON_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    codepoints: set[int] = set()
    for css_path in root.glob("_static/styles/*.css"):
        css = css_path.read_text(encoding="utf-8")
        pruned = prune_icon_rules(css, used)
        if pruned != css:
            css_path.write_text(pruned, encoding="utf-8")
        codepoints.update(int(code, 16) for code in GLYPH.findall(pruned))
    if codepoints:
        subset_fonts(sorted(root.glob("_static/vendor/fontawesome/webfonts/*.woff2")), codepoints)


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from pathlib import Path

    root = Path(app.outdir)
    for page in root.rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        slim = slim_page(html, is_search_page=page == root / "search.html")
        if slim != html:
            page.write_text(slim, encoding="utf-8")
    slim_icons(root)


#: Extensions the book loads that do not say whether Sphinx may read or write in parallel
#: (Sphinx then reads serially, and warns, which -W makes an error), with why they are safe.
PARALLEL_SAFE_UNDECLARED = {
    # Loaded by sphinx_external_toc. It only replaces TocTreeCollector.assign_section_numbers,
    # which Sphinx calls in the main process after every document is read, and keeps no
    # state of its own per document.
    "sphinx_multitoc_numbering": "numbers sections in the main process only",
}


def declare_parallel_safe(app) -> None:
    """Say for PARALLEL_SAFE_UNDECLARED what their authors did not: `make book` uses -j."""
    for name in PARALLEL_SAFE_UNDECLARED:
        extension = app.extensions.get(name)
        if extension is None:
            continue
        if extension.parallel_read_safe is None:
            extension.parallel_read_safe = True
        if extension.parallel_write_safe is None:
            extension.parallel_write_safe = True


def setup(app):
    declare_parallel_safe(app)
    app.connect("build-finished", _on_build_finished)
    app.connect("source-read", _on_source_read)
    # After sphinx.ext.mathjax (priority 500) has added its files to the page.
    app.connect("html-page-context", _on_page_context, priority=900)
    app.add_js_file("course.js", loading_method="defer")
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}

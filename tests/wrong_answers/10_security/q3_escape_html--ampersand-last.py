"""Replaces & last, so every &lt; it just wrote becomes &amp;lt; (double escaping): the page
shows '&lt;script&gt;' instead of the text."""


def escape_html(text: str) -> str:
    for raw, reference in [
        ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"), ("&", "&amp;")
    ]:
        text = text.replace(raw, reference)
    return text

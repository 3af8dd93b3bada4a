"""The standard library's encoder: html.escape quotes both kinds of quote by default."""


def escape_html(text: str) -> str:
    import html

    return html.escape(text)

"""html.escape(text, quote=False): safe in element text, but a quote breaks out of an
attribute value."""


def escape_html(text: str) -> str:
    import html

    return html.escape(text, quote=False)

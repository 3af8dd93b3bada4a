"""Every special character as a decimal numeric reference, built with a translation table."""

TABLE = {ord(c): f"&#{ord(c)};" for c in "&<>\"'"}


def escape_html(text: str) -> str:
    return text.translate(TABLE)

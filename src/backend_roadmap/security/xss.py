"""A small blog with reflected and stored XSS, and the two switches that fix it.

``XSSBlog`` is a Flask app with three pages that put their input into HTML: a greeting
(``/hello?name=``, text), a search box (``/search?q=``, inside a quoted attribute) and a
comment list (``/comments``, stored). With ``escaping`` off the input is pasted as it came;
with it on, ``html.escape`` encodes ``& < > " '``. ``csp``, when set, is sent as the
``Content-Security-Policy`` header. Both are attributes, so a demo can deploy a fix into the
running server. The security chapter and its browser test (headless Chromium) serve this
same code.

``XSSBlog.PAYLOADS`` are attacks of three shapes; each one, when it runs, appends
``[XSS ran: <shape>]`` to the page's title and to its heading (turned red), so a browser test
(or a person looking at a screenshot) can tell which ones ran.
"""

from __future__ import annotations

from html import escape

#: Scripts only from the page's own origin: inline scripts and event handlers never run.
STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'"

STYLE = """body { font-family: sans-serif; margin: 24px; max-width: 640px; }
li { margin: 6px 0; padding: 6px; background: #f2f2f2; overflow-wrap: anywhere; }
input { width: 60%; }
"""


def _proof(shape: str) -> str:
    """The JavaScript a payload runs: it appends ``[XSS ran: <shape>]`` to the page's title
    (what a test reads: escaped text cannot reach the title) and to its heading, in red (what
    a reader sees). It holds no ``<`` and no ``"``, so it fits in a script element and in a
    quoted attribute alike."""
    return (
        f"var m=' [XSS ran: {shape}]',h=document.querySelector('h1');"
        "document.title+=m;h.append(m);h.style.color='red'"
    )


#: Payload shapes: a script element, an event handler on a new element, and a break-out
#: from a quoted attribute (which needs no ``<`` at all, only ``"``).
XSS_PAYLOADS = {
    "script element": f"<script>{_proof('script element')}</script>",
    "img onerror": f'<img src=x onerror="{_proof("img onerror")}">',
    "attribute break-out": f'" autofocus onfocus="{_proof("attribute break-out")}" x="',
}


class XSSBlog:
    """The blog's pages and its stored comments; ``app`` is the Flask (WSGI) app."""

    STRICT_CSP = STRICT_CSP
    PAYLOADS = XSS_PAYLOADS

    def __init__(self, *, escaping: bool = False, csp: str | None = None) -> None:
        self.escaping = escaping
        self.csp = csp
        self.comments: list[str] = []
        self.app = self._make_app()

    def html(self, value: str) -> str:
        """``value`` as it goes into the page: encoded when escaping is on, else as it came."""
        return escape(value, quote=True) if self.escaping else value

    def page(self, title: str, body: str) -> str:
        return (
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="stylesheet" href="/style.css"></head><body>{body}</body></html>'
        )

    def hello_page(self, name: str) -> str:
        return self.page("Hello", f"<h1>Hello, {self.html(name)}!</h1>")

    def search_page(self, text: str) -> str:
        form = f'<form><input name="q" value="{self.html(text)}"><button>Search</button></form>'
        return self.page("Search", f"<h1>Search the blog</h1>{form}<p>No posts found.</p>")

    def comments_page(self) -> str:
        items = "".join(f"<li>{self.html(text)}</li>" for text in self.comments)
        return self.page("Comments", f"<h1>Comments</h1><ul>{items}</ul>")

    def _make_app(self):
        from flask import Flask, request

        app = Flask("blog")

        @app.after_request
        def add_policy(response):
            if self.csp:
                response.headers.setdefault("Content-Security-Policy", self.csp)
            return response

        @app.get("/style.css")
        def style():
            return STYLE, 200, {"Content-Type": "text/css"}

        @app.get("/hello")
        def hello():
            return self.hello_page(request.args.get("name", "guest"))

        @app.get("/search")
        def search():
            return self.search_page(request.args.get("q", ""))

        @app.route("/comments", methods=["GET", "POST"])
        def comments():
            if request.method == "POST":
                self.comments.append(request.form["text"])
            return self.comments_page()

        return app

"""Chapter 09's cookie flags, in a real browser: what `HttpOnly` and `SameSite` stop.

Chapter 09's table says what each flag stops; this test has headless Chromium (Debian's,
driven by Playwright) show it. A bank on ``127.0.0.1`` sets four cookies at login, each with
other flags; a page on ``localhost`` (another *site*: a different host name) then sends the
victim's browser to the bank, by a self-submitting form (a cross-site POST, as in chapter
10's CSRF demo) and by a link (a cross-site top-level GET). The bank records which cookies
arrived. The cookie with ``SameSite=None`` is the control: it is sent everywhere, so a
cookie missing from a request is missing because of its own flags.
"""

from __future__ import annotations

import pytest
from flask import Flask, make_response, redirect, request

from backend_roadmap import serve_app
from support.browser import headless_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: name -> (HttpOnly, SameSite), as the chapter's login sets them (``sid``) and variations.
COOKIES = {
    "sid": (True, "Lax"),
    "theme": (False, "Lax"),
    "strict": (True, "Strict"),
    "anysite": (True, "None"),
}


def bank_app(received: dict) -> Flask:
    app = Flask("bank")

    @app.get("/login")
    def login():
        reply = make_response(redirect("/home"))
        for name, (http_only, same_site) in COOKIES.items():
            reply.set_cookie(
                name, "v", httponly=http_only, samesite=same_site, secure=same_site == "None"
            )
        return reply

    @app.get("/home")
    def home():
        return "<title>home</title><script>document.title = document.cookie</script>"

    @app.route("/transfer", methods=["GET", "POST"])
    def transfer():
        received[request.method, request.args["via"]] = set(request.cookies)
        return "<title>transfer</title>done"

    return app


def attacker_app() -> Flask:
    app = Flask("attacker")

    @app.get("/form")
    def form():
        return (
            f'<form method="post" action="{request.args["bank"]}/transfer?via=cross-site">'
            "</form><script>document.forms[0].submit()</script>"
        )

    @app.get("/link")
    def link():
        return (
            f'<a id="go" href="{request.args["bank"]}/transfer?via=cross-site">go</a>'
            "<script>document.getElementById('go').click()</script>"
        )

    return app


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium()


@pytest.fixture(scope="module")
def visit(browser):
    """Log in, read document.cookie, then be sent to the bank four ways: what arrived."""
    received: dict = {}
    with serve_app(bank_app(received)) as bank, serve_app(attacker_app()) as attacker:
        other_site = f"http://localhost:{attacker.port}"
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{bank.url}/login")
            script_reads = page.title()
            for kind in ("form", "link"):
                page.goto(f"{other_site}/{kind}?bank={bank.url}")
                page.wait_for_url("**/transfer*")
            page.goto(f"{bank.url}/home")
            page.evaluate(
                """() => { const f = document.createElement('form'); f.method = 'post';
                f.action = '/transfer?via=same-site'; document.body.append(f); f.submit(); }"""
            )
            page.wait_for_url("**/transfer*")
            stored = {c["name"]: c for c in context.cookies()}
        finally:
            context.close()
    return script_reads, received, stored


def test_the_browser_stored_every_cookie_with_its_flags(visit):
    _, _, stored = visit
    flags = {name: (c["httpOnly"], c["sameSite"]) for name, c in stored.items()}
    assert flags == COOKIES


def test_httponly_cookies_are_hidden_from_the_page_script(visit):
    script_reads, _, _ = visit
    assert script_reads == "theme=v", f"document.cookie read {script_reads!r}"


def test_a_same_site_post_carries_every_cookie(visit):
    _, received, _ = visit
    assert received["POST", "same-site"] == set(COOKIES)


def test_samesite_lax_and_strict_stay_home_on_a_cross_site_post(visit):
    _, received, _ = visit
    assert received["POST", "cross-site"] == {"anysite"}


def test_a_cross_site_link_carries_lax_cookies_but_not_strict_ones(visit):
    _, received, _ = visit
    assert received["GET", "cross-site"] == {"sid", "theme", "anysite"}

"""XSSBlog: input pasted into its pages, or encoded; the CSP header when set."""

import httpx
import pytest

from backend_roadmap import XSSBlog, serve_app

SCRIPT = XSSBlog.PAYLOADS["script element"]
BREAK_OUT = XSSBlog.PAYLOADS["attribute break-out"]


@pytest.fixture
def blog():
    return XSSBlog()


def test_vulnerable_pages_paste_the_input_as_it_came(blog):
    assert f"<h1>Hello, {SCRIPT}!</h1>" in blog.hello_page(SCRIPT)
    assert f'value="{BREAK_OUT}"' in blog.search_page(BREAK_OUT)
    blog.comments.append(SCRIPT)
    assert f"<li>{SCRIPT}</li>" in blog.comments_page()


def test_escaping_encodes_markup_and_quotes(blog):
    blog.escaping = True
    assert "<script>" not in blog.hello_page(SCRIPT)
    assert "&lt;script&gt;" in blog.hello_page(SCRIPT)
    page = blog.search_page(BREAK_OUT)
    assert 'value="&quot; autofocus onfocus=&quot;' in page
    assert blog.html("a & 'b'") == "a &amp; &#x27;b&#x27;"


def test_each_payload_names_its_shape_and_its_script_fits_any_context():
    assert set(XSSBlog.PAYLOADS) == {"script element", "img onerror", "attribute break-out"}
    for shape, payload in XSSBlog.PAYLOADS.items():
        assert f"var m=' [XSS ran: {shape}]'" in payload
    assert BREAK_OUT.startswith('"') and "<" not in BREAK_OUT


def test_served_over_http_with_stored_comments_and_the_policy():
    blog = XSSBlog()
    with serve_app(blog.app) as address, httpx.Client(base_url=address.url) as client:
        client.post("/comments", data={"text": "<b>hi</b>"})
        reply = client.get("/comments")
        assert reply.headers["content-type"].startswith("text/html")
        assert "<li><b>hi</b></li>" in reply.text
        assert "content-security-policy" not in reply.headers
        blog.escaping, blog.csp = True, XSSBlog.STRICT_CSP  # the fix, deployed while serving
        reply = client.get("/comments")
        assert "<li>&lt;b&gt;hi&lt;/b&gt;</li>" in reply.text
        assert reply.headers["content-security-policy"] == XSSBlog.STRICT_CSP
        assert client.get("/style.css").headers["content-type"].startswith("text/css")
        assert "Hello, guest!" in client.get("/hello").text

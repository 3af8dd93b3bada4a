"""offline_docs: Swagger UI and ReDoc pages that load nothing from another host."""

import re

import httpx
import pytest
from fastapi import FastAPI

from backend_roadmap import offline_docs, serve_app
from backend_roadmap.apis.docs import ASSET_FILES, CONTENT_SECURITY_POLICY, docs_assets

# Every URL a page names: attributes and the `url: '...'` Swagger UI is started with.
URL = re.compile(r"""(?:src|href|spec-url)="([^"]*)"|url: '([^']*)'""")


def books_app():
    app = FastAPI(title="Books", version="1.0.0")

    @app.get("/books/{book_id}")
    def read_book(book_id: int):
        return {"id": book_id}

    return app


def urls_in(html: str) -> list[str]:
    return [a or b for a, b in URL.findall(html)]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_pages_name_only_urls_of_the_app_itself(path):
    with serve_app(offline_docs(books_app())) as server:
        page = httpx.get(server.url + path)
        assert page.status_code == 200
        urls = urls_in(page.text)
        assert "/openapi.json" in urls
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        for url in urls:
            assert httpx.get(server.url + url).status_code == 200, url
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_fastapi_alone_would_load_the_pages_from_a_cdn():
    # The reason for the helper: the default pages name another host.
    with serve_app(books_app()) as server:
        urls = urls_in(httpx.get(server.url + "/docs").text)
    assert any(u.startswith("https://") for u in urls), urls


def test_the_cdn_pages_are_replaced_not_doubled():
    app = offline_docs(books_app())
    paths = [getattr(route, "path", None) for route in app.router.routes]
    assert paths.count("/docs") == 1 and paths.count("/redoc") == 1


def test_paths_can_be_chosen_and_the_api_is_unchanged():
    app = offline_docs(books_app(), docs_url="/api/docs", redoc_url="/api/ref", assets_url="/a")
    with serve_app(app) as server:
        assert "/a/swagger-ui-bundle.js" in httpx.get(server.url + "/api/docs").text
        assert "/a/redoc.standalone.js" in httpx.get(server.url + "/api/ref").text
        assert httpx.get(server.url + "/books/3").json() == {"id": 3}
        document = httpx.get(server.url + "/openapi.json").json()
    assert sorted(document["paths"]) == ["/books/{book_id}"]


def test_the_package_ships_every_asset():
    for name in ASSET_FILES:
        assert (docs_assets() / name).stat().st_size > 1000, name


def test_an_app_without_a_document_is_refused():
    with pytest.raises(ValueError, match="openapi_url=None"):
        offline_docs(FastAPI(openapi_url=None))

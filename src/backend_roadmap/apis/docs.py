"""Swagger UI and ReDoc served by the app itself, from files a package ships: no CDN.

FastAPI's own ``/docs`` and ``/redoc`` pages load their JavaScript and style sheet from a CDN
and their icon from FastAPI's website, so they stay blank on a machine with no internet.
``offline_docs(app)`` replaces both pages with ones that load the same programs (Swagger UI's
``swagger-ui-bundle.js`` and ``swagger-ui.css``, ReDoc's ``redoc.standalone.js``) from the
app's own server. The files come from the ``fastapi-offline`` package, which ships them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: The files served under ``assets_url``.
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
#: Sent with both pages: the browser loads nothing from another host, even when a bundled
#: program asks for it (ReDoc's sidebar shows its maker's logo from their CDN). The inline
#: script that starts Swagger UI, the styles ReDoc writes into the page and ReDoc's search
#: worker (a blob: URL) are the page's own.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
    ]
)


def docs_assets() -> Path:
    """The folder of Swagger UI's and ReDoc's files inside the installed fastapi-offline."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def offline_docs(
    app: FastAPI,
    docs_url: str = "/docs",
    redoc_url: str = "/redoc",
    assets_url: str = "/docs-assets",
) -> FastAPI:
    """Serve Swagger UI at ``docs_url`` and ReDoc at ``redoc_url`` from local files.

    Any page FastAPI already serves at those paths (its CDN versions) is removed first.
    Returns the app, so ``offline_docs(FastAPI())`` builds one in a line.
    """
    if app.openapi_url is None:
        raise ValueError("the app serves no OpenAPI document (openapi_url=None): nothing to show")
    openapi_url = app.openapi_url
    app.router.routes[:] = [
        route
        for route in app.router.routes
        if getattr(route, "path", None) not in {docs_url, redoc_url}
    ]
    app.docs_url, app.redoc_url = docs_url, redoc_url
    app.mount(assets_url, StaticFiles(directory=docs_assets()), name="docs-assets")

    def local(request: Request, path: str) -> str:
        return request.scope.get("root_path", "") + path

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=local(request, openapi_url),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=local(request, f"{assets_url}/swagger-ui-bundle.js"),
            swagger_css_url=local(request, f"{assets_url}/swagger-ui.css"),
            swagger_favicon_url=local(request, f"{assets_url}/favicon.png"),
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return page

    @app.get(redoc_url, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=local(request, openapi_url),
            title=f"{app.title} - ReDoc",
            redoc_js_url=local(request, f"{assets_url}/redoc.standalone.js"),
            redoc_favicon_url=local(request, f"{assets_url}/favicon.png"),
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return page

    return app

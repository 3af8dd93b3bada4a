"""Builds the routes on an APIRouter, returns JSONResponse objects with the status and the
Location header set on them, and answers the 204 with a bare Response."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse


class NewBookmark(BaseModel):
    url: str
    title: str


def create_app() -> FastAPI:
    """A new bookmarks API with empty storage."""
    router = APIRouter(prefix="/bookmarks")
    stored = []
    last_id = 0

    def not_found():
        return JSONResponse({"detail": "not found"}, status_code=404)

    @router.post("")
    def add(new: NewBookmark):
        nonlocal last_id
        if any(b["url"] == new.url for b in stored):
            return JSONResponse({"detail": "already bookmarked"}, status_code=409)
        last_id += 1
        bookmark = {"id": last_id, "url": new.url, "title": new.title}
        stored.append(bookmark)
        return JSONResponse(bookmark, status_code=201,
                            headers={"Location": f"/bookmarks/{last_id}"})

    @router.get("")
    def search(q: str | None = None):
        word = (q or "").casefold()
        return [b for b in stored if word in b["title"].casefold()]

    @router.get("/{bookmark_id}")
    def read(bookmark_id: int):
        return next((b for b in stored if b["id"] == bookmark_id), None) or not_found()

    @router.delete("/{bookmark_id}")
    def delete(bookmark_id: int):
        for b in stored:
            if b["id"] == bookmark_id:
                stored.remove(b)
                return Response(status_code=204)
        return not_found()

    app = FastAPI()
    app.include_router(router)
    return app

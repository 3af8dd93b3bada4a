"""Leaves POST with FastAPI's default status 200 instead of 201 Created."""


def create_app() -> FastAPI:
    """A new bookmarks API with empty storage."""
    app = FastAPI()
    bookmarks = {}
    ids = itertools.count(1)

    class NewBookmark(BaseModel):
        url: str
        title: str

    def find(bookmark_id):
        if bookmark_id not in bookmarks:
            raise HTTPException(status_code=404, detail="not found")
        return bookmarks[bookmark_id]

    @app.post("/bookmarks")
    def add(new: NewBookmark, response: Response):
        if any(b["url"] == new.url for b in bookmarks.values()):
            raise HTTPException(status_code=409, detail="already bookmarked")
        bookmark = {"id": next(ids), "url": new.url, "title": new.title}
        bookmarks[bookmark["id"]] = bookmark
        response.headers["Location"] = f"/bookmarks/{bookmark['id']}"
        return bookmark

    @app.get("/bookmarks")
    def search(q: str = ""):
        return [b for b in bookmarks.values() if q.lower() in b["title"].lower()]

    @app.get("/bookmarks/{bookmark_id}")
    def read(bookmark_id: int):
        return find(bookmark_id)

    @app.delete("/bookmarks/{bookmark_id}", status_code=204)
    def delete(bookmark_id: int):
        find(bookmark_id)
        del bookmarks[bookmark_id]

    return app

"""Puts the offset of the next page in the cursor, so a task deleted meanwhile makes the next page skip one."""


def create_app() -> FastAPI:
    """A new tasks API with empty storage."""
    app = FastAPI()
    tasks = {}
    ids = itertools.count(1)
    replays = {}

    class TaskIn(BaseModel):
        title: str
        status: Literal["open", "done"] = "open"

    def problem(status, title, detail):
        body = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
        }
        return JSONResponse(body, status, media_type="application/problem+json")

    def missing(task_id):
        return problem(404, "Not Found", f"there is no task {task_id}")

    def etag(task):
        return f'"v{task["version"]}"'

    def shown(task):
        return {"id": task["id"], "title": task["title"], "status": task["status"]}

    @app.post("/tasks")
    def add(new: TaskIn, request: Request):
        key = request.headers.get("Idempotency-Key")
        if key in replays:
            body, reply = replays[key]
            if body != new.model_dump():
                return problem(
                    422, "Unprocessable Content", "key used for another body"
                )
            return reply
        task = {"id": next(ids), **new.model_dump(), "version": 1}
        tasks[task["id"]] = task
        headers = {"Location": f"/tasks/{task['id']}", "ETag": etag(task)}
        reply = JSONResponse(shown(task), 201, headers=headers)
        if key is not None:
            replays[key] = (new.model_dump(), reply)
        return reply

    @app.get("/tasks")
    def page(request: Request):
        query = request.query_params
        unknown = sorted(set(query) - {"limit", "cursor", "status"})
        if unknown:
            return problem(400, "Bad Request", f"unknown query parameter {unknown[0]}")
        limit = query.get("limit", "10")
        if not (limit.isdigit() and 1 <= int(limit) <= 100):
            return problem(400, "Bad Request", "limit is a number from 1 to 100")
        after = 0
        if "cursor" in query:
            try:
                after = decode_cursor(query["cursor"])
            except ValueError:
                return problem(400, "Bad Request", "the cursor is not one of ours")
        status = query.get("status")
        if status not in (None, "open", "done"):
            return problem(400, "Bad Request", "status is open or done")
        found = [
            task
            for task_id, task in sorted(tasks.items())
            if status in (None, task["status"])
        ]
        items = found[after : after + int(limit)]
        more = len(found) > after + len(items)
        return {
            "items": [shown(task) for task in items],
            "next_cursor": encode_cursor(after + len(items)) if more else None,
        }

    @app.get("/tasks/{task_id}")
    def read(task_id: int):
        if task_id not in tasks:
            return missing(task_id)
        task = tasks[task_id]
        return JSONResponse(shown(task), headers={"ETag": etag(task)})

    @app.put("/tasks/{task_id}")
    def replace(task_id: int, new: TaskIn, request: Request):
        if task_id not in tasks:
            return missing(task_id)
        task = tasks[task_id]
        header = request.headers.get("If-Match")
        if header is None:
            return problem(428, "Precondition Required", "send If-Match with the ETag")
        if not if_match_allows(header, etag(task)):
            return problem(
                412, "Precondition Failed", "the task changed since you read it"
            )
        task.update(new.model_dump(), version=task["version"] + 1)
        return JSONResponse(shown(task), headers={"ETag": etag(task)})

    @app.delete("/tasks/{task_id}")
    def delete(task_id: int):
        if task_id not in tasks:
            return missing(task_id)
        del tasks[task_id]
        return Response(status_code=204)

    return app

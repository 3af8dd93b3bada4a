"""Names the path parameter `id`, so the documented path is not the app's `/books/{book_id}`."""


def contract():
    """The OpenAPI 3.1 document of the app that create_library() returns."""

    def problem(description):
        schema = {"$ref": "#/components/schemas/Problem"}
        content = {"application/problem+json": {"schema": schema}}
        return {"description": description, "content": content}

    book_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    book = {"$ref": "#/components/schemas/Book"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Library", "version": "1.0.0"},
        "paths": {
            "/books": {
                "get": {
                    "operationId": "listBooks",
                    "responses": {
                        "200": {
                            "description": "every book, by id",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": book}
                                }
                            },
                        }
                    },
                }
            },
            "/books/{id}": {
                "get": {
                    "operationId": "readBook",
                    "parameters": [book_id],
                    "responses": {
                        "200": {
                            "description": "the book",
                            "content": {"application/json": {"schema": book}},
                        },
                        "404": problem("there is no such book"),
                    },
                },
                "delete": {
                    "operationId": "deleteBook",
                    "parameters": [book_id],
                    "responses": {
                        "204": {"description": "deleted"},
                        "404": problem("there is no such book"),
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Book": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "year": {"type": "integer"},
                    },
                    "required": ["id", "title", "year"],
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                    },
                    "required": ["type", "title", "status", "detail"],
                },
            }
        },
    }

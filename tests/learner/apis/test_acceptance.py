"""check_http: requests sent in order over real HTTP, every difference from the spec named."""

import pytest
from fastapi import FastAPI, Response
from flask import Flask

from backend_roadmap import ANY, Call, HTTPCheckFailed, Reply, check_http, serve_app


def notes_app():
    app = FastAPI()
    notes = {}

    @app.post("/notes", status_code=201)
    def create(body: dict, response: Response):
        note_id = len(notes) + 1
        notes[note_id] = body["text"]
        response.headers["Location"] = f"/notes/{note_id}"
        return {"id": note_id, "text": body["text"]}

    @app.get("/notes/{note_id}")
    def read(note_id: int):
        return {"id": note_id, "text": notes[note_id]}  # KeyError -> 500 on purpose

    @app.delete("/notes/{note_id}", status_code=204)
    def delete(note_id: int):
        notes.pop(note_id, None)

    return app


def test_a_conforming_app_passes_and_results_are_returned_in_order():
    results = check_http(
        notes_app(),
        [
            (
                Call("POST", "/notes", json={"text": "hi"}),
                Reply(
                    201,
                    json={"id": 1, "text": "hi"},
                    headers={"location": "/notes/1"},
                    content_type="application/json",
                ),
            ),
            (Call("GET", "/notes/1"), Reply(200, json={"id": ANY, "text": "hi"})),
            (Call("DELETE", "/notes/1"), Reply(204, empty=True, headers={"Location": None})),
        ],
    )
    assert [r.status for r in results] == [201, 200, 204]
    assert all(r.passed for r in results)


def test_each_failing_request_is_named_with_what_differed_and_the_apps_exception():
    with pytest.raises(HTTPCheckFailed) as failure:
        check_http(
            notes_app(),
            [
                (Call("POST", "/notes", json={"text": "hi"}, note="create"), Reply(200)),
                (Call("GET", "/notes/1"), Reply(200, json={"id": 1, "text": "hi"})),
                (Call("GET", "/notes/7"), Reply(404)),
                (Call("GET", "/notes/1"), Reply(200, json={"id": 1.0, "text": "hi"})),
                (Call("GET", "/notes/1"), Reply(200, headers={"ETag": ANY})),
            ],
        )
    message = str(failure.value)
    assert message.startswith("4 of 5 requests did not get the reply the spec asks for")
    assert 'request 1: POST /notes {"text": "hi"} (create)' in message
    assert "status: expected 200, got 201" in message
    assert "request 2" not in message
    assert "request 3: GET /notes/7\n    status: expected 404, got 500" in message
    assert "the app raised KeyError: 7" in message
    assert "JSON body['id']: expected float 1.0, got int 1" in message
    assert "header ETag: expected one, got none" in message
    assert isinstance(failure.value, AssertionError)
    assert [r.passed for r in failure.value.results] == [False, True, False, False, False]


def test_content_type_compares_the_media_type_and_non_json_bodies_are_reported():
    app = Flask(__name__)

    @app.get("/text")
    def text():
        return "plain words", 200, {"Content-Type": "text/plain; charset=utf-8"}

    check_http(app, [(Call("GET", "/text"), Reply(200, content_type="text/plain"))])
    with pytest.raises(HTTPCheckFailed) as failure:
        check_http(
            app, [(Call("GET", "/text"), Reply(200, json={}, content_type="application/json"))]
        )
    assert "content-type: expected 'application/json', got 'text/plain'" in str(failure.value)
    assert "body: expected JSON, got b'plain words'" in str(failure.value)


def test_a_running_server_is_checked_by_url_or_address():
    app = notes_app()
    with serve_app(app) as address:
        check_http(address.url, [(Call("DELETE", "/notes/3"), Reply(204))])
        check_http(address, [(Call("DELETE", "/notes/3"), Reply(204, empty=True))])


def test_raw_content_and_headers_are_sent():
    def echo(environ, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size)
        start_response("200 OK", [("Content-Type", environ.get("CONTENT_TYPE", ""))])
        return [body]

    check_http(
        echo,
        [
            (
                Call("PUT", "/x", content='{"a": 1}', headers={"Content-Type": "application/json"}),
                Reply(200, json={"a": 1}, content_type="application/json"),
            )
        ],
    )


def test_cases_must_be_call_reply_pairs():
    with pytest.raises(TypeError, match="each case is a"):
        check_http("http://127.0.0.1:9", [(Call("GET", "/"), 200)])


def test_a_request_that_gets_no_reply_is_reported_not_raised():
    with serve_app(notes_app()) as address:
        url = address.url
    with pytest.raises(HTTPCheckFailed, match="request 1: GET /\n    no reply: ConnectError"):
        check_http(url, [(Call("GET", "/"), Reply(200))])

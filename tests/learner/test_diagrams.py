"""Diagrams render to PNG anywhere, and a typo in a name is a clear error, not a blank picture."""

import pytest

from backend_roadmap import flow_diagram, sequence_diagram

PNG = b"\x89PNG\r\n\x1a\n"


def test_sequence_diagram_is_a_png_that_grows_with_its_messages():
    short = sequence_diagram(["client", "server"], [("client", "server", "SYN")])
    long = sequence_diagram(
        ["client", "server"],
        [("client", "server", "SYN"), ("server", "client", "SYN-ACK")] * 4
        + [("client", "client", "close()")],
        title="handshake",
    )
    assert short._repr_png_().startswith(PNG)
    assert long.figure.get_size_inches()[1] > short.figure.get_size_inches()[1]


def test_flow_diagram_draws_both_directions_and_saves(tmp_path):
    diagram = flow_diagram(
        [["client"], ["proxy"], ["app a", "app b"]],
        [("client", "proxy", "GET /"), ("proxy", "client", "200"), ("proxy", "app a", None)],
        title="a reverse proxy",
    )
    saved = diagram.save(tmp_path / "flow.png")
    assert saved.read_bytes().startswith(PNG)
    assert "Diagram" in repr(diagram)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sequence_diagram(["a"], [("a", "b", "hi")]), "message 1 names 'b'"),
        (lambda: sequence_diagram(["a", "b"], [("a", "b")]), "message 1 should be"),
        (lambda: sequence_diagram([], []), "at least one participant"),
        (lambda: flow_diagram([["a"], ["b"]], [("a", "c", None)]), "edge 1 names 'c'"),
        (lambda: flow_diagram([["a"], ["a"]], []), "only once"),
        (lambda: flow_diagram([[]], []), "at least one box"),
    ],
)
def test_mistakes_say_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()

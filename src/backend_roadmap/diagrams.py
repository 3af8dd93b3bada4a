"""Diagrams for the chapters: message sequences (handshakes, request flows) and box-and-arrow flows.

They are drawn with matplotlib, so a diagram renders the same in JupyterLab, in the offline
book and in a plain ``python`` session, with no JavaScript and nothing fetched. A diagram is
the last expression of its cell::

    sequence_diagram(
        ["client", "server"],
        [("client", "server", "SYN"), ("server", "client", "SYN-ACK"),
         ("client", "server", "ACK")],
        title="TCP three-way handshake",
    )

    flow_diagram(
        [["browser"], ["resolver"], ["root", "com.", "example.com."]],
        [("browser", "resolver", "A example.com?"), ("resolver", "root", "1"),
         ("resolver", "com.", "2"), ("resolver", "example.com.", "3")],
        title="DNS delegation",
    )
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Message = tuple[str, str, str]
Edge = tuple[str, str, "str | None"]

BOX = {"boxstyle": "round,pad=0.35", "facecolor": "#e8f0fb", "edgecolor": "#3465a4"}
NOTE = {"boxstyle": "round,pad=0.3", "facecolor": "#fff6d5", "edgecolor": "#c4a000"}
ARROW = {"arrowstyle": "-|>", "color": "#2e3436", "linewidth": 1.2, "shrinkA": 4, "shrinkB": 4}


@dataclass(frozen=True)
class Diagram:
    """A drawn diagram. Jupyter shows it as a PNG; ``save`` writes it to a file."""

    figure: object  # matplotlib.figure.Figure
    dpi: int = 110

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        self.figure.savefig(path, dpi=self.dpi, bbox_inches="tight")
        return path

    def __repr__(self) -> str:
        width, height = self.figure.get_size_inches()
        return f"<Diagram {width:.1f}x{height:.1f} in>"


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    return figure, axes


def _known(name: str, names: Sequence[str], where: str) -> None:
    if name not in names:
        raise ValueError(f"{where} names {name!r}, which is not one of {list(names)}")


def sequence_diagram(
    participants: Sequence[str], messages: Sequence[Message], title: str | None = None
) -> Diagram:
    """Participants as columns with lifelines; each ``(sender, receiver, label)`` an arrow.

    Messages are drawn top to bottom in order. A message whose sender is its receiver is drawn
    as a note on that lifeline (something the participant does, such as "close()").
    """
    participants = list(participants)
    if not participants:
        raise ValueError("a sequence diagram needs at least one participant")
    for number, message in enumerate(messages, 1):
        if len(message) != 3:
            raise ValueError(f"message {number} should be (sender, receiver, label): {message!r}")
        _known(message[0], participants, f"message {number}")
        _known(message[1], participants, f"message {number}")
    step, top = 0.55, 0.9
    width = max(5.0, 2.6 * len(participants))
    height = top + 0.3 + step * max(len(messages), 1) + (0.4 if title else 0)
    figure, axes = _figure(width, height)
    axes.set_xlim(0, width)
    axes.set_ylim(0, height)
    x = {name: width * (i + 0.5) / len(participants) for i, name in enumerate(participants)}
    head = height - (0.75 if title else 0.4)
    if title:
        axes.text(width / 2, height - 0.25, title, ha="center", va="center", weight="bold")
    bottom = head - top + 0.2 - step * max(len(messages) - 1, 0) - 0.3
    for name, position in x.items():
        axes.plot([position, position], [bottom, head], color="#888a85", linestyle="--", lw=1)
        axes.text(position, head, name, ha="center", va="center", bbox=BOX, zorder=3)
    for number, (sender, receiver, label) in enumerate(messages):
        y = head - top + 0.2 - step * number
        if sender == receiver:
            axes.text(x[sender], y, label, ha="center", va="center", fontsize=9, bbox=NOTE)
            continue
        axes.annotate("", xy=(x[receiver], y), xytext=(x[sender], y), arrowprops=ARROW)
        middle = (x[sender] + x[receiver]) / 2
        axes.text(middle, y + 0.07, label, ha="center", va="bottom", fontsize=9)
    return Diagram(figure)


def flow_diagram(
    columns: Sequence[Sequence[str]], edges: Sequence[Edge], title: str | None = None
) -> Diagram:
    """Boxes in columns, left to right; each ``(source, target, label or None)`` an arrow.

    Two edges between the same boxes in opposite directions are drawn as two curves, so a
    request and its response can both be shown.
    """
    columns = [list(column) for column in columns]
    names = [name for column in columns for name in column]
    if not names:
        raise ValueError("a flow diagram needs at least one box")
    if len(set(names)) != len(names):
        raise ValueError("each box name may appear only once")
    for number, edge in enumerate(edges, 1):
        if len(edge) != 3:
            raise ValueError(f"edge {number} should be (source, target, label or None): {edge!r}")
        _known(edge[0], names, f"edge {number}")
        _known(edge[1], names, f"edge {number}")
    rows = max(len(column) for column in columns)
    width = max(5.0, 2.9 * len(columns))
    height = max(1.6, 1.05 * rows + 0.4) + (0.45 if title else 0)
    figure, axes = _figure(width, height)
    axes.set_xlim(0, width)
    axes.set_ylim(0, height)
    usable = height - (0.45 if title else 0)
    if title:
        axes.text(width / 2, height - 0.25, title, ha="center", va="center", weight="bold")
    where: dict[str, tuple[float, float]] = {}
    for i, column in enumerate(columns):
        for j, name in enumerate(column):
            where[name] = (width * (i + 0.5) / len(columns), usable * (1 - (j + 0.5) / len(column)))
    labels = {
        name: axes.text(*where[name], name, ha="center", va="center", bbox=BOX, zorder=3)
        for name in names
    }
    pairs = {(source, target) for source, target, _ in edges}
    for source, target, label in edges:
        curve = 0.25 if (target, source) in pairs else 0.0
        style = dict(ARROW, patchA=labels[source], patchB=labels[target])
        style["connectionstyle"] = f"arc3,rad={curve}"
        axes.annotate("", xy=where[target], xytext=where[source], arrowprops=style)
        if label:
            (x0, y0), (x1, y1) = where[source], where[target]
            # The label sits at the curve's middle: arc3 bends by rad times the distance.
            mx, my = (x0 + x1) / 2 + curve * (y1 - y0) / 2, (y0 + y1) / 2 - curve * (x1 - x0) / 2
            axes.text(
                mx, my, label, ha="center", va="center", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )  # fmt: skip
    return Diagram(figure)

"""A web server access log made up on the spot: seeded, so every run gives the same lines.

The lines are in the Combined Log Format that nginx and Apache write by default::

    203.0.113.7 - - [01/Jan/2025:00:00:03 +0000] "GET /api/orders?page=2 HTTP/1.1" 200 512 "-" "k6"

A few client addresses send most of the traffic and some paths fail more often than others,
so that counting, sorting and top-N questions have interesting answers.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from backend_roadmap.clock import DEFAULT_START

CLIENTS = [f"198.51.100.{n}" for n in (7, 23, 42)] + [f"203.0.113.{n}" for n in range(1, 30)]
# (path, method, weight, share of 5xx, share of 4xx)
ROUTES = [
    ("/", "GET", 20, 0.00, 0.01),
    ("/api/products", "GET", 18, 0.01, 0.02),
    ("/api/orders", "GET", 12, 0.03, 0.05),
    ("/api/orders", "POST", 6, 0.10, 0.08),
    ("/api/search", "GET", 10, 0.08, 0.03),
    ("/api/login", "POST", 8, 0.02, 0.25),
    ("/static/app.js", "GET", 15, 0.00, 0.00),
    ("/healthz", "GET", 9, 0.00, 0.00),
    ("/admin", "GET", 2, 0.00, 0.60),
]
AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "python-httpx/0.27", "k6/0.49"]


def generate_access_log(n: int = 2000, seed: int = 2025) -> list[str]:
    """``n`` access log lines (no newlines), the same for the same ``n`` and ``seed``."""
    rng = random.Random(seed)
    client_weights = [40, 25, 15] + [1] * (len(CLIENTS) - 3)
    now = DEFAULT_START
    lines = []
    for _ in range(n):
        now += rng.choice((0, 1, 1, 2, 3))
        client = rng.choices(CLIENTS, client_weights)[0]
        path, method, _, fail, reject = rng.choices(ROUTES, [r[2] for r in ROUTES])[0]
        if path in ("/api/orders", "/api/search") and method == "GET" and rng.random() < 0.5:
            path += f"?page={rng.randint(1, 5)}" if path == "/api/orders" else "?q=item"
        roll = rng.random()
        status = (
            rng.choice((500, 502, 503))
            if roll < fail
            else rng.choice((400, 401, 403, 404))
            if roll < fail + reject
            else 201
            if method == "POST"
            else 200
        )
        size = 0 if status >= 400 else rng.randint(120, 9000)
        stamp = datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        agent = rng.choice(AGENTS)
        lines.append(
            f'{client} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" "{agent}"'
        )
    return lines


def write_access_log(path: str | Path, n: int = 2000, seed: int = 2025) -> Path:
    """Write :func:`generate_access_log` to ``path``, one line each; return the path."""
    path = Path(path)
    path.write_text("\n".join(generate_access_log(n, seed)) + "\n", encoding="utf-8")
    return path

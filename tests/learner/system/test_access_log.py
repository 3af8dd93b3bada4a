"""The generated access log is deterministic, well formed and has the skew the chapters use."""

import re
from collections import Counter

from backend_roadmap.system.access_log import generate_access_log, write_access_log

LINE = re.compile(
    r"^(\d+\.\d+\.\d+\.\d+) - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "
    r'"(GET|POST) (/\S*) HTTP/1\.1" (\d{3}) (\d+) "-" "[^"]+"$'
)


def test_same_seed_same_lines_and_other_seed_other_lines():
    assert generate_access_log(300) == generate_access_log(300)
    assert generate_access_log(300, seed=1) != generate_access_log(300)
    assert len(generate_access_log(123)) == 123


def test_every_line_is_combined_log_format():
    for line in generate_access_log(2000):
        assert LINE.match(line), line


def test_traffic_is_skewed_and_has_errors_and_query_strings():
    matches = [LINE.match(line) for line in generate_access_log(2000)]
    clients = Counter(m.group(1) for m in matches)
    statuses = Counter(m.group(4)[0] for m in matches)
    assert clients.most_common(1)[0][1] > 5 * sorted(clients.values())[len(clients) // 2]
    assert statuses["5"] > 0 and statuses["4"] > 0
    assert any("?" in m.group(3) for m in matches)


def test_write_access_log(tmp_path):
    path = write_access_log(tmp_path / "access.log", n=10)
    assert path.read_text().splitlines() == generate_access_log(10)

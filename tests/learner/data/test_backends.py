"""backend_roadmap.data.backends: importing the package does not import the database clients."""

import subprocess
import sys


def test_importing_the_package_leaves_sqlalchemy_and_redis_unimported():
    code = (
        "import sys, backend_roadmap; "
        "print(sorted(m for m in ('sqlalchemy', 'redis', 'fakeredis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_clients_are_imported_on_first_use():
    from backend_roadmap import connect_database, connect_redis

    assert connect_database().dialect.name == "sqlite"
    client = connect_redis()
    assert client.ping() is True

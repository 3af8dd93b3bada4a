"""backend_roadmap.data.postgres: a real, throwaway PostgreSQL per `with` block."""

import os
from pathlib import Path

import pytest
import sqlalchemy

from backend_roadmap import connect_database, embedded_postgres_available, postgres_server
from backend_roadmap.data import postgres

needs_embedded = pytest.mark.skipif(
    not embedded_postgres_available(), reason="no embedded PostgreSQL wheel on this platform"
)


@needs_embedded
def test_a_server_runs_for_the_block_and_is_gone_after():
    with postgres_server() as pg:
        assert pg.embedded is True
        with pg.connect() as connection:
            version = connection.execute("SHOW server_version_num").fetchone()[0]
            assert int(version) >= 160000

            data = connection.execute("SHOW data_directory").fetchone()[0]
            # A Unix socket in a private folder only: no network address at all.
            assert connection.execute("SHOW listen_addresses").fetchone()[0] == ""
        engine = pg.engine()
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT 1 + 1")).scalar() == 2
        engine.dispose()
        home = Path(data).parent
        assert home.exists()
    assert not home.exists()


@needs_embedded
def test_each_server_is_fresh_and_settings_apply():
    with postgres_server({"deadlock_timeout": "150ms"}) as pg:
        with pg.connect(autocommit=True) as connection:
            connection.execute("CREATE TABLE left_behind (x int)")
            setting = connection.execute("SHOW deadlock_timeout").fetchone()[0]
        assert setting == "150ms"
    with postgres_server() as pg, pg.connect() as connection:
        found = connection.execute("SELECT to_regclass('left_behind')").fetchone()[0]
        assert found is None


def test_without_the_wheel_or_a_url_it_says_so_plainly(monkeypatch):
    monkeypatch.setattr(postgres, "_binaries", lambda: None)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(postgres.PostgresUnavailable, match="DATABASE_URL"):
        with postgres_server():
            pass


@needs_embedded
def test_without_the_wheel_a_postgresql_database_url_is_used(monkeypatch):
    with postgres_server() as outer:
        monkeypatch.setattr(postgres, "_binaries", lambda: None)
        monkeypatch.setenv("DATABASE_URL", outer.url)
        with postgres_server() as pg:
            assert pg.embedded is False
            with pg.connect() as connection:
                name = connection.execute("SELECT current_database()").fetchone()[0]
            assert name.startswith("backend_roadmap_")
        with outer.connect() as connection:
            names = connection.execute("SELECT datname FROM pg_database").fetchall()
        assert (name,) not in names


def test_a_bare_postgresql_url_runs_with_psycopg(monkeypatch):
    engine = connect_database("postgresql://user@localhost/db")
    assert engine.dialect.driver == "psycopg"
    monkeypatch.setenv("DATABASE_URL", "postgres://user@localhost/db")
    assert connect_database().dialect.driver == "psycopg"


def test_the_template_lives_in_a_short_path():
    scratch = postgres._scratch()
    if os.name != "nt":
        assert scratch is not None and len(scratch) < 20


@needs_embedded
def test_a_block_left_open_is_stopped_when_python_exits():
    import subprocess
    import sys

    code = (
        "import contextlib; from backend_roadmap import postgres_server; "
        "stack = contextlib.ExitStack(); pg = stack.enter_context(postgres_server()); "
        "print(pg.dsn.split()[0].removeprefix('host='))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert not Path(result.stdout.strip()).exists()


@needs_embedded
@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root hands the server to `nobody`, who may not see a private folder",
)
def test_as_root_the_binaries_are_reachable_from_a_private_clone(tmp_path):
    """`mktemp -d` makes a mode-700 folder: a clone (and its .venv) inside it is hidden from
    `nobody`, so the server could not even start (seen in a fresh clone)."""
    import shutil
    import subprocess

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    real = postgres._binaries()
    hidden = private / real.parent.name
    shutil.copytree(real.parent / "bin", hidden / "bin", symlinks=True)
    run_as = postgres._run_as()
    with pytest.raises(PermissionError):
        subprocess.run([str(hidden / "bin" / "postgres"), "--version"], **run_as, check=True)
    reachable = postgres._reachable(real, run_as)
    assert reachable.parent.name == real.parent.name, "the template stays keyed by version"
    shown = subprocess.run(
        [str(reachable / "postgres"), "--version"],
        **run_as, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "PostgreSQL" in shown.stdout

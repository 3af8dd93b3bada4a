"""backend_roadmap.data.queries: counting the statements an engine sends."""

import sqlalchemy

from backend_roadmap import connect_database, count_queries


def test_counts_each_statement_inside_the_block_only():
    engine = connect_database("sqlite://")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text("SELECT 1"))
        with count_queries(engine) as queries:
            connection.execute(sqlalchemy.text("SELECT 2"))
            connection.execute(sqlalchemy.text("SELECT 3"))
        connection.execute(sqlalchemy.text("SELECT 4"))
    assert queries.count == 2
    assert queries.statements == ["SELECT 2", "SELECT 3"]


def test_executemany_counts_once():
    engine = connect_database("sqlite://")
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("CREATE TABLE t (x int)"))
        with count_queries(engine) as queries:
            connection.execute(sqlalchemy.text("INSERT INTO t VALUES (:x)"), [{"x": 1}, {"x": 2}])
    assert queries.count == 1

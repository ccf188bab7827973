"""The database planner's statistics: what lets it choose an index.

SQLite plans by the sizes ANALYZE wrote (``sqlite_stat1``); PostgreSQL's
autovacuum analyzes by itself, later. Both are refreshed after an import,
and on SQLite an index a migration adds gets its own at once."""

from __future__ import annotations

from django.db import connection as default_connection


def refresh_planner_statistics(connection=default_connection) -> None:
    """After an import, let the database's planner see the new sizes: without
    statistics SQLite reads whole rows (text included) to sort a listing
    instead of walking the listing indexes (20,000 essays: the essay list took
    115 ms before, 10 ms after). PostgreSQL's autovacuum would get there
    later; ANALYZE gets there now. Cheap: 40 ms at 20,000 essays."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE essays_essay, essays_essay_tags, essays_tag, essays_sourcefile")


def analyze_new_indexes(connection=default_connection) -> list[str]:
    """On SQLite, ANALYZE each index without statistics on a table that has
    them, and return their names. To the planner, an index a migration added
    to an archive analyzed before looks as if it held few rows: at 100,000
    essays it walked a new index of the readable essays' titles for every
    list filtered by a tag, then sorted (2.3 -> 70 ms), until the next
    import refreshed the statistics."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:  # never analyzed: every index alike
            return []
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name IN (SELECT tbl FROM sqlite_stat1)"
            " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
            " ORDER BY name"
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute('ANALYZE "{}"'.format(name.replace('"', '""')))
    return names

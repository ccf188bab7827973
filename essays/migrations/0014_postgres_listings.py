from django.db import migrations

# PostgreSQL does not walk the listing indexes (status, duplicate_of, ...)
# for "duplicate_of_id IS NULL": the newest and longest essays were found by
# reading and sorting every row (20,000 essays: 10-28 ms, growing with the
# archive). Partial indexes over readable essays give those orders directly.
# PostgreSQL only: SQLite walks the full indexes already, and would not use a
# partial index for a query whose status is a bound parameter.
READABLE = "status = 'published' AND duplicate_of_id IS NULL"
INDEXES = {
    "essay_pg_readable_new": "(created DESC, id DESC)",
    "essay_pg_readable_length": "(char_count DESC, id)",
    "essay_pg_readable_section_new": "(section_id, created DESC, id DESC)",
    "essay_pg_readable_section_length": "(section_id, char_count DESC, id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON essays_essay {columns} WHERE {READABLE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0013_essay_page"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

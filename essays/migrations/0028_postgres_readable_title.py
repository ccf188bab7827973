from django.db import migrations

# The search box's title suggestions walk the readable essays' titles in
# order until they have a page of them. PostgreSQL does not walk the index
# of (status, duplicate_of, title) for "duplicate_of_id IS NULL" (as 0014
# says of the listing indexes): at 20,000 essays each keystroke read and
# sorted every readable essay's title (about 20 ms, growing with the
# archive). A partial index over readable essays gives that order directly.
# PostgreSQL only: SQLite walks essay_readable_title (0027).
READABLE = "status = 'published' AND duplicate_of_id IS NULL"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS essay_pg_readable_title ON essays_essay (title, id) WHERE {READABLE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS essay_pg_readable_title")


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0027_essay_readable_title"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

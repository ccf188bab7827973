from django.db import migrations

# A list row (EssayQuerySet.list_rows: key, title, length, collection,
# section) from an index alone, on SQLite. Its table keeps an essay's columns
# in one record, and the length, collection and section come after the text
# and the import snapshot: reading them walked some 15 KB of overflow pages
# per row. A page of fifty random rows from a 3 GB archive not in memory took
# 11-24 ms, from this index 1.6 ms. PostgreSQL keeps long values apart
# (TOAST), so its rows are short already.
NAME = "essay_sqlite_list_row"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON essays_essay (id, source_id, section_id, char_count, key, title)"
        )
        # SQLite takes an index over the primary key only knowing the table's
        # statistics (imports refresh them: essays.importer).
        schema_editor.execute("ANALYZE essays_essay")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0015_essay_featured"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

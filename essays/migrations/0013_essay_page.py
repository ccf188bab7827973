from django.db import migrations, models

# Related essays judge each candidate by its status, section and fingerprint,
# and the sitemap lists readable essays' keys and update times: with those
# columns in indexes, SQLite no longer reads the rows (past the text, through
# overflow pages). The planner only takes a new index it has
# statistics for, so SQLite's are refreshed here (after an import they are
# refreshed anyway: essays.planner.refresh_planner_statistics).


def refresh_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0012_perf"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="essay",
            name="essay_readable_by_id",
        ),
        migrations.AddIndex(
            model_name="essay",
            index=models.Index(
                fields=["id", "status", "duplicate_of", "section", "fingerprint"], name="essay_related_candidate"
            ),
        ),
        migrations.AddIndex(
            model_name="essay",
            index=models.Index(fields=["status", "duplicate_of", "id", "key", "updated"], name="essay_readable_updated"),
        ),
        migrations.RunPython(refresh_statistics, migrations.RunPython.noop, elidable=True),
    ]

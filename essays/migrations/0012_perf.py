from django.db import migrations, models

# Listings in collection order walk an index to any page (models.COLLECTION_ORDER):
# the section's index gains the order's columns.
# The tag-essay table (Django's auto-created through table of Essay.tags) has
# an index on each column alone. Related essays walk one tag's newest essays,
# which needs both columns in one index (essays.models.EssayQuerySet.related_to).
TAG_ESSAY_INDEX = "essays_essay_tags_tag_essay"


class Migration(migrations.Migration):

    dependencies = [
        ("essays", "0011_workplace"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="essay",
            name="essay_readable_by_section",
        ),
        migrations.AddIndex(
            model_name="essay",
            index=models.Index(
                fields=["section", "status", "duplicate_of", "source", "position"], name="essay_readable_section_order"
            ),
        ),
        migrations.AddIndex(
            model_name="essay",
            index=models.Index(fields=["section", "status", "duplicate_of", "-created", "-id"], name="essay_readable_section_new"),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {TAG_ESSAY_INDEX} ON essays_essay_tags (tag_id, essay_id)",
            f"DROP INDEX {TAG_ESSAY_INDEX}",
        ),
    ]

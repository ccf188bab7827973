from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0008_collection_newest"),
    ]

    operations = [
        migrations.AddField(
            model_name="sourcefile",
            name="cut_doubts",
            field=models.JSONField(blank=True, default=list, verbose_name="切分疑点"),
        ),
    ]

"""Create the themed sections from essays/sections.json (editable; curators
change them in the admin afterwards). Existing sections are left alone."""

import json
from pathlib import Path

from django.db import migrations

SECTIONS_FILE = Path(__file__).resolve().parent.parent / "sections.json"


def create_sections(apps, schema_editor):
    Section = apps.get_model("essays", "Section")
    for item in json.loads(SECTIONS_FILE.read_text(encoding="utf-8")):
        Section.objects.get_or_create(slug=item["slug"], defaults=item)


class Migration(migrations.Migration):
    dependencies = [("essays", "0001_initial")]

    operations = [migrations.RunPython(create_sections, migrations.RunPython.noop)]

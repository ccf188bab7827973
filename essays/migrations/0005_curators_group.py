"""The "curators" group: just the permissions curators need (edit essays,
tags and sections, view and upload collections), nothing of auth or sites."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = [
    "view_essay",
    "change_essay",
    "view_tag",
    "add_tag",
    "change_tag",
    "delete_tag",
    "view_tagalias",
    "view_section",
    "add_section",
    "change_section",
    "view_sourcefile",
    "add_sourcefile",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curators")
    group.permissions.set(Permission.objects.filter(content_type__app_label="essays", codename__in=CURATOR_PERMISSIONS))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0004_tag_alias"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

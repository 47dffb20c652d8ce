"""Create the staff groups (viewers, operators, supervisors) with the back office's permissions."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from enrollments.permissions import sync_groups

    sync_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["viewers", "operators", "supervisors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrollments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

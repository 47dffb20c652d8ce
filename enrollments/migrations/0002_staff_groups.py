"""Create the staff groups (viewers, operators, supervisors) with the back office's permissions."""

from django.db import migrations

PERMISSIONS = {
    "view_backoffice": "Can view enrollments, companies, courses and orders",
    "enroll": "Can enroll people",
    "cancel_enrollment": "Can cancel enrollments",
    "record_completion": "Can record course completions",
    "create_order": "Can create orders of seats",
    "manage_companies": "Can create companies",
    "manage_courses": "Can create courses",
}
OPERATE = ["view_backoffice", "enroll", "cancel_enrollment", "record_completion", "create_order"]
GROUPS = {
    "viewers": ["view_backoffice"],
    "operators": OPERATE,
    "supervisors": OPERATE + ["manage_companies", "manage_courses"],
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after all migrations (post_migrate); make them here
    # so the groups can hold them. post_migrate then finds them and adds nothing.
    content_type, _ = ContentType.objects.get_or_create(app_label="enrollments", model="backoffice")
    permissions = {
        codename: Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})[0]
        for codename, name in PERMISSIONS.items()
    }
    for group_name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*(permissions[codename] for codename in codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrollments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

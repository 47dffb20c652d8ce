"""The back office's permissions and the staff groups that hold them."""

VIEW = "enrollments.view_backoffice"
ENROLL = "enrollments.enroll"
CANCEL = "enrollments.cancel_enrollment"
RECORD_COMPLETION = "enrollments.record_completion"
CREATE_ORDER = "enrollments.create_order"
MANAGE_COMPANIES = "enrollments.manage_companies"
MANAGE_COURSES = "enrollments.manage_courses"

VIEWERS = "viewers"
OPERATORS = "operators"
SUPERVISORS = "supervisors"

_OPERATE = [VIEW, ENROLL, CANCEL, RECORD_COMPLETION, CREATE_ORDER]

# Each group's permissions (``app_label.codename``); the data migration creates them.
GROUPS = {
    VIEWERS: [VIEW],
    OPERATORS: _OPERATE,
    SUPERVISORS: _OPERATE + [MANAGE_COMPANIES, MANAGE_COURSES],
}


def sync_groups(apps=None) -> None:
    """Create the staff groups and give each its permissions; safe to rerun.

    The data migration calls it with its historical ``apps``; tests that flush the
    database (the live-server ones) call it to get the groups back.
    """
    if apps is None:
        from django.apps import apps
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    group_model = apps.get_model("auth", "Group")
    names = {codename: str(name) for codename, name in apps.get_model("enrollments", "BackOffice")._meta.permissions}
    # Permissions are normally made after all migrations (post_migrate); make them here
    # so the groups can hold them. post_migrate then finds them and adds nothing.
    content_type, _created = content_type_model.objects.get_or_create(app_label="enrollments", model="backoffice")
    for group_name, perms in GROUPS.items():
        group, _created = group_model.objects.get_or_create(name=group_name)
        codenames = [perm.split(".", 1)[1] for perm in perms]
        group.permissions.add(
            *(
                permission_model.objects.get_or_create(
                    content_type=content_type, codename=codename, defaults={"name": names[codename]}
                )[0]
                for codename in codenames
            )
        )

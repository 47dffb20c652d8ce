"""The back office's permissions and the staff groups that hold them, and their names in the reader's language.

The groups' stored names (``viewers``...) are keys: the code, the data migration and the
tests find the groups by them, so they stay as they are in every language. Pages name a
group by its label (:func:`group_label`) and a permission by :func:`permission_label`:
the permissions' stored names are English, written once by the migrations.
"""

from django.utils.translation import gettext_lazy as _

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

# What pages call each group.
GROUP_LABELS = {VIEWERS: _("Viewers"), OPERATORS: _("Operators"), SUPERVISORS: _("Supervisors")}

# The names Django gives the permissions it makes for every model ("Can add user"), which it stores in English.
_DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}

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


def group_label(name: str) -> str:
    """Return what pages call the group stored as ``name``: a staff group's label, any other group's name."""
    return str(GROUP_LABELS.get(name, name))


def permission_label(permission) -> str:
    """Return the name of a stored ``Permission`` in the active language.

    A permission of a model's ``Meta.permissions`` (the back office's) by the lazy text there, one Django
    made for a model (add, change, delete, view) in words of ours; any other as stored.
    """
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    declared = dict(model._meta.permissions)
    if permission.codename in declared:
        return str(declared[permission.codename])
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == model._meta.model_name and action in _DEFAULT_PERMISSION_NAMES:
        return _DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    return permission.name


def permission_choice_label(permission) -> str:
    """Return how a permission chooser shows ``permission``: Django's "app | model | name", all of it translated."""
    return f"{permission.content_type} | {permission_label(permission)}"

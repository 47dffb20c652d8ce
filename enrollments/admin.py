"""The enrollment core's sections of the admin site (imports register theirs in ``imports/admin.py``), and Django's
pages of staff users and groups with the groups and permissions named in the reader's language."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from . import permissions
from .client_api import views as client_api
from .digests import views as digests
from .recent_actions.views import recent_actions_context
from .views import companies, courses, enrollments, failures, orders
from .webhooks import views as webhooks

for section in (
    Section.of_views(
        slug="enrollments",
        name=_("Enrollments"),
        permission=permissions.VIEW,
        list_view=enrollments.enrollment_list,
        add_view=enrollments.enrollment_add,
        add_permission=permissions.ENROLL,
        order=10,
        more=[
            ("<enrollment_id:enrollment_id>/", enrollments.enrollment_detail),
            ("<enrollment_id:enrollment_id>/emails/<str:event>/", enrollments.enrollment_email_html),
            ("<enrollment_id:enrollment_id>/cancel/", enrollments.enrollment_cancel),
            ("<enrollment_id:enrollment_id>/complete/", enrollments.enrollment_complete),
        ],
    ),
    Section.of_views(
        slug="companies",
        name=_("Companies"),
        permission=permissions.VIEW,
        list_view=companies.company_list,
        add_view=companies.company_add,
        add_permission=permissions.MANAGE_COMPANIES,
        order=20,
        more=[
            ("<catalog_id:company_id>/", companies.company_detail),
            ("<catalog_id:company_id>/edit/", companies.company_edit),
            # The compliance digest (an app of its own): its HR contacts, preview and "send now".
            ("<catalog_id:company_id>/contacts/add/", digests.digest_contact_add),
            ("<catalog_id:company_id>/contacts/<uuid:contact_id>/edit/", digests.digest_contact_edit),
            ("<catalog_id:company_id>/contacts/<uuid:contact_id>/remove/", digests.digest_contact_remove),
            ("<catalog_id:company_id>/digest/preview/", digests.digest_preview),
            ("<catalog_id:company_id>/digest/preview.html", digests.digest_preview_html),
            ("<catalog_id:company_id>/digest/preview.xlsx", digests.digest_preview_xlsx),
            ("<catalog_id:company_id>/digest/send/", digests.digest_send),
            # The clients' API (an app of its own): the company's API keys.
            ("<catalog_id:company_id>/api-keys/add/", client_api.api_key_add),
            ("<catalog_id:company_id>/api-keys/<str:key_id>/", client_api.api_key_detail),
            ("<catalog_id:company_id>/api-keys/<str:key_id>/revoke/", client_api.api_key_revoke),
            # Webhooks (an app of their own): the company's endpoint and its delivery log.
            ("<catalog_id:company_id>/webhook/", webhooks.webhook_detail),
            ("<catalog_id:company_id>/webhook/add/", webhooks.webhook_add),
            ("<catalog_id:company_id>/webhook/edit/", webhooks.webhook_edit),
            ("<catalog_id:company_id>/webhook/rotate/", webhooks.webhook_rotate),
            ("<catalog_id:company_id>/webhook/events/", webhooks.webhook_events),
            ("<catalog_id:company_id>/webhook/events/resend/", webhooks.webhook_event_resend),
        ],
    ),
    Section.of_views(
        slug="courses",
        name=_("Courses"),
        permission=permissions.VIEW,
        list_view=courses.course_list,
        add_view=courses.course_add,
        add_permission=permissions.MANAGE_COURSES,
        order=30,
        more=[
            ("<catalog_id:course_id>/", courses.course_detail),
            ("<catalog_id:course_id>/edit/", courses.course_edit),
            ("<catalog_id:course_id>/retire/", courses.course_retire_view),
            ("<catalog_id:course_id>/restore/", courses.course_restore_view),
        ],
    ),
    Section.of_views(
        slug="orders",
        name=_("Orders and seats"),
        permission=permissions.VIEW,
        list_view=orders.order_list,
        add_view=orders.order_add,
        add_permission=permissions.CREATE_ORDER,
        order=40,
    ),
    Section.of_views(
        slug="failures",
        name=_("Failed emails"),
        permission=permissions.VIEW,
        list_view=failures.failure_list,
        order=60,
        more=[
            ("resend/", failures.failure_resend),
            ("resend-all/", failures.failure_resend_all),
            ("digests/resend/", digests.digest_failure_resend_view),
        ],
    ),
):
    admin.site.register_section(section)

admin.site.register_index_context(recent_actions_context)


def _named_in_words(field, name: str):
    """Make a chooser of groups or permissions show each by its name in the reader's language."""
    if name == "groups":
        field.label_from_instance = lambda group: permissions.group_label(group.name)
    elif name in ("permissions", "user_permissions"):
        field.label_from_instance = permissions.permission_choice_label
    return field


class StaffGroupFilter(admin.RelatedFieldListFilter):
    """The user list's "By group" filter, each group by its label."""

    def field_choices(self, field, request, model_admin):
        return [(pk, permissions.group_label(name)) for pk, name in super().field_choices(field, request, model_admin)]


class StaffGroupAdmin(GroupAdmin):
    """Django's groups, each by its label, with its stored name (the key the code finds it by) beside it.

    A staff group's stored name cannot be edited here: renaming it would cut it off from the code.
    The group's page has its label as heading, title and last crumb (``templates/admin/auth/group/change_form.html``).
    """

    list_display = ("label", "key")

    @admin.display(description=_("Group"), ordering="name")
    def label(self, group) -> str:
        return permissions.group_label(group.name)

    @admin.display(description=_("Name in the code"), ordering="name")
    def key(self, group) -> str:
        return group.name

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "name") if obj is not None and obj.name in permissions.GROUPS else fields

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return _named_in_words(super().formfield_for_manytomany(db_field, request, **kwargs), db_field.name)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = permissions.group_label(obj.name)  # the page's heading and its <title>
        return super().render_change_form(request, context, add, change, form_url, obj)


class StaffUserAdmin(UserAdmin):
    """Django's users, with the groups and permissions of the choosers and the group filter in words."""

    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", StaffGroupFilter))

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return _named_in_words(super().formfield_for_manytomany(db_field, request, **kwargs), db_field.name)


for _model, _model_admin in ((Group, StaffGroupAdmin), (get_user_model(), StaffUserAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)

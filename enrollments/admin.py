"""The enrollment core's sections of the admin site (imports register theirs in ``imports/admin.py``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from . import permissions
from .digests import views as digests
from .recent_actions.views import recent_actions_context
from .views import companies, courses, enrollments, failures, orders

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

"""The back office's sections of the admin site."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from . import permissions
from .views import catalog, enrollments, imports


def _section(*, slug: str, name, list_view, add_view, add_permission: str, order: int, more=()) -> Section:
    """Return a section seen with the view permission: its list at ``""``, its add page at ``add/``, then ``more``.

    Each route is ``(route, view)``; the URL is named after the view (``admin:<view name>``).
    """
    routes = [("", list_view), ("add/", add_view), *more]

    def urls(wrap):
        return [path(route, wrap(view), name=view.__name__) for route, view in routes]

    return Section(slug=slug, name=name, urls=urls, permission=permissions.VIEW, list_url=list_view.__name__,
                   add_url=add_view.__name__, add_permission=add_permission, order=order)


for section in (
    _section(slug="enrollments", name=_("Enrollments"), list_view=enrollments.enrollment_list,
             add_view=enrollments.enrollment_add, add_permission=permissions.ENROLL, order=10, more=[
                 ("<str:enrollment_id>/", enrollments.enrollment_detail),
                 ("<str:enrollment_id>/cancel/", enrollments.enrollment_cancel),
                 ("<str:enrollment_id>/complete/", enrollments.enrollment_complete),
             ]),
    _section(slug="companies", name=_("Companies"), list_view=catalog.company_list, add_view=catalog.company_add,
             add_permission=permissions.MANAGE_COMPANIES, order=20,
             more=[("<str:company_id>/", catalog.company_detail)]),
    _section(slug="courses", name=_("Courses"), list_view=catalog.course_list, add_view=catalog.course_add,
             add_permission=permissions.MANAGE_COURSES, order=30),
    _section(slug="orders", name=_("Orders and seats"), list_view=catalog.order_list, add_view=catalog.order_add,
             add_permission=permissions.CREATE_ORDER, order=40),
    _section(slug="imports", name=_("Imports"), list_view=imports.import_list, add_view=imports.import_add,
             add_permission=permissions.ENROLL, order=50, more=[
                 ("confirm/", imports.import_confirm),
                 ("preview/<str:token>/failed-rows.csv", imports.import_preview_failed_rows),
                 ("<uuid:job_id>/", imports.import_detail),
             ]),
):
    admin.site.register_section(section)

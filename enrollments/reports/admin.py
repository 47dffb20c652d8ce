"""The Reports section of the admin site: compliance reports per company, exports and their background jobs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
from ..exports import views as export_views
from ..exports.selectors import KIND_NAME as EXPORT_KIND
from ..jobs import views as job_views
from . import views

admin.site.register_section(
    Section.of_views(
        slug="reports",
        name=_("Compliance reports"),
        permission=permissions.VIEW,
        list_view=views.compliance_index,
        order=70,
        more=[
            ("company/<catalog_id:company_id>/", views.compliance_report),
            ("company/<catalog_id:company_id>/<catalog_id:course_id>/<str:bucket>/", views.compliance_people),
            (
                "company/<catalog_id:company_id>/<catalog_id:course_id>/<str:bucket>/export.<str:fmt>",
                views.compliance_export,
            ),
            # Exports (an app of their own) keep their pages under this section, where their links are.
            ("exports/enrollments.<str:fmt>", export_views.enrollment_export),
            *[(f"exports/{route}", view) for route, view in job_views.routes(EXPORT_KIND, "export")],
            ("exports/<uuid:job_id>/download", export_views.export_download),
        ],
    )
)

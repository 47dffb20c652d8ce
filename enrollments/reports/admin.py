"""The Reports section of the admin site: compliance reports per company, exports and their background jobs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
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
            ("exports/enrollments.<str:fmt>", views.enrollment_export),
            ("exports/<uuid:job_id>/", views.export_detail),
            ("exports/<uuid:job_id>/progress.json", views.export_progress_json),
            ("exports/<uuid:job_id>/download", views.export_download),
        ],
    )
)

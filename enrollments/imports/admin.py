"""The Imports section of the admin site: every page and file of imports."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
from ..jobs import views as job_views
from . import views
from .outcomes import KIND_NAME

admin.site.register_section(
    Section.of_views(
        slug="imports",
        name=_("Imports"),
        permission=permissions.VIEW,
        list_view=views.import_list,
        add_view=views.import_add,
        add_permission=permissions.ENROLL,
        order=50,
        more=[
            ("confirm/", views.import_confirm),
            ("preview/<str:token>/failed-rows.csv", views.import_preview_failed_rows),
            ("template.csv", views.import_template_download),
            *job_views.routes(KIND_NAME, "import"),
            ("<uuid:job_id>/report.csv", views.import_report_download),
            ("<uuid:job_id>/failed-rows.csv", views.import_failed_rows_download),
        ],
    )
)

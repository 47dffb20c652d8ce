"""The Bulk cancels section of the admin site: the list of jobs, the confirmation and each job's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
from ..jobs import views as job_views
from . import views
from .selectors import KIND_NAME

admin.site.register_section(
    Section.of_views(
        slug="bulk-cancels",
        name=_("Bulk cancels"),
        permission=permissions.VIEW,
        list_view=views.bulk_cancel_list,
        order=55,
        more=[
            ("confirm/", views.bulk_cancel_confirm),
            *job_views.routes(KIND_NAME, "bulk_cancel"),
        ],
    )
)

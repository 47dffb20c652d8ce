"""The Renewals section of the admin site: the list of renewal jobs, a company's preview and each job's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
from ..jobs import views as job_views
from . import views
from .selectors import KIND_NAME

admin.site.register_section(
    Section.of_views(
        slug="renewals",
        name=_("Renewals"),
        permission=permissions.VIEW,
        list_view=views.renewal_list,
        order=72,
        more=[
            ("company/<catalog_id:company_id>/", views.renewal_preview),
            ("company/<catalog_id:company_id>/pending/", views.renewal_pending),
            *job_views.routes(KIND_NAME, "renewal"),
        ],
    )
)

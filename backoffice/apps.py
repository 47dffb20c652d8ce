from django.contrib.admin.apps import AdminConfig


class BackofficeAdminConfig(AdminConfig):
    """Django's admin, with the back office's site as ``admin.site``."""

    default_site = "backoffice.admin_site.BackofficeAdminSite"

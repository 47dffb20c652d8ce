from django.apps import AppConfig


class BulkCancelConfig(AppConfig):
    """Bulk cancels as an app of their own: Django finds their ``admin`` module; their job kind registers here."""

    name = "enrollments.bulk_cancel"
    label = "bulk_cancel"
    verbose_name = "Bulk cancels"

    def ready(self):
        from . import kind  # noqa: F401  (registers the bulk cancel kind of job)

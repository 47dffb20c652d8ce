from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Bulk cancels as an app of their own: Django finds their ``admin`` module, Celery their ``tasks``."""

    name = "enrollments.bulk"
    label = "bulk"
    verbose_name = "Bulk cancels"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports and exports as an app of their own: Django finds their ``admin`` module, Celery their ``tasks``."""

    name = "enrollments.reports"
    label = "reports"
    verbose_name = "Reports"

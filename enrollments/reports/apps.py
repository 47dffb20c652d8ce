from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Compliance reports as an app of their own: Django finds their ``admin`` module; the report becomes a source of
    exports here."""

    name = "enrollments.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from . import export_source  # noqa: F401  (registers the report as a source of exports)

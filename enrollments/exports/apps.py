from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Exports (CSV and .xlsx files of the enrollment list and of the compliance report's people) as an app of their
    own; their job kind registers here. Their pages sit in the Reports section (``reports/admin.py``)."""

    name = "enrollments.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self):
        from . import kind  # noqa: F401  (registers the export kind of job)

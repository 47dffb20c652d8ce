from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    """Renewals as an app of their own: Django finds their ``admin`` module; their job kind registers here."""

    name = "enrollments.renewals"
    label = "renewals"
    verbose_name = "Renewals"

    def ready(self):
        from . import kind  # noqa: F401  (registers the renewal kind of job)

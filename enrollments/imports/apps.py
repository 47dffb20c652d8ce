from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports as an app of their own: Django finds their ``admin`` module; their job kind registers here."""

    name = "enrollments.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self):
        from . import kind  # noqa: F401  (registers the import kind of job)

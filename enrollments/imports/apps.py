from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports as an app of its own: Django finds its ``admin`` module, Celery its ``tasks``."""

    name = "enrollments.imports"
    label = "imports"
    verbose_name = "Imports"

from django.apps import AppConfig


class DigestsConfig(AppConfig):
    """The compliance digest as an app of its own: Celery finds its tasks, Django its ``admin`` module (the boxes
    it adds to the company's and the failed emails' pages)."""

    name = "enrollments.digests"
    label = "digests"
    verbose_name = "Compliance digests"

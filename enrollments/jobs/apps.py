from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs as an app of their own: Celery finds their ``tasks`` (the chunk task, the sweep and the
    first names of each kind's tasks). Each kind registers itself when its own app is ready."""

    name = "enrollments.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

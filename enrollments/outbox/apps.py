from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The development outbox as an app of its own: Django finds its ``admin`` module, which adds the section in
    development only."""

    name = "enrollments.outbox"
    label = "outbox"
    verbose_name = "Outbox"

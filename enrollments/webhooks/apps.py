from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks as an app of their own: Celery finds their tasks, Django their ``admin`` module (the box on the
    company's page); the events of enrollments' changes are written by the listener registered here."""

    name = "enrollments.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from ..services.enrollment_events import on_enrollment_event
        from .events import event_items

        on_enrollment_event(event_items)

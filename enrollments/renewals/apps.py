from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    """Renewals as an app of their own: Django finds their ``admin`` module; their job kind, the work of the
    renewal window's lifecycle records and the renewal of pending people when seats arrive register here."""

    name = "enrollments.renewals"
    label = "renewals"
    verbose_name = "Renewals"

    def ready(self):
        from .. import rules
        from ..services.delivery import register_record_work
        from ..services.seats import on_seats_arrived
        from . import kind  # noqa: F401  (registers the renewal kind of job)
        from .automatic import renewal_window_work
        from .tasks import renew_pending_when_seats_arrive

        register_record_work(rules.RENEW, renewal_window_work)
        on_seats_arrived(renew_pending_when_seats_arrive)

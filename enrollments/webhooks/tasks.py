"""Celery tasks of webhooks: beat's tick, and the delivery of a batch of events. Thin: ids in, one service call."""

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError

from .. import clock
from ..exceptions import QueueUnavailable, StorageUnavailable
from ..tasks import OUTAGE_RETRIES
from . import delivery


def enqueue_webhook_batch(keys: list) -> None:
    """Hand one batch of ``[partition, sk]`` to a worker; raise ``QueueUnavailable`` when the broker does not take
    it (the next tick hands the events out again)."""
    try:
        # The queue is read now, not at import: a test points it at a queue of its own.
        webhook_deliver.apply_async((keys,), queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except KombuError as error:
        raise QueueUnavailable(str(error)) from error


@shared_task(name="enrollments.webhooks.webhooks_tick")
def webhooks_tick() -> int:
    """Hand out every webhook event due now; return how many."""
    return delivery.webhooks_tick(now=clock.now(), dispatch=enqueue_webhook_batch)


# acks_late: the work is guarded by the events' claims, so a redelivered batch is harmless. Only DynamoDB being
# unavailable is retried here; a failed post is retried through the event itself.
@shared_task(
    name="enrollments.webhooks.webhook_deliver", acks_late=True, autoretry_for=(StorageUnavailable,), **OUTAGE_RETRIES
)
def webhook_deliver(keys: list) -> dict:
    """Claim, post and mark each ``[partition, sk]`` of the batch; return the outcomes."""
    return dict(delivery.webhook_events_deliver(keys=keys))

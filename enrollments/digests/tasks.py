"""Celery tasks of the compliance digest: beat's tick, and the send of one digest. Thin: ids in, one service call."""

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError

from .. import clock
from ..exceptions import QueueUnavailable, StorageUnavailable
from ..tasks import OUTAGE_RETRIES
from . import delivery, services


def enqueue_digest(company_id: str, period: str) -> None:
    """Hand one digest to a worker; raise ``QueueUnavailable`` when the broker does not take it (the next tick
    hands it out again)."""
    try:
        # The queue is read now, not at import: a test points it at a queue of its own.
        digest_send.apply_async((company_id, period), queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except KombuError as error:
        raise QueueUnavailable(str(error)) from error


@shared_task(name="enrollments.digests.digests_tick")
def digests_tick() -> dict:
    """Create the digests due now, once per company and period, and hand out every digest due."""
    report = services.digests_tick(now=clock.now(), dispatch=enqueue_digest)
    return {"created": len(report.created), "handed_out": len(report.handed_out)}


# acks_late: the work is guarded by the digest's claim, so a redelivered task is harmless. Only DynamoDB being
# unavailable is retried here; send errors are retried through the digest itself.
@shared_task(
    name="enrollments.digests.digest_send", acks_late=True, autoretry_for=(StorageUnavailable,), **OUTAGE_RETRIES
)
def digest_send(company_id: str, period: str) -> str:
    """Claim, send and mark the digest of ``company_id`` and ``period``; return the outcome."""
    return delivery.digest_process(company_id=company_id, period=period)

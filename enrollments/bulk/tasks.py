"""Celery tasks of bulk cancels: one task per chunk of enrollment ids, on the imports' queue, and the sweep."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task

from ..exceptions import ConcurrentChange, StorageUnavailable
from ..tasks import OUTAGE_RETRIES, enqueue_each
from . import services
from .selectors import BulkCancelNotFound

logger = logging.getLogger(__name__)


def enqueue_chunks(job_id: str, numbers: Iterable[int]) -> None:
    """Queue one ``bulk_cancel_chunk`` task per chunk number of a job (``services.Enqueue``)."""
    enqueue_each(bulk_cancel_chunk, job_id, numbers)


# acks_late + reject_on_worker_lost: a chunk whose worker dies is delivered again; cancel refuses
# an enrollment already canceled and a chunk's results are recorded once.
@shared_task(
    name="enrollments.bulk.bulk_cancel_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(StorageUnavailable, ConcurrentChange),
    **OUTAGE_RETRIES,
)
def bulk_cancel_chunk(self, job_id: str, number: int) -> None:
    """Cancel the enrollments of chunk ``number`` of a bulk cancel."""
    try:
        services.bulk_cancel_process_chunk(
            job_id=job_id, number=number, final_attempt=self.request.retries >= self.max_retries
        )
    except BulkCancelNotFound:
        logger.warning("Bulk cancel %s has no chunk %s; nothing to do.", job_id, number)


@shared_task(name="enrollments.bulk.bulk_cancels_resume_stalled")
def bulk_cancels_resume_stalled(stalled_after_seconds: float | None = None) -> list[str]:
    """Queue again the missing chunks of bulk cancels without progress for a while (beat runs it every minute)."""
    stalled_after = timedelta(seconds=stalled_after_seconds) if stalled_after_seconds is not None else None
    return services.bulk_cancel_resume_stalled(enqueue=enqueue_chunks, stalled_after=stalled_after)

"""Celery tasks of imports: one task per chunk of rows, and the sweep that resumes stalled imports.

The names are pinned: beat's schedule and the messages already queued name the
tasks as they were first registered (``enrollments.tasks_imports``).
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task

from ..exceptions import ConcurrentChange, ImportJobNotFound, StorageUnavailable
from ..tasks import OUTAGE_RETRIES, enqueue_each
from . import chunks, services

logger = logging.getLogger(__name__)


def enqueue_chunks(job_id: str, numbers: Iterable[int]) -> None:
    """Queue one ``import_chunk`` task per chunk number of a job (``services.Enqueue``)."""
    enqueue_each(import_chunk, job_id, numbers)


# acks_late + reject_on_worker_lost: a chunk whose worker dies is delivered again; rows are
# idempotent (one enrollment id per job and line) and a chunk's results are recorded once.
@shared_task(
    name="enrollments.tasks_imports.import_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(StorageUnavailable, ConcurrentChange),
    **OUTAGE_RETRIES,
)
def import_chunk(self, job_id: str, number: int) -> None:
    """Enroll the rows of chunk ``number`` of an import."""
    try:
        chunks.import_process_chunk(
            job_id=job_id, number=number, final_attempt=self.request.retries >= self.max_retries
        )
    except ImportJobNotFound:
        logger.warning("Import %s has no chunk %s; nothing to do.", job_id, number)


@shared_task(name="enrollments.tasks_imports.imports_resume_stalled")
def imports_resume_stalled(stalled_after_seconds: float | None = None) -> list[str]:
    """Queue again the missing chunks of imports without progress for a while (beat runs it every minute)."""
    stalled_after = timedelta(seconds=stalled_after_seconds) if stalled_after_seconds is not None else None
    return services.import_resume_stalled(enqueue=enqueue_chunks, stalled_after=stalled_after)

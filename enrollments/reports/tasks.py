"""Celery tasks of exports: write one export's file, and the sweep that deletes old files and requeues stalled ones."""

import logging

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError

from ..exceptions import QueueUnavailable, StorageUnavailable
from ..tasks import OUTAGE_RETRIES
from . import services
from .selectors import ExportNotFound

logger = logging.getLogger(__name__)


def enqueue_export(job_id: str) -> None:
    """Queue ``export_run`` for a job on ``IMPORTS_QUEUE`` (``services.Enqueue``); a big export may run long."""
    try:
        export_run.apply_async(
            (job_id,),
            queue=settings.IMPORTS_QUEUE,
            time_limit=settings.EXPORT_TASK_TIME_LIMIT,
            soft_time_limit=settings.EXPORT_TASK_TIME_LIMIT - 60,
        )
    except KombuError as error:
        raise QueueUnavailable(str(error)) from error


# acks_late: a run writes the whole file again and the first to finish keeps its file, so a redelivery is harmless.
@shared_task(
    name="enrollments.reports.export_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(StorageUnavailable,),
    **OUTAGE_RETRIES,
)
def export_run(job_id: str) -> None:
    """Write the file of an export."""
    try:
        services.export_run(job_id=job_id)
    except ExportNotFound:
        logger.warning("Export %s does not exist; nothing to do.", job_id)


@shared_task(name="enrollments.reports.exports_sweep")
def exports_sweep() -> dict:
    """Delete old exports' files and queue again the stalled ones (beat runs it every ten minutes)."""
    expired, requeued = services.exports_sweep(enqueue=enqueue_export)
    return {"expired": expired, "requeued": requeued}

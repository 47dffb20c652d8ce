"""The Celery tasks of background jobs: one task runs a chunk of a job of any kind, one sweep resumes the stalled
jobs of every kind.

The tasks of each kind's first release stay registered under their names, delegating to these: messages already
on the queue and a beat started before the upgrade name them (``enrollments.tasks_imports.*``,
``enrollments.bulk.*``, ``enrollments.reports.*``).
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError

from ..exceptions import ConcurrentChange, QueueUnavailable, StorageUnavailable
from ..tasks import OUTAGE_RETRIES
from . import services
from .kinds import JobKind, all_kinds, kind_named

logger = logging.getLogger(__name__)

# acks_late + reject_on_worker_lost: a chunk whose worker dies is delivered again. Every kind's chunk is
# idempotent (an import's rows have ids of their own, cancel refuses an enrollment canceled already, an export's
# first file is kept) and a chunk's results are recorded once.
CHUNK_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (StorageUnavailable, ConcurrentChange),
    **OUTAGE_RETRIES,
}


def enqueue_for(kind: JobKind) -> services.Enqueue:
    """Return the function that queues ``job_chunk`` for chunks of a job of ``kind`` on ``IMPORTS_QUEUE``; it
    raises ``QueueUnavailable`` when the broker does not take them (some may be queued already: a chunk queued
    twice is recorded once)."""

    def enqueue(job_id: str, numbers) -> None:
        try:
            for number in numbers:
                job_chunk.apply_async((kind.name, job_id, number), queue=settings.IMPORTS_QUEUE, **kind.task_options())
        except KombuError as error:
            raise QueueUnavailable(str(error)) from error

    return enqueue


def _run_chunk(task, kind_name: str, job_id: str, number: int) -> None:
    kind = kind_named(kind_name)
    try:
        services.job_process_chunk(
            kind, job_id=job_id, number=number, final_attempt=task.request.retries >= task.max_retries
        )
    except kind.not_found:
        logger.warning("The %s job %s has no chunk %s; nothing to do.", kind.name, job_id, number)


@shared_task(name="enrollments.jobs.job_chunk", **CHUNK_TASK_OPTIONS)
def job_chunk(self, kind: str, job_id: str, number: int) -> None:
    """Run chunk ``number`` of the job ``job_id`` of ``kind``."""
    _run_chunk(self, kind, job_id, number)


@shared_task(name="enrollments.jobs.jobs_sweep")
def jobs_sweep(kinds: list[str] | None = None) -> dict:
    """Sweep the jobs of every kind (or of ``kinds``): retire the old, resume the stalled and the ones the queue did
    not take (beat runs it every minute)."""
    chosen = [kind_named(name) for name in kinds] if kinds else all_kinds()
    return services.jobs_sweep(chosen, enqueue_for=enqueue_for)


def _resume_stalled(kind_name: str, stalled_after_seconds: float | None) -> list[str]:
    kind = kind_named(kind_name)
    stalled_after = timedelta(seconds=stalled_after_seconds) if stalled_after_seconds is not None else None
    return services.job_resume_stalled(kind, enqueue=enqueue_for(kind), stalled_after=stalled_after)


# The first names ---------------------------------------------------------------------------------------------


def _chunk_alias(name: str, kind_name: str):
    @shared_task(name=name, **CHUNK_TASK_OPTIONS)
    def run(self, job_id: str, number: int = 0) -> None:
        _run_chunk(self, kind_name, job_id, number)

    run.__doc__ = f"Run chunk ``number`` of a {kind_name} job: the task's first name, as queued before the upgrade."
    return run


import_chunk = _chunk_alias("enrollments.tasks_imports.import_chunk", "import")
bulk_cancel_chunk = _chunk_alias("enrollments.bulk.bulk_cancel_chunk", "bulk_cancel")
# An export's whole file is its chunk 0: the message carries the job id only.
export_run = _chunk_alias("enrollments.reports.export_run", "export")


@shared_task(name="enrollments.tasks_imports.imports_resume_stalled")
def imports_resume_stalled(stalled_after_seconds: float | None = None) -> list[str]:
    """Sweep the imports (the first name of their sweep)."""
    return _resume_stalled("import", stalled_after_seconds)


@shared_task(name="enrollments.bulk.bulk_cancels_resume_stalled")
def bulk_cancels_resume_stalled(stalled_after_seconds: float | None = None) -> list[str]:
    """Sweep the bulk cancels (the first name of their sweep)."""
    return _resume_stalled("bulk_cancel", stalled_after_seconds)


@shared_task(name="enrollments.reports.exports_sweep")
def exports_sweep() -> dict:
    """Sweep the exports (the first name of their sweep): old files deleted, stalled ones queued again."""
    swept = jobs_sweep(["export"]).get("export", {"retired": [], "resumed": []})
    return {"expired": swept["retired"], "requeued": swept["resumed"]}

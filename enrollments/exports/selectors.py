"""Reads of background exports: the job, the listings the sweep reads, the progress."""

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ExportJobItem, ExportListingItem
from ..jobs.kinds import kind_named
from ..jobs.selectors import job_get, job_progress
from ..jobs.states import DONE

# The export kind's name in task messages and URLs (``kind.EXPORT``): never change it.
KIND_NAME = "export"


def export_job_get(job_id: str) -> ExportJobItem:
    """Return the export job, or raise ``ExportNotFound``."""
    return job_get(kind_named(KIND_NAME), job_id)


@storage_errors_as_domain_errors
def export_listings(*, before: str | None = None, since: str | None = None) -> Iterator[ExportListingItem]:
    """Yield the listings of exports created before ``before`` or since ``since`` (ISO times), oldest first."""
    condition = ExportListingItem.sk < before if before else ExportListingItem.sk >= since
    yield from ExportListingItem.query(keys.EXPORTS, condition, consistent_read=True)


def progress_numbers(job: ExportJobItem) -> dict:
    """Return an export's part of its progress (the export kind's ``progress``): rows written, and whether its file
    is ready."""
    total, done = int(job.total), int(job.rows_done)
    return {
        "processed": done,
        "total": total,
        "percent": 100 if job.state == DONE else min(99, done * 100 // total) if total else 0,
        "ready": job.state == DONE and bool(job.file_name),
    }


def export_progress(job_id: str) -> dict:
    """Return an export's progress as its page's bar shows it (raise ``ExportNotFound``)."""
    kind = kind_named(KIND_NAME)
    return job_progress(kind, job_get(kind, job_id))


def export_recent_ids() -> list[str]:
    """Return the ids of the exports within their retention (``EXPORT_RETENTION_HOURS``), oldest first: the ones a
    sweep may queue again."""
    cutoff = clock.to_iso(clock.now() - timedelta(hours=settings.EXPORT_RETENTION_HOURS))
    return [listing.job_id for listing in export_listings(since=cutoff)]

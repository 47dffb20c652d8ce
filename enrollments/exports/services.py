"""Background exports: start one (its id the confirmation form's token), write its file (the export kind's work,
run by the jobs mechanism as its chunk 0), delete the old ones' files.

An export over ``EXPORT_STREAM_MAX_ROWS`` rows is written by a worker: rows from index
queries, page by page, into a temporary file, then into the ``exports`` storage; memory
stays flat at any size. The job item counts the rows written, for the progress bar. A run
writes the whole file again, so a redelivered or requeued task is harmless: the first run
to finish keeps its file, a later one deletes its own.
"""

import logging
import tempfile
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils import translation

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ExportJobItem, ExportListingItem
from ..dynamo.transactions import Transaction
from ..exceptions import ExportNotFound, StorageUnavailable
from ..jobs.kinds import kind_named
from ..jobs.services import Enqueue, job_create, job_enqueue, job_fail, job_new, job_touch
from ..jobs.states import DONE, EXPIRED, RUNNING
from ..services.common import Author
from . import files as exports
from . import selectors
from .selectors import KIND_NAME

logger = logging.getLogger(__name__)

# The job's row count moves every this many rows: the bar moves, and a sweep sees the job alive.
PROGRESS_EVERY = 2000


def export_storage():
    return storages["exports"]


@storage_errors_as_domain_errors
def export_start(
    *,
    job_id: str,
    source: str,
    params: dict,
    fmt: str,
    total: int,
    language: str,
    author: Author,
    enqueue: Enqueue,
) -> ExportJobItem:
    """Store an export job and queue it; return the job. A second start of the same ``job_id`` raises
    ``ExportAlreadyStarted``. When the queue does not answer, the job waits, stored without ``queued_at``, and the
    next sweep queues it (``jobs.services.job_queue``)."""
    if fmt not in exports.FORMATS:
        raise ValueError(f"unknown export {source!r} as {fmt!r}")
    exports.source_of(source)  # an unknown source raises LookupError
    kind = kind_named(KIND_NAME)
    job = job_new(
        kind,
        job_id,
        author=author,
        source=source,
        params=params,
        format=fmt,
        language=language,
        total=total,
        rows_done=0,
    )
    listing = ExportListingItem(
        *keys.export_listing(created_at=job.created_at, job_id=job_id), created_at=job.created_at, job_id=job_id
    )
    job_create(kind, job, listing)
    return job_enqueue(kind, job=job, enqueue=enqueue)


def _counting(rows: Iterator[list], job: ExportJobItem) -> Iterator[list]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            job_touch(job, ExportJobItem.rows_done.set(done))


@storage_errors_as_domain_errors
def export_run(*, job_id: str) -> ExportJobItem:
    """Write an export's file and mark it DONE; return the job (as it is, if it is not RUNNING).

    ``StorageUnavailable`` leaves the job RUNNING for the task to retry; any other error marks it FAILED.
    """
    job = selectors.export_job_get(job_id)
    if job.state != RUNNING:
        return job
    storage = export_storage()
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as out:
            moment = clock.from_iso(job.created_at)
            if not job.total:
                # A first pass counts the rows for the bar; it reads the same pages, holding none of them.
                job.total = exports.export_count(job.source, job.params, now=moment)
                job_touch(job, ExportJobItem.total.set(job.total))
            header, rows = exports.export_rows(job.source, job.params, now=moment)
            count = exports.write(job.format, header, _counting(rows, job), out)
            out.seek(0)
            name = storage.save(f"{job_id}.{job.format}", File(out))
    except StorageUnavailable:
        raise
    except Exception as error:
        logger.exception("Export %s failed", job_id)
        job_fail(kind_named(KIND_NAME), job, str(error))
        raise
    finished = job_touch(
        job,
        ExportJobItem.state.set(DONE),
        ExportJobItem.rows_done.set(count),
        ExportJobItem.total.set(count),
        ExportJobItem.file_name.set(name),
        ExportJobItem.finished_at.set(clock.now_iso()),
    )
    if not finished:
        # Another run finished first (or the job failed meanwhile): its file stays, this one goes.
        storage.delete(name)
    return selectors.export_job_get(job_id)


def export_file(job: ExportJobItem):
    """Return the export's file opened for reading (raise ``ExportNotFound`` when it has none)."""
    if job.state != DONE or not job.file_name or not export_storage().exists(job.file_name):
        raise ExportNotFound(job.job_id)
    return export_storage().open(job.file_name, "rb")


@storage_errors_as_domain_errors
def exports_expire(*, retention: timedelta | None = None) -> list[str]:
    """Delete the files of exports older than ``retention`` (``EXPORT_RETENTION_HOURS``), marking them EXPIRED and
    deleting their listing; return their ids (the export kind's sweep housekeeping)."""
    retention = retention if retention is not None else timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    cutoff = clock.to_iso(clock.now() - retention)
    expired = []
    for listing in selectors.export_listings(before=cutoff):
        try:
            job = selectors.export_job_get(listing.job_id)
        except ExportNotFound:
            job = None
        if job is not None and job.file_name:
            export_storage().delete(job.file_name)
        tx = Transaction()
        if job is not None:
            tx.update(job, [ExportJobItem.state.set(EXPIRED), ExportJobItem.updated_at.set(clock.now_iso())])
        tx.delete(listing)
        tx.commit()
        expired.append(listing.job_id)
    return expired

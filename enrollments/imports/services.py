"""CSV imports: start a job from an uploaded file, queue its chunks, resume or fail it when it stalls.

The file is read whole before anything is written; its parsed rows are then stored
in DynamoDB, one item per chunk in the job's partition, so any worker on any
machine can enroll any chunk (``chunks``).
"""

import functools
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveImportItem,
    ImportChunkItem,
    ImportFileItem,
    ImportJobItem,
    ImportListingItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import (
    ConcurrentChange,
    ImportAlreadyStarted,
    ImportJobNotFound,
    SameFileImported,
)
from ..services.common import Author
from ..services.jobs import job_queue, job_resume
from . import selectors
from .chunks import import_finish_if_complete
from .files import read_upload
from .jobs import (
    FAILED,
    PREPARING,
    RUNNING,
    ChunkRow,
)
from .preview import checked_rows, import_options
from .rows import OK, CheckedRow

logger = logging.getLogger(__name__)

# Queue chunks of a job for the workers: ``enqueue(job_id, chunk_numbers)`` (``tasks.enqueue_chunks``).
Enqueue = Callable[[str, Iterable[int]], None]


@storage_errors_as_domain_errors
def import_start(
    *,
    file: BinaryIO,
    file_name: str,
    tenant_id: str,
    author: Author,
    enqueue: Enqueue | None,
    default_course_id: str | None = None,
    window_days: int | None = None,
    allow_same_file: bool = False,
    job_id: str | None = None,
    welcome: bool = True,
    enroll_again: bool = False,
    sheet: str | None = None,
) -> ImportJobItem:
    """Start an import job of an uploaded file and queue its chunks with ``enqueue``; return the job.

    Every row is read before anything is written: a file refused (``ImportFileRefused``)
    or an unknown company or course (``InvalidEnrollmentData``) writes nothing. A file
    already imported for the company raises ``SameFileImported`` unless
    ``allow_same_file``. ``job_id`` (the page's upload token) makes a second start of the
    same upload raise ``ImportAlreadyStarted`` instead of making a second job. ``welcome``,
    stored on the job, gives each enrolled row its welcome email; ``enroll_again`` enrolls rows
    whose person has an active enrollment in the course (without it, they are "already active").
    An .xlsx workbook is read from its sheet ``sheet``, else its first (``files.read_upload``).

    The job moves PREPARING -> RUNNING: the second pass checks the rows as the preview
    does and stores them in chunks of at most ``IMPORT_CHUNK_ROWS`` rows and
    ``IMPORT_CHUNK_BYTES`` bytes; a preparation that fails marks the job FAILED and forgets
    the file, so nothing blocks uploading it again. A RUNNING job is then queued: when the
    queue does not answer, the job waits, stored, and the sweep (``import_resume_stalled``)
    queues it once the queue is back. With ``enqueue=None`` the caller runs the chunks
    (``import_run_inline``).
    """
    if job_id is not None and _job_exists(job_id):
        raise ImportAlreadyStarted(job_id)
    options = import_options(tenant_id=tenant_id, default_course_id=default_course_id, window_days=window_days)
    # Reading counts every row, so a file refused for its size, its rows or a broken line writes nothing.
    csv_file = read_upload(file, name=file_name, has_default_course=options.default_course is not None, sheet=sheet)
    rows_total = csv_file.rows
    company = options.company
    previous = selectors.import_for_file(tenant_id=company.sk, file_hash=csv_file.sha256)
    if previous is not None and not allow_same_file:
        raise SameFileImported(job_id=previous.job_id, imported_at=clock.from_iso(previous.created_at))

    now_iso = clock.now_iso()
    job_id = job_id or str(uuid.uuid4())
    job = ImportJobItem(
        *keys.import_job(job_id),
        created_at=now_iso,
        updated_at=now_iso,
        job_id=job_id,
        tenant_id=company.sk,
        tenant_name=company.name,
        billing=company.billing,
        author=author.as_attribute(),
        file_name=file_name or csv_file.name or "upload.csv",
        file_hash=csv_file.sha256,
        file_size=csv_file.size,
        encoding=csv_file.encoding,
        delimiter=csv_file.delimiter,
        default_course_id=default_course_id or None,
        window_days=window_days,
        courses={},
        state=PREPARING,
        rows_total=rows_total,
        # Known once the rows are stored: chunks are cut by bytes as well as by rows.
        chunks_total=0,
        chunk_rows=settings.IMPORT_CHUNK_ROWS,
        welcome=welcome,
        enroll_again=enroll_again,
    )
    _job_create(job, allow_same_file=allow_same_file)
    try:
        chunks_total, courses = _store_chunks(job, checked_rows(file, csv_file, options))
    except Exception:
        _job_fail(job, _("The import stopped while storing the file's rows; upload the file again."))
        raise
    # Chunks run in this process are handed out as the job starts: the sweep must not queue them as well.
    job = _job_set_running(job, courses=courses, chunks_total=chunks_total, run_here=enqueue is None)
    if enqueue is not None:
        job = import_queue(job=job, enqueue=enqueue)
    return job


def _job_exists(job_id: str) -> bool:
    try:
        selectors.import_job_get(job_id)
    except ImportJobNotFound:
        return False
    return True


def _store_chunks(job: ImportJobItem, rows: Iterable[CheckedRow]) -> tuple[int, dict]:
    """Store the checked rows in chunk items; return how many chunks, and a snapshot of the courses the rows name.

    A chunk ends at ``IMPORT_CHUNK_ROWS`` rows or before ``IMPORT_CHUNK_BYTES`` bytes of
    rows, whichever comes first: a DynamoDB item holds 400 KB, and long invalid rows
    (kept as the file had them, for the failed-rows CSV) must not overflow it.
    """
    max_rows, max_bytes = settings.IMPORT_CHUNK_ROWS, settings.IMPORT_CHUNK_BYTES
    courses: dict[str, list] = {}
    number, chunk, size = 0, [], 0
    with ImportChunkItem.batch_write() as batch:

        def save() -> None:
            batch.save(ImportChunkItem(*keys.import_chunk(job.job_id, number), created_at=job.created_at, rows=chunk))

        for row in rows:
            packed = _pack(row)
            # As JSONAttribute stores it: json.dumps escapes every character beyond ASCII.
            row_size = len(json.dumps(packed))
            if chunk and (len(chunk) == max_rows or size + row_size > max_bytes):
                save()
                number, chunk, size = number + 1, [], 0
            chunk.append(packed)
            size += row_size
            if row.status == OK and row.course.sk not in courses:
                course = row.course
                courses[course.sk] = [course.name, course.access_period_days, course.certificate_validity_days]
        if chunk:
            save()
            number += 1
    return number, courses


def _pack(row: CheckedRow) -> ChunkRow:
    if row.status == OK:
        return ChunkRow(
            row.line, row.person.name, row.person.email, row.person.cpf, row.course.sk, row.window_days, OK, ""
        )
    raw = row.raw
    return ChunkRow(row.line, raw.name, raw.email, raw.cpf, raw.course, raw.window_days, row.status, row.message)


def _job_create(job: ImportJobItem, *, allow_same_file: bool) -> None:
    tx = Transaction()
    tx.put(job, condition=ImportJobItem.id.does_not_exist(), name="job")
    tx.put(
        ImportListingItem(
            *keys.import_listing(created_at=job.created_at, job_id=job.job_id),
            created_at=job.created_at,
            job_id=job.job_id,
            tenant_id=job.tenant_id,
        )
    )
    tx.put(ActiveImportItem(*keys.active_import(job.job_id), created_at=job.created_at))
    marker = ImportFileItem(
        *keys.import_file(job.tenant_id, job.file_hash), created_at=job.created_at, job_id=job.job_id
    )
    tx.put(marker, condition=None if allow_same_file else ImportFileItem.sk.does_not_exist(), name="file")
    try:
        tx.commit()
    except TransactionFailed as failure:
        if "job" in failure.failed:
            raise ImportAlreadyStarted(job.job_id) from None
        previous = selectors.import_for_file(tenant_id=job.tenant_id, file_hash=job.file_hash)
        if "file" in failure.failed and previous is not None:
            raise SameFileImported(job_id=previous.job_id, imported_at=clock.from_iso(previous.created_at)) from None
        raise ConcurrentChange() from None


def _job_set_running(job: ImportJobItem, *, courses: dict, chunks_total: int, run_here: bool) -> ImportJobItem:
    now_iso = clock.now_iso()
    actions = [
        ImportJobItem.state.set(RUNNING),
        ImportJobItem.courses.set(courses),
        ImportJobItem.chunks_total.set(chunks_total),
        ImportJobItem.started_at.set(now_iso),
        ImportJobItem.updated_at.set(now_iso),
    ]
    if run_here:
        actions.append(ImportJobItem.queued_at.set(now_iso))
    tx = Transaction()
    tx.update(job, actions, condition=ImportJobItem.state == PREPARING, name="job")
    tx.commit()
    job.state, job.courses, job.chunks_total = RUNNING, courses, chunks_total
    job.started_at = job.updated_at = now_iso
    job.queued_at = now_iso if run_here else None
    return job


@storage_errors_as_domain_errors
def import_queue(*, job: ImportJobItem, enqueue: Enqueue) -> ImportJobItem:
    """Hand every chunk without results of a running job to the task queue, once; return the job.

    The shared mechanism claims the job first (``services.jobs.job_queue``), so the page and the sweep never both
    queue it. When the queue does not answer, the job waits, stored, without ``queued_at``, for the next sweep:
    nothing is lost and nothing is queued twice.
    """
    reread = functools.partial(selectors.import_job_get, job.job_id)
    return job_queue(job, queue_work=_queue_work(enqueue), reread=reread)


def _queue_work(enqueue: Enqueue):
    def queue_work(job: ImportJobItem) -> None:
        done = selectors.import_chunks_done(job.job_id)
        missing = [number for number in range(job.chunks_total) if number not in done]
        if missing:
            enqueue(job.job_id, missing)
        else:
            # Every chunk is recorded and the job still runs: whoever recorded the last one did not finish it.
            import_finish_if_complete(job_id=job.job_id)

    return queue_work


@storage_errors_as_domain_errors
def import_resume(*, job_id: str, enqueue: Enqueue) -> int:
    """Queue again every chunk of a running job whose results are missing; return how many.

    Safe while the job still runs: a chunk that runs twice is recorded once.
    """
    job = selectors.import_job_get(job_id)
    if job.state != RUNNING:
        return 0
    done = selectors.import_chunks_done(job_id)
    missing = [number for number in range(job.chunks_total) if number not in done]
    if not missing:
        import_finish_if_complete(job_id=job_id)
        return 0
    _job_touch(job)
    enqueue(job_id, missing)
    return len(missing)


def _job_touch(job: ImportJobItem) -> None:
    """Move the job's heartbeat, so the next sweep waits a full stall period before resuming it again."""
    tx = Transaction()
    tx.update(job, [ImportJobItem.updated_at.set(clock.now_iso())], condition=ImportJobItem.state == job.state)
    try:
        tx.commit()
    except TransactionFailed:
        pass


@storage_errors_as_domain_errors
def import_resume_stalled(*, enqueue: Enqueue, stalled_after: timedelta | None = None) -> list[str]:
    """Queue the running imports the task queue did not take; resume the ones without progress for
    ``stalled_after`` (default ``IMPORT_STALL_SECONDS``); fail the ones whose preparation stopped. Return the
    ids of the imports queued, resumed or failed.

    A worker killed mid-chunk leaves its task unacknowledged until the broker's
    visibility timeout; this sweep, run by beat, brings such imports back sooner. The queuing and resuming are
    the mechanism every job kind shares (``services.jobs.job_resume``).
    """
    if stalled_after is None:
        stalled_after = timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    cutoff = clock.to_iso(clock.now() - stalled_after)
    touched = []
    for job_id in selectors.active_import_ids():
        try:
            job = selectors.import_job_get(job_id)
        except ImportJobNotFound:
            continue
        if job.state == PREPARING:
            if (job.updated_at or job.created_at) <= cutoff:
                _job_fail(job, _("The import stopped while storing the file's rows; upload the file again."))
                touched.append(job_id)
            continue
        reread = functools.partial(selectors.import_job_get, job_id)
        if job_resume(job, stalled_before=cutoff, queue_work=_queue_work(enqueue), reread=reread):
            touched.append(job_id)
    return touched


def _job_fail(job: ImportJobItem, message: str) -> None:
    now_iso = clock.now_iso()
    tx = Transaction()
    tx.update(
        job,
        [
            ImportJobItem.state.set(FAILED),
            ImportJobItem.error.set(message),
            ImportJobItem.finished_at.set(now_iso),
            ImportJobItem.updated_at.set(now_iso),
        ],
        condition=ImportJobItem.state == job.state,
        name="job",
    )
    tx.delete(ActiveImportItem(*keys.active_import(job.job_id)))
    last = selectors.import_for_file(tenant_id=job.tenant_id, file_hash=job.file_hash)
    if last is not None and last.job_id == job.job_id:
        # Nothing of the file was imported: uploading it again needs no confirmation.
        tx.delete(
            ImportFileItem(*keys.import_file(job.tenant_id, job.file_hash)),
            condition=ImportFileItem.job_id == job.job_id,
        )
    try:
        tx.commit()
    except TransactionFailed:
        pass  # Another sweep or the job itself moved first.

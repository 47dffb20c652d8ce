"""CSV imports: start a job from an uploaded file, store its rows in chunks and queue them; fail a preparation
that stopped. The jobs mechanism runs, records, finishes and resumes the chunks (``jobs.services``).

The file is read whole before anything is written; its parsed rows are then stored
in DynamoDB, one item per chunk in the job's partition, so any worker on any
machine can enroll any chunk (``chunks``).
"""

import json
import logging
import uuid
from collections.abc import Iterable
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ImportChunkItem,
    ImportFileItem,
    ImportJobItem,
    ImportListingItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import (
    ConcurrentChange,
    SameFileImported,
)
from ..jobs.kinds import JobKind, kind_named
from ..jobs.services import Enqueue, job_create, job_enqueue, job_fail, job_new, job_refuse_started
from ..jobs.states import PREPARING, RUNNING
from ..services.common import Author
from . import selectors
from .files import read_upload
from .outcomes import KIND_NAME, ChunkRow
from .preview import checked_rows, import_options
from .rows import OK, CheckedRow

logger = logging.getLogger(__name__)


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
    queue does not answer, the job waits, stored, and the sweep (``jobs.services.job_resume_stalled``)
    queues it once the queue is back. With ``enqueue=None`` the caller runs the chunks
    (``jobs.services.job_run_inline``).
    """
    if job_id is not None:
        job_refuse_started(import_kind(), job_id)
    options = import_options(tenant_id=tenant_id, default_course_id=default_course_id, window_days=window_days)
    # Reading counts every row, so a file refused for its size, its rows or a broken line writes nothing.
    table = read_upload(file, name=file_name, has_default_course=options.default_course is not None, sheet=sheet)
    rows_total = table.rows
    company = options.company
    previous = selectors.import_for_file(tenant_id=company.id, file_hash=table.sha256)
    if previous is not None and not allow_same_file:
        raise SameFileImported(job_id=previous.job_id, imported_at=clock.from_iso(previous.created_at))

    job = job_new(
        import_kind(),
        job_id or str(uuid.uuid4()),
        author=author,
        state=PREPARING,
        tenant_id=company.id,
        tenant_name=company.name,
        billing=company.billing,
        file_name=file_name or table.name or "upload.csv",
        file_hash=table.sha256,
        file_size=table.size,
        encoding=table.encoding,
        delimiter=table.delimiter,
        default_course_id=default_course_id or None,
        window_days=window_days,
        courses={},
        rows_total=rows_total,
        # Known once the rows are stored: chunks are cut by bytes as well as by rows.
        chunks_total=0,
        chunk_rows=settings.IMPORT_CHUNK_ROWS,
        welcome=welcome,
        enroll_again=enroll_again,
    )
    _job_create(job, allow_same_file=allow_same_file)
    try:
        chunks_total, courses = _store_chunks(job, checked_rows(file, table, options))
    except Exception:
        _job_fail(job, _("The import stopped while storing the file's rows; upload the file again."))
        raise
    # Chunks run in this process are handed out as the job starts: the sweep must not queue them as well.
    job = _job_set_running(job, courses=courses, chunks_total=chunks_total, run_here=enqueue is None)
    if enqueue is not None:
        job = import_queue(job=job, enqueue=enqueue)
    return job


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
            # The JSON before compression (``CompressedJSONAttribute``), json.dumps escaping every character beyond
            # ASCII: an upper bound of what the item stores, zlib growing nothing by more than a few bytes.
            row_size = len(json.dumps(packed))
            if chunk and (len(chunk) == max_rows or size + row_size > max_bytes):
                save()
                number, chunk, size = number + 1, [], 0
            chunk.append(packed)
            size += row_size
            if row.status == OK and row.course.id not in courses:
                course = row.course
                courses[course.id] = [course.name, course.access_period_days, course.certificate_validity_days]
        if chunk:
            save()
            number += 1
    return number, courses


def _pack(row: CheckedRow) -> ChunkRow:
    if row.status == OK:
        return ChunkRow(
            row.line, row.person.name, row.person.email, row.person.cpf, row.course.id, row.window_days, OK, ""
        )
    raw = row.raw
    return ChunkRow(row.line, raw.name, raw.email, raw.cpf, raw.course, raw.window_days, row.status, row.message)


def _job_create(job: ImportJobItem, *, allow_same_file: bool) -> None:
    listing = ImportListingItem(
        *keys.import_listing(created_at=job.created_at, job_id=job.job_id),
        created_at=job.created_at,
        job_id=job.job_id,
        tenant_id=job.tenant_id,
    )

    def mark_file(tx: Transaction) -> None:
        marker = ImportFileItem(
            *keys.import_file(job.tenant_id, job.file_hash), created_at=job.created_at, job_id=job.job_id
        )
        tx.put(marker, condition=None if allow_same_file else ImportFileItem.sk.does_not_exist(), name="file")

    try:
        job_create(import_kind(), job, listing, also=mark_file)
    except TransactionFailed as failure:
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


def import_kind() -> JobKind:
    """Return the import kind of job (``kind.IMPORT``, registered when the imports app is ready)."""
    return kind_named(KIND_NAME)


@storage_errors_as_domain_errors
def import_queue(*, job: ImportJobItem, enqueue: Enqueue) -> ImportJobItem:
    """Hand every chunk without results of a running job to the task queue, once; return the job (without
    ``queued_at`` when the queue did not answer: the next sweep queues it)."""
    return job_enqueue(import_kind(), job=job, enqueue=enqueue)


def import_fail_stalled_preparation(job: ImportJobItem, stalled_before: str) -> bool:
    """Fail a job whose preparation stopped (PREPARING with no progress since ``stalled_before``, an ISO time);
    return whether it was PREPARING, so the sweep does not resume it."""
    if job.state != PREPARING:
        return False
    if (job.updated_at or job.created_at) <= stalled_before:
        _job_fail(job, _("The import stopped while storing the file's rows; upload the file again."))
    return True


def _job_fail(job: ImportJobItem, message: str) -> None:
    def forget_file(tx: Transaction) -> None:
        last = selectors.import_for_file(tenant_id=job.tenant_id, file_hash=job.file_hash)
        if last is not None and last.job_id == job.job_id:
            # Nothing of the file was imported: uploading it again needs no confirmation.
            tx.delete(
                ImportFileItem(*keys.import_file(job.tenant_id, job.file_hash)),
                condition=ImportFileItem.job_id == job.job_id,
            )

    job_fail(import_kind(), job, message, also=forget_file)

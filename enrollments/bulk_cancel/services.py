"""Bulk cancels: start a job over enrollment ids; the kind's chunk work cancels them (the jobs mechanism queues,
records, finishes and resumes the chunks: ``jobs.services``).

Each enrollment is its own ``cancel`` transaction (seat back, records removed, audit
event); ``cancel`` refuses one already canceled, so a second run (another job over
the same import, a redelivered chunk) cancels nothing twice. The job id is the
confirmation form's token: a second submit of the same form finds the first job.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from .. import clock
from .. import selectors as core_selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import BulkCancelChunkItem, BulkCancelJobItem, BulkCancelListingItem, EnrollmentItem
from ..exceptions import (
    ConcurrentChange,
    EnrollmentNotFound,
    InvalidEnrollmentData,
    NotCancelable,
    StorageUnavailable,
)
from ..jobs.kinds import kind_named
from ..jobs.services import Enqueue, job_create, job_enqueue, job_new, job_refuse_started
from ..services import cancel
from ..services.common import Author
from ..services.seats import seats_arrived
from . import selectors
from .selectors import CANCELED, REFUSED

TRANSIENT_ERRORS = (StorageUnavailable, ConcurrentChange)
CHUNK_SIZE = 25


@storage_errors_as_domain_errors
def bulk_cancel_start(
    *,
    job_id: str,
    enrollment_ids: Iterable[str],
    reason: str,
    author: Author,
    enqueue: Enqueue,
    notify_learner: bool = True,
    import_id: str | None = None,
) -> BulkCancelJobItem:
    """Start a bulk cancel of ``enrollment_ids`` with one reason, queue its chunks with ``enqueue``; return the job.

    ``job_id`` (the form's token) makes a second start of the same form raise
    ``BulkCancelAlreadyStarted``. Ids given twice are canceled once. When the queue does not
    answer, the job waits, stored without ``queued_at``, and the next sweep (``jobs.services.job_resume_stalled``)
    queues its chunks.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEnrollmentData(_("A cancel needs a reason."), field="reason")
    ids = list(dict.fromkeys(enrollment_id for enrollment_id in enrollment_ids if enrollment_id))
    if not ids:
        raise InvalidEnrollmentData(_("Select at least one enrollment to cancel."), field="enrollment_ids")
    kind = kind_named(selectors.KIND_NAME)
    job_refuse_started(kind, job_id)
    chunks = [ids[start : start + CHUNK_SIZE] for start in range(0, len(ids), CHUNK_SIZE)]
    now_iso = clock.now_iso()
    # The chunks first: the job, once it exists, always finds them. A second start of the same token
    # writes the same chunks again and then fails on the job's condition.
    with BulkCancelChunkItem.batch_write() as batch:
        for number, chunk in enumerate(chunks):
            batch.save(
                BulkCancelChunkItem(*keys.bulk_cancel_chunk(job_id, number), created_at=now_iso, enrollment_ids=chunk)
            )
    job = job_new(
        kind,
        job_id,
        author=author,
        reason=reason,
        notify_learner=notify_learner,
        import_id=import_id,
        total=len(ids),
        chunks_total=len(chunks),
    )
    listing = BulkCancelListingItem(
        *keys.bulk_cancel_listing(created_at=now_iso, job_id=job_id), created_at=now_iso, job_id=job_id
    )
    job_create(kind, job, listing)
    return job_enqueue(kind, job=job, enqueue=enqueue)


def bulk_cancel_chunk_results(
    job: BulkCancelJobItem,
    chunk: BulkCancelChunkItem,
    *,
    final_attempt: bool,
    progress: Callable[[int], None] | None = None,
):
    """Cancel the enrollments of ``chunk`` and return each one's result row (``result_row``) and the job counters
    they add to (the bulk cancel kind's chunk work); ``progress(1)`` after each enrollment.

    Before the final attempt, an enrollment that met a transient error raises it, so the task retries the chunk
    (the ones it canceled already then count as canceled by this job, known by the source on their audit event);
    on the final attempt it is reported as refused with the error.
    """
    author = Author(id=job.author.id, name=job.author.name, email=job.author.email)
    outcomes, counts = [], Counter()
    # The person and course of each enrollment go with its result, so the job's page names them without a read
    # per row: a cancel returns its enrollment; the refused ones are read together at the end.
    enrollments = {}
    source = selectors.bulk_cancel_source(job.job_id)
    for enrollment_id in chunk.enrollment_ids:
        try:
            enrollments[enrollment_id] = cancel(
                enrollment_id=enrollment_id,
                reason=job.reason,
                author=author,
                notify_learner=job.notify_learner,
                source=source,
                tell_seats=False,
            )
        except NotCancelable as error:
            # A retried chunk finds the enrollments its first run canceled: those are this job's cancels.
            if selectors.canceled_by_job(enrollment_id, job.job_id):
                result, message = CANCELED, ""
            else:
                result, message = REFUSED, error.message
        except EnrollmentNotFound as error:
            result, message = REFUSED, error.message
        except TRANSIENT_ERRORS as error:
            if not final_attempt:
                raise
            result, message = REFUSED, error.message
        else:
            result, message = CANCELED, ""
        counts[result] += 1
        outcomes.append((enrollment_id, result, message))
        if progress is not None:
            progress(1)
    # The seats given back, told once per course of the chunk (people waiting for one are renewed).
    for tenant_id, course_id in sorted({(e.tenant_id, e.course.id) for e in enrollments.values()}):
        seats_arrived(tenant_id=tenant_id, course_id=course_id)
    enrollments.update(_enrollments_read(set(chunk.enrollment_ids) - set(enrollments), final_attempt=final_attempt))
    results = [result_row(*outcome, enrollment=enrollments.get(outcome[0])) for outcome in outcomes]
    return results, counts


def _enrollments_read(enrollment_ids: set[str], *, final_attempt: bool) -> dict:
    if not enrollment_ids:
        return {}
    try:
        return core_selectors.enrollments_by_id(enrollment_ids)
    except StorageUnavailable:
        if not final_attempt:
            raise
        # The cancels are done: their results are recorded without names rather than not at all.
        return {}


def result_row(enrollment_id: str, result: str, message: str, *, enrollment: EnrollmentItem | None) -> list:
    """Return what a bulk cancel stores of one enrollment's result: ``[enrollment id, result, message]`` and, when
    the enrollment was read, ``{"name", "email", "cpf", "course"}`` as it was then (``selectors.BulkCancelResult``
    reads both forms)."""
    row = [enrollment_id, result, message]
    if enrollment is not None:
        person = enrollment.user
        row.append({"name": person.name, "email": person.email, "cpf": person.cpf, "course": enrollment.course.name})
    return row

"""Bulk cancels: start a job over enrollment ids, cancel them chunk by chunk, finish it.

Each enrollment is its own ``cancel`` transaction (seat back, records removed, audit
event); ``cancel`` refuses one already canceled, so a second run (another job over
the same import, a redelivered chunk) cancels nothing twice. The job id is the
confirmation form's token: a second submit of the same form finds the first job.
A chunk's results and the job's counters are written together in one transaction, once.
"""

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveBulkCancelItem,
    BulkCancelChunkItem,
    BulkCancelJobItem,
    BulkCancelListingItem,
    BulkCancelResultItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import (
    ConcurrentChange,
    EnrollmentError,
    EnrollmentNotFound,
    InvalidEnrollmentData,
    NotCancelable,
    StorageUnavailable,
)
from ..services import cancel
from ..services.common import Author
from ..services.jobs import finish_when_complete, job_queue, job_resume, record_chunk_once
from . import selectors
from .selectors import CANCELED, REFUSED, RUNNING, BulkCancelNotFound

# Queue chunks of a job for the workers: ``enqueue(job_id, chunk_numbers)`` (``tasks.enqueue_chunks``).
Enqueue = Callable[[str, Iterable[int]], None]

TRANSIENT_ERRORS = (StorageUnavailable, ConcurrentChange)
CHUNK_SIZE = 25


class BulkCancelAlreadyStarted(EnrollmentError):
    """The form was sent before (a double click, a retry): its bulk cancel exists."""

    code = "bulk_cancel_already_started"

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(_("This bulk cancel has already started (bulk cancel %(id)s).") % {"id": job_id})


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
    answer, the job waits, stored without ``queued_at``, and the next sweep (``bulk_cancel_resume_stalled``)
    queues its chunks.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEnrollmentData(_("A cancel needs a reason."), field="reason")
    ids = list(dict.fromkeys(enrollment_id for enrollment_id in enrollment_ids if enrollment_id))
    if not ids:
        raise InvalidEnrollmentData(_("Select at least one enrollment to cancel."), field="enrollment_ids")
    try:
        selectors.bulk_cancel_get(job_id)
    except BulkCancelNotFound:
        pass
    else:
        raise BulkCancelAlreadyStarted(job_id)
    chunks = [ids[start : start + CHUNK_SIZE] for start in range(0, len(ids), CHUNK_SIZE)]
    now_iso = clock.now_iso()
    # The chunks first: the job, once it exists, always finds them. A second start of the same token
    # writes the same chunks again and then fails on the job's condition.
    with BulkCancelChunkItem.batch_write() as batch:
        for number, chunk in enumerate(chunks):
            batch.save(
                BulkCancelChunkItem(*keys.bulk_cancel_chunk(job_id, number), created_at=now_iso, enrollment_ids=chunk)
            )
    job = BulkCancelJobItem(
        *keys.bulk_cancel_job(job_id),
        created_at=now_iso,
        updated_at=now_iso,
        job_id=job_id,
        author=author.as_attribute(),
        reason=reason,
        notify_learner=notify_learner,
        import_id=import_id,
        state=RUNNING,
        total=len(ids),
        chunks_total=len(chunks),
    )
    tx = Transaction()
    tx.put(job, condition=BulkCancelJobItem.id.does_not_exist(), name="job")
    tx.put(
        BulkCancelListingItem(
            *keys.bulk_cancel_listing(created_at=now_iso, job_id=job_id), created_at=now_iso, job_id=job_id
        )
    )
    tx.put(ActiveBulkCancelItem(*keys.active_bulk_cancel(job_id), created_at=now_iso))
    try:
        tx.commit()
    except TransactionFailed:
        raise BulkCancelAlreadyStarted(job_id) from None
    return job_queue(job, queue_work=_queue_work(enqueue), reread=functools.partial(selectors.bulk_cancel_get, job_id))


def _queue_work(enqueue: Enqueue):
    def queue_work(job: BulkCancelJobItem) -> None:
        done = selectors.bulk_cancel_chunks_done(job.job_id)
        missing = [number for number in range(job.chunks_total) if number not in done]
        if missing:
            enqueue(job.job_id, missing)
        else:
            # Every chunk is recorded and the job still runs: whoever recorded the last one did not finish it.
            bulk_cancel_finish_if_complete(job_id=job.job_id)

    return queue_work


@storage_errors_as_domain_errors
def bulk_cancel_process_chunk(*, job_id: str, number: int, final_attempt: bool = True) -> bool:
    """Cancel the enrollments of one chunk and record their results and counts; return whether this call recorded them.

    A chunk already recorded is not run again. Before the final attempt, an enrollment that met a
    transient error raises it, so the task retries the chunk (the ones it canceled already then count
    as canceled by this job, known by the source on their audit event); on the final attempt it is
    reported as refused with the error.
    """
    job, chunk, recorded = selectors.bulk_cancel_chunk_state(job_id, number)
    if job is None or chunk is None:
        raise BulkCancelNotFound(job_id)
    wrote = False
    if not recorded and job.state == RUNNING:
        results, counts = _chunk_results(job, chunk.enrollment_ids, final_attempt=final_attempt)
        wrote = _chunk_record(job, number, results, counts)
    bulk_cancel_finish_if_complete(job_id=job_id)
    return wrote


def _chunk_results(job: BulkCancelJobItem, enrollment_ids: list[str], *, final_attempt: bool):
    author = Author(id=job.author.id, name=job.author.name, email=job.author.email)
    results, counts = [], Counter()
    source = selectors.bulk_cancel_source(job.job_id)
    for enrollment_id in enrollment_ids:
        try:
            cancel(
                enrollment_id=enrollment_id,
                reason=job.reason,
                author=author,
                notify_learner=job.notify_learner,
                source=source,
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
        results.append([enrollment_id, result, message])
    return results, counts


def _chunk_record(job: BulkCancelJobItem, number: int, results: list[list], counts: Counter) -> bool:
    """Write a chunk's results and add its counts to the job, in one transaction, once."""

    def parts(now_iso: str):
        actions = [
            BulkCancelJobItem.done.add(len(results)),
            BulkCancelJobItem.chunks_done.add(1),
            BulkCancelJobItem.canceled.add(counts[CANCELED]),
            BulkCancelJobItem.refused.add(counts[REFUSED]),
            BulkCancelJobItem.updated_at.set(now_iso),
        ]
        result = BulkCancelResultItem(*keys.bulk_cancel_result(job.job_id, number), created_at=now_iso, rows=results)
        job_item = BulkCancelJobItem(*keys.bulk_cancel_job(job.job_id))
        return result, job_item, actions, BulkCancelJobItem.state == RUNNING

    return record_chunk_once(parts)


@storage_errors_as_domain_errors
def bulk_cancel_finish_if_complete(*, job_id: str) -> BulkCancelJobItem:
    """Mark the job DONE once every chunk is recorded (once, whoever gets there first); return the job."""
    return finish_when_complete(
        selectors.bulk_cancel_get(job_id),
        active_marker=ActiveBulkCancelItem(*keys.active_bulk_cancel(job_id)),
        reread=lambda: selectors.bulk_cancel_get(job_id),
    )


@storage_errors_as_domain_errors
def bulk_cancel_resume_stalled(*, enqueue: Enqueue, stalled_after: timedelta | None = None) -> list[str]:
    """Queue the running bulk cancels the task queue did not take, and again the missing chunks of the ones without
    progress for ``stalled_after`` (default ``IMPORT_STALL_SECONDS``); return their ids.

    Safe while a job still runs: a chunk run twice is recorded once, and ``cancel`` refuses an
    enrollment already canceled. It brings back the jobs the queue did not take (on the first sweep after the
    queue answers again: ``services.jobs.job_resume``) and the chunks of a worker killed mid-run.
    """
    if stalled_after is None:
        stalled_after = timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    cutoff = clock.to_iso(clock.now() - stalled_after)
    touched = []
    for job_id in selectors.active_bulk_cancel_ids():
        try:
            job = selectors.bulk_cancel_get(job_id)
        except BulkCancelNotFound:
            continue
        reread = functools.partial(selectors.bulk_cancel_get, job_id)
        if job_resume(job, stalled_before=cutoff, queue_work=_queue_work(enqueue), reread=reread):
            touched.append(job_id)
    return touched

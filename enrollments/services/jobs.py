"""What background jobs (imports, bulk cancels, exports) share: handing a job to the task queue once and
recording when the queue did not take it, resuming it on the next sweep, recording a chunk's results once, and
finishing the job once every chunk is recorded.

A job item has ``job_id``, ``state``, ``created_at``, ``updated_at`` (its last progress) and ``queued_at``: when its
work was handed to the task queue, absent while the queue has not taken it (the broker did not answer, or the job
was written before ``queued_at`` existed). A sweep queues a job without ``queued_at`` at once, and a queued one
only once it shows no progress for the stall period.
"""

import contextlib
import logging
from collections.abc import Callable

from django.conf import settings

from .. import clock
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange, QueueUnavailable
from ..rules import JOB_RUNNING

# The states a chunked job passes through here (each job also has states of its own: an import's PREPARING).
RUNNING = JOB_RUNNING
DONE = "DONE"

logger = logging.getLogger(__name__)

# Hand a job's work to the task queue (its chunks without results, or the whole export); raise ``QueueUnavailable``
# when the broker does not take it.
QueueWork = Callable[[object], None]

# Given the time of an attempt: the chunk's result item, the job item, the job's updates and the job's condition.
ChunkRecord = Callable[[str], tuple[object, object, list, object]]


def record_chunk_once(parts: ChunkRecord) -> bool:
    """Write a chunk's result item and update its job's counters in one transaction, once; return whether this
    call recorded them.

    The result must not exist yet: another run of the chunk (a redelivered task, a resumed job) that recorded it
    first makes this one return False, as does a job no longer in ``parts``' condition. Chunks finishing together
    conflict on the job's counters: that is tried again.
    """
    for _attempt in attempts(settings.ENROLL_SEAT_ATTEMPTS, first_pause=0.005):
        result, job, actions, condition = parts(clock.now_iso())
        tx = Transaction()
        tx.put(result, condition=type(result).sk.does_not_exist(), name="result")
        tx.update(job, actions, condition=condition, name="job")
        try:
            tx.commit()
            return True
        except TransactionFailed as failure:
            if failure.failed:
                return False
    raise ConcurrentChange()


def finish_when_complete(job, *, active_marker, reread: Callable[[], object]):
    """Mark a RUNNING ``job`` DONE once every chunk is recorded and delete its ``active_marker`` (the item that
    lists it among the running jobs), in one transaction; return the job.

    Whoever records the last chunk calls it, and so may a sweep: the first call finishes the job, the others
    find it DONE (``reread()`` reads it again when a concurrent call won).
    """
    if job.state != RUNNING or job.chunks_done < job.chunks_total:
        return job
    model = type(job)
    now_iso = clock.now_iso()
    tx = Transaction()
    tx.update(
        job,
        [model.state.set(DONE), model.finished_at.set(now_iso), model.updated_at.set(now_iso)],
        condition=model.state == RUNNING,
        name="job",
    )
    tx.delete(active_marker)
    try:
        tx.commit()
    except TransactionFailed:
        return reread()
    job.state, job.finished_at, job.updated_at = DONE, now_iso, now_iso
    return job


def job_queue(job, *, queue_work: QueueWork, reread: Callable[[], object]):
    """Hand a RUNNING ``job``'s work to the task queue with ``queue_work(job)``, once; return the job, without
    ``queued_at`` when the queue did not answer.

    The job is claimed for queuing first (``queued_at``, set only while absent), so a start page and a sweep never
    both queue it (``reread()`` reads the job when another claim won). When the queue does not answer, the claim is
    given back: the job waits, stored and marked as not queued, for the next sweep (``job_resume``).
    """
    model = type(job)
    now_iso = clock.now_iso()
    claim = Transaction()
    claim.update(
        job,
        [model.queued_at.set(now_iso), model.updated_at.set(now_iso)],
        condition=(model.state == RUNNING) & model.queued_at.does_not_exist(),
        name="job",
    )
    try:
        claim.commit()
    except TransactionFailed:
        return reread()  # queued already, or no longer running
    try:
        queue_work(job)
    except QueueUnavailable as error:
        logger.warning(
            "%s %s is stored but not queued: %s", model.__name__.removesuffix("Item"), job.job_id, error.message
        )
        release = Transaction()
        release.update(job, [model.queued_at.remove()], condition=model.queued_at == now_iso)
        with contextlib.suppress(TransactionFailed):
            release.commit()
        job.queued_at = None
        return job
    job.queued_at = job.updated_at = now_iso
    return job


def job_resume(job, *, stalled_before: str, queue_work: QueueWork, reread: Callable[[], object]) -> bool:
    """Hand a RUNNING ``job`` to the task queue again when the queue does not hold its work; return whether this call
    queued it.

    A job the queue never took (no ``queued_at``) is queued at once: a broker back from an outage gets it on the next
    sweep, not a stall period later. A queued job is queued again only when its last progress is older than
    ``stalled_before`` (an ISO time): a worker killed mid-chunk, messages the broker lost. Safe while the job runs:
    every kind records a chunk once, and a second export run keeps the first file.
    """
    if job.state != RUNNING:
        return False
    if job.queued_at:
        if (job.updated_at or job.created_at) > stalled_before:
            return False
        # Give back the claim of a queue that lost the work; a job that moved since it was read keeps its claim.
        model = type(job)
        release = Transaction()
        release.update(
            job,
            [model.queued_at.remove()],
            condition=(model.state == RUNNING)
            & (model.queued_at == job.queued_at)
            & (model.updated_at == job.updated_at if job.updated_at else model.updated_at.does_not_exist()),
        )
        try:
            release.commit()
        except TransactionFailed:
            return False
        job.queued_at = None
    return bool(job_queue(job, queue_work=queue_work, reread=reread).queued_at)

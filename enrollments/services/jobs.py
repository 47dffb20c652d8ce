"""What background jobs made of chunks (imports, bulk cancels) share: recording a chunk's results once, and
finishing the job once every chunk is recorded."""

from collections.abc import Callable

from django.conf import settings

from .. import clock
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange

# The states a chunked job passes through here (each job also has states of its own: an import's PREPARING).
RUNNING = "RUNNING"
DONE = "DONE"

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

"""What background jobs made of chunks (imports, bulk cancels) share: recording a chunk's results once."""

from collections.abc import Callable

from django.conf import settings

from .. import clock
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange

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

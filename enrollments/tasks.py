"""Celery tasks: thin, ids in, one service call each; and what the tasks of every capability share."""

from celery import shared_task

from . import clock
from .exceptions import StorageUnavailable
from .services import lifecycle_records_process
from .services import lifecycle_tick as run_lifecycle_tick

# Retries of a transient error that outlast a realistic outage: 5 s doubling to 5 min, without jitter (it would
# draw each delay between 0 and the backoff), ten of them: about 25 minutes. Sweeps and ticks are the last resort.
OUTAGE_RETRIES = {"retry_backoff": 5, "retry_backoff_max": 300, "retry_jitter": False, "max_retries": 10}


def enqueue_lifecycle_batch(keys: list) -> None:
    """Hand one batch of ``(enrollment_id, sk)`` to a worker."""
    process_lifecycle_records.delay(keys)


@shared_task(name="enrollments.tasks.lifecycle_tick")
def lifecycle_tick() -> int:
    """Find the lifecycle records due now and enqueue them in batches; return how many."""
    return run_lifecycle_tick(now=clock.now(), dispatch=enqueue_lifecycle_batch).records_found


# acks_late: the work is guarded by the records' claims, so a redelivered batch is harmless.
# Only DynamoDB being unavailable is retried here; send errors are retried through the records themselves.
@shared_task(
    name="enrollments.tasks.process_lifecycle_records",
    acks_late=True,
    autoretry_for=(StorageUnavailable,),
    # Records left after the retries are handed out again by later ticks.
    **OUTAGE_RETRIES,
)
def process_lifecycle_records(keys: list) -> dict:
    """Claim, send and mark each ``[enrollment_id, sk]`` of the batch; return the outcomes."""
    return dict(lifecycle_records_process(keys=keys))

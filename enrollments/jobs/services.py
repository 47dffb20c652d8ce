"""The services of background jobs of every kind: handing a job to the task queue once and recording when the
queue did not take it, running a chunk and recording its results once, finishing the job once every chunk is
recorded, failing it, touching its heartbeat, and the sweep that resumes the stalled ones.

A job item has ``job_id``, ``state``, ``created_at``, ``updated_at`` (its last progress) and ``queued_at``: when its
work was handed to the task queue, absent while the queue has not taken it (the broker did not answer, or the job
was written before ``queued_at`` existed). A sweep queues a job without ``queued_at`` at once, and a queued one
only once it shows no progress for the stall period.
"""

import contextlib
import functools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings

from .. import clock
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange, QueueUnavailable, StorageUnavailable
from .kinds import JobKind
from .selectors import job_active_ids, job_chunk_state, job_chunks_done, job_find, job_get
from .states import DONE, FAILED, RUNNING

logger = logging.getLogger(__name__)

# Queue chunks of a job for the workers: ``enqueue(job_id, chunk_numbers)`` (``tasks.enqueue_for(kind)``).
Enqueue = Callable[[str, Iterable[int]], None]

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


def job_refuse_started(kind: JobKind, job_id: str) -> None:
    """Raise the kind's ``already_started`` when a job of ``job_id`` exists (a second submit of the form whose token
    is its id), before any of its work is stored."""
    if job_find(kind, job_id) is not None:
        raise kind.already_started(job_id)


def job_new(kind: JobKind, job_id: str, *, author, state: str = RUNNING, **fields):
    """Return a new (unsaved) job item of ``kind``: its key, id, author (an ``Author``), state and times now, and the
    kind's own ``fields``."""
    now_iso = clock.now_iso()
    if "chunks_in_flight" in kind.model.get_attributes():
        # Present from the start: a running chunk SETs its entry in it (``ChunkProgress``).
        fields.setdefault("chunks_in_flight", {})
    return kind.model(
        *kind.job_key(job_id),
        created_at=now_iso,
        updated_at=now_iso,
        job_id=job_id,
        author=author.as_attribute(),
        state=state,
        **fields,
    )


def job_create(kind: JobKind, job, *listings, also: Callable[[Transaction], None] | None = None) -> None:
    """Write a new ``job`` with the items that list it and its kind's active marker, in one transaction; raise the
    kind's ``already_started`` when a job of its id exists.

    ``also(tx)`` adds the kind's own items: when one of those fails its condition, the ``TransactionFailed`` is
    raised for the kind to read.
    """
    tx = Transaction()
    tx.put(job, condition=type(job).id.does_not_exist(), name="job")
    for item in listings:
        tx.put(item)
    if kind.active_model is not None:
        tx.put(kind.active_model(*kind.active_key(job.job_id), created_at=job.created_at))
    if also is not None:
        also(tx)
    try:
        tx.commit()
    except TransactionFailed as failure:
        if "job" in failure.failed or also is None:
            raise kind.already_started(job.job_id) from None
        raise


def _queue_work(kind: JobKind, enqueue: Enqueue) -> QueueWork:
    def queue_work(job) -> None:
        if not kind.chunked:
            enqueue(job.job_id, [0])
            return
        done = job_chunks_done(kind, job.job_id)
        missing = [number for number in range(job.chunks_total) if number not in done]
        if missing:
            enqueue(job.job_id, missing)
        else:
            # Every chunk is recorded and the job still runs: whoever recorded the last one did not finish it.
            job_finish_if_complete(kind, job_id=job.job_id)

    return queue_work


@storage_errors_as_domain_errors
def job_enqueue(kind: JobKind, *, job, enqueue: Enqueue):
    """Hand the work of a running ``job`` of ``kind`` (its chunks without results) to the task queue with
    ``enqueue``, once; return the job, without ``queued_at`` when the queue did not answer (``job_queue``)."""
    return job_queue(job, queue_work=_queue_work(kind, enqueue), reread=functools.partial(job_get, kind, job.job_id))


@storage_errors_as_domain_errors
def job_process_chunk(kind: JobKind, *, job_id: str, number: int, final_attempt: bool = True) -> bool:
    """Run chunk ``number`` of a job and record its results and counts; return whether this call recorded them.

    A chunk already recorded is not run again. ``final_attempt`` tells the kind's work whether a transient error
    must raise (the task retries the chunk) or be reported with the chunk's results. A kind that is not chunked
    runs its whole work here.
    """
    if not kind.chunked:
        return kind.run(job_id=job_id).state == DONE
    job, chunk, recorded = job_chunk_state(kind, job_id, number)
    if job is None or chunk is None:
        raise kind.not_found(job_id)
    wrote = False
    if not recorded and job.state == RUNNING:
        progress = ChunkProgress(kind, job_id=job_id, number=number)
        rows, counts = kind.chunk_results(job, chunk, final_attempt=final_attempt, progress=progress.advance)
        wrote = _chunk_record(kind, job, number, rows, counts)
    job_finish_if_complete(kind, job_id=job_id)
    return wrote


def _chunk_record(kind: JobKind, job, number: int, rows: list, counts: Counter) -> bool:
    """Write a chunk's results and add its counts to the job, in one transaction, once."""
    model = kind.model

    def parts(now_iso: str):
        actions = [
            getattr(model, kind.processed_attribute).add(len(rows)),
            model.chunks_done.add(1),
            model.updated_at.set(now_iso),
        ]
        actions += [getattr(model, counter).add(count) for counter, count in sorted(counts.items())]
        if getattr(job, "chunks_in_flight", None) is not None:
            # The chunk's rows now count in the processed attribute: its in-flight count goes in the same write.
            actions.append(model.chunks_in_flight[str(number)].remove())
        result = kind.result_model(*kind.result_key(job.job_id, number), created_at=now_iso, rows=rows)
        return result, model(*kind.job_key(job.job_id)), actions, model.state == RUNNING

    return record_chunk_once(parts)


def job_chunk_progress_record(kind: JobKind, *, job_id: str, number: int, done: int) -> bool:
    """Write that running chunk ``number`` of a job has ``done`` rows done so far, unless its results are recorded
    already; return whether it was written.

    A SET, not an ADD: a chunk run again after a crash replaces its first run's count instead of adding to it, and
    recording the chunk removes the count in the transaction that adds its rows (``_chunk_record``), so no row is
    counted twice. The condition on the result item keeps a late write of a run that lost the race from counting a
    recorded chunk again. Best effort: a job without the map (started before it existed) or a storage error only
    leaves the bar where it was.
    """
    model = kind.model
    result_key = kind.result_key(job_id, number)
    tx = Transaction()
    tx.check(kind.result_model, result_key.pk, result_key.sk, condition=kind.result_model.sk.does_not_exist())
    tx.update(
        model(*kind.job_key(job_id)),
        [model.chunks_in_flight[str(number)].set(done), model.updated_at.set(clock.now_iso())],
        condition=(model.state == RUNNING) & model.chunks_in_flight.exists(),
    )
    try:
        tx.commit()
    except (TransactionFailed, StorageUnavailable) as error:
        logger.debug("The progress of chunk %s of %s %s is not written: %s", number, kind.name, job_id, error)
        return False
    return True


class ChunkProgress:
    """Count the rows a running chunk has done and write the count to its job at most every
    ``JOB_PROGRESS_SECONDS`` (``job_chunk_progress_record``), so the page's bar moves within a chunk whatever its
    size. A chunk's work calls ``advance`` from any of its threads."""

    def __init__(self, kind: JobKind, *, job_id: str, number: int):
        self.kind, self.job_id, self.number = kind, job_id, number
        self.done = 0
        self._lock = threading.Lock()
        # Monotonic, not the clock: only the pause between two writes matters, and tests may set the clock.
        self._written_at = time.monotonic()

    def advance(self, rows: int = 1) -> None:
        """Count ``rows`` more rows done; write the count when the last write is old enough."""
        with self._lock:
            self.done += rows
            now = time.monotonic()
            if now - self._written_at < settings.JOB_PROGRESS_SECONDS:
                return
            self._written_at, done = now, self.done
        # Outside the lock: the other threads keep working while one writes.
        job_chunk_progress_record(self.kind, job_id=self.job_id, number=self.number, done=done)


@storage_errors_as_domain_errors
def job_finish_if_complete(kind: JobKind, *, job_id: str):
    """Mark the job DONE once every chunk is recorded (once, whoever gets there first); return the job."""
    return finish_when_complete(
        job_get(kind, job_id),
        active_marker=kind.active_marker(job_id),
        reread=functools.partial(job_get, kind, job_id),
    )


@storage_errors_as_domain_errors
def job_run_inline(kind: JobKind, *, job_id: str, on_progress=None):
    """Run every chunk of a job still missing in this process (the command line's path); return the job.

    ``on_progress(job)`` is called after each chunk.
    """
    job = job_get(kind, job_id)
    done = job_chunks_done(kind, job_id)
    for number in range(job.chunks_total):
        if number in done:
            continue
        job_process_chunk(kind, job_id=job_id, number=number)
        if on_progress is not None:
            on_progress(job_get(kind, job_id))
    return job_finish_if_complete(kind, job_id=job_id)


@storage_errors_as_domain_errors
def job_resume_now(kind: JobKind, *, job_id: str, enqueue: Enqueue) -> int:
    """Queue again every chunk of a running job whose results are missing; return how many.

    Safe while the job still runs: a chunk that runs twice is recorded once.
    """
    job = job_get(kind, job_id)
    if job.state != RUNNING:
        return 0
    done = job_chunks_done(kind, job_id)
    missing = [number for number in range(job.chunks_total) if number not in done]
    if not missing:
        job_finish_if_complete(kind, job_id=job_id)
        return 0
    job_touch(job)
    enqueue(job_id, missing)
    return len(missing)


def job_touch(job, *actions) -> bool:
    """Move the job's heartbeat (``updated_at``) with ``actions`` while it keeps its state, so a sweep sees it
    alive; return whether it was written."""
    model = type(job)
    tx = Transaction()
    tx.update(job, [*actions, model.updated_at.set(clock.now_iso())], condition=model.state == job.state)
    try:
        tx.commit()
    except TransactionFailed:
        return False
    return True


def job_fail(kind: JobKind, job, message: str, *, also=None) -> bool:
    """Mark ``job`` FAILED with ``message`` and forget it among the running ones, unless it moved meanwhile;
    return whether this call failed it. ``also(tx)`` adds the kind's own changes to the same transaction."""
    model = type(job)
    now_iso = clock.now_iso()
    tx = Transaction()
    tx.update(
        job,
        [
            model.state.set(FAILED),
            model.error.set(message[:500]),
            model.finished_at.set(now_iso),
            model.updated_at.set(now_iso),
        ],
        condition=model.state == job.state,
        name="job",
    )
    if kind.active_model is not None:
        tx.delete(kind.active_marker(job.job_id))
    if also is not None:
        also(tx)
    try:
        tx.commit()
    except TransactionFailed:
        return False  # Another sweep or the job itself moved first.
    return True


@storage_errors_as_domain_errors
def job_resume_stalled(kind: JobKind, *, enqueue: Enqueue, stalled_after: timedelta | None = None) -> list[str]:
    """Queue the running jobs of ``kind`` the task queue did not take, and again the ones without progress for
    ``stalled_after`` (default ``IMPORT_STALL_SECONDS``); return the ids of the jobs queued or handled by the
    kind's ``sweep_job``.

    A worker killed mid-chunk leaves its task unacknowledged until the broker's visibility timeout; this sweep,
    run by beat every minute, brings such jobs back sooner, and queues on its first run after an outage the jobs
    started while the broker did not answer (``job_resume``).
    """
    if stalled_after is None:
        stalled_after = timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    cutoff = clock.to_iso(clock.now() - stalled_after)
    touched = []
    for job_id in job_active_ids(kind):
        job = job_find(kind, job_id)
        if job is None:
            continue
        if kind.sweep_job is not None and kind.sweep_job(job, cutoff):
            touched.append(job_id)
            continue
        reread = functools.partial(job_get, kind, job_id)
        if job_resume(job, stalled_before=cutoff, queue_work=_queue_work(kind, enqueue), reread=reread):
            touched.append(job_id)
    return touched


def jobs_sweep(kinds: Iterable[JobKind], *, enqueue_for: Callable[[JobKind], Enqueue]) -> dict:
    """Sweep every kind of ``kinds``: its housekeeping, then ``job_resume_stalled``; return, per kind's name, the
    ids retired and resumed. A kind whose storage does not answer does not stop the others' sweep."""
    swept = {}
    for kind in kinds:
        try:
            retired = kind.housekeeping() if kind.housekeeping is not None else []
            resumed = job_resume_stalled(kind, enqueue=enqueue_for(kind))
        except Exception:
            logger.exception("The sweep of %s jobs stopped", kind.name)
            continue
        swept[kind.name] = {"retired": retired, "resumed": resumed}
    return swept

"""Reads of background jobs of any kind: the job, a chunk's state, the chunks recorded, the running ids, the
progress. No Scan."""

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import MainItem
from .kinds import JobKind
from .states import DONE, FINISHED, waiting_for_queue


@storage_errors_as_domain_errors
def job_get(kind: JobKind, job_id: str):
    """Return the job of ``kind``, or raise the kind's ``not_found``."""
    if job_id:
        try:
            return kind.model.get(*kind.job_key(job_id), consistent_read=True)
        except kind.model.DoesNotExist:
            pass
    raise kind.not_found(job_id)


def job_find(kind: JobKind, job_id: str):
    """Return the job of ``kind``, or ``None``."""
    try:
        return job_get(kind, job_id)
    except kind.not_found:
        return None


@storage_errors_as_domain_errors
def job_chunk_state(kind: JobKind, job_id: str, number: int) -> tuple:
    """Return the job, chunk ``number`` and whether its results are written, in one request."""
    job_key, chunk_key, result_key = (
        kind.job_key(job_id),
        kind.chunk_key(job_id, number),
        kind.result_key(job_id, number),
    )
    found = {item.sk: item for item in MainItem.batch_get([job_key, chunk_key, result_key], consistent_read=True)}
    return found.get(job_key.sk), found.get(chunk_key.sk), result_key.sk in found


@storage_errors_as_domain_errors
def job_chunks_done(kind: JobKind, job_id: str) -> set[int]:
    """Return the numbers of the chunks whose results are written."""
    results = kind.result_model.query(
        kind.partition(job_id),
        kind.result_model.sk.startswith(keys.RESULT_PREFIX),
        consistent_read=True,
        attributes_to_get=["id", "sk", "kind"],
    )
    return {keys.chunk_number(item.sk) for item in results}


@storage_errors_as_domain_errors
def job_results(kind: JobKind, job_id: str):
    """Yield the result items of a job in chunk order."""
    yield from kind.result_model.query(
        kind.partition(job_id), kind.result_model.sk.startswith(keys.RESULT_PREFIX), consistent_read=True
    )


@storage_errors_as_domain_errors
def job_active_ids(kind: JobKind) -> list[str]:
    """Return the ids of the jobs of ``kind`` a sweep looks at: the running ones, listed by their active marker
    (or the kind's ``recent_ids``)."""
    if kind.active_model is None:
        return list(kind.recent_ids())
    partition = kind.active_key("").pk
    return [item.sk for item in kind.active_model.query(partition, consistent_read=True)]


def rows_in_flight(job) -> int:
    """Return the rows the running chunks of ``job`` have done and not recorded yet (``jobs.services.ChunkProgress``):
    a kind's progress adds them to its processed count, so the bar moves within a chunk."""
    counts = getattr(job, "chunks_in_flight", None) or {}
    # A map read back from DynamoDB is PynamoDB's raw MapAttribute; one built in memory, a dict.
    counts = counts.as_dict() if hasattr(counts, "as_dict") else counts
    return sum(int(done) for done in counts.values())


def rows_progress(job, *, done: int, total: int) -> dict:
    """Return the bar's numbers of a job that has done ``done`` of its ``total`` rows in recorded chunks: the rows
    processed (with those of the chunks still running, never past the total) and the percent (100 for no rows)."""
    total = int(total)
    processed = min(total, int(done) + rows_in_flight(job))
    return {"processed": processed, "total": total, "percent": processed * 100 // total if total else 100}


def job_progress(kind: JobKind, job) -> dict:
    """Return the progress of a job already read, as its page's bar and ``progress.json`` show it."""
    progress = {
        "state": job.state,
        "finished": job.state in FINISHED,
        # Finished with every chunk recorded: what a done job offers (an import's undo) shows on this, not on a reload.
        "done": job.state == DONE,
        # Stored, but the task queue has not taken its work yet (the sweep queues it once the queue answers).
        "waiting": waiting_for_queue(job),
    }
    if hasattr(kind.model, "error"):  # a kind whose jobs can fail says why
        progress["error"] = job.error or ""
    return {**progress, **kind.progress(job)}

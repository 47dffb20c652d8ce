"""What staff read about an import: its progress, its per-row report and its failed rows, as CSV."""

from collections.abc import Iterator

from .. import clock
from ..csv_files import csv_lines
from ..dynamo import keys
from ..dynamo.models import ImportJobItem
from . import selectors
from .jobs import COUNTER_NAMES, DONE, ENROLLED, FAILED, RUNNING, ChunkRow
from .preview import FAILED_ROWS_HEADER

REPORT_HEADER = ("line", "name", "email", "result", "enrollment id", "message")


def import_progress(job_id: str) -> dict:
    """Return a job's progress as plain data (for the JSON endpoint and the command's bar); raise ``ImportJobNotFound``."""
    return job_progress(selectors.import_job_get(job_id))


def job_progress(job: ImportJobItem) -> dict:
    """Return the progress of a job already read: rows done, rate, time left, counts."""
    total, processed = int(job.rows_total), int(job.rows_done)
    rate = 0.0
    if job.started_at:
        end = clock.from_iso(job.finished_at) if job.finished_at else clock.now()
        elapsed = (end - clock.from_iso(job.started_at)).total_seconds()
        rate = processed / elapsed if elapsed > 0 else 0.0
    seconds_left = None
    if job.state == DONE:
        seconds_left = 0
    elif job.state == RUNNING and rate > 0:
        seconds_left = round((total - processed) / rate)
    return {
        "job_id": job.job_id,
        "state": job.state,
        "finished": job.state in (DONE, FAILED),
        "company": job.tenant_name,
        "tenant_id": job.tenant_id,
        "file_name": job.file_name,
        "total": total,
        "processed": processed,
        "percent": 100 if job.state == DONE else (processed * 100 // total if total else 0),
        "rows_per_second": round(rate, 1),
        "seconds_left": seconds_left,
        "counts": {name: int(getattr(job, name) or 0) for name in COUNTER_NAMES},
        "error": job.error,
        # Stored, but the task queue has not taken its chunks yet (the sweep queues it once the queue answers).
        "waiting": job.state == RUNNING and not job.queued_at,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "author": job.author.name,
    }


def import_report_rows(job_id: str) -> Iterator[list]:
    """Return ``[line, name, email, result, enrollment id, message]`` for every row recorded so far, in file order
    (raise ``ImportJobNotFound`` at once)."""
    selectors.import_job_get(job_id)
    return (row for item in selectors.import_results(job_id) for row in item.rows)


def import_report_csv(job_id: str) -> Iterator[str]:
    """Yield the per-row report CSV of a job (raise ``ImportJobNotFound`` before the first line)."""
    return csv_lines(REPORT_HEADER, import_report_rows(job_id))


def job_failed_rows_csv(job_id: str) -> Iterator[str]:
    """Yield a CSV of the rows a job did not enroll, with their error, in the columns an upload reads."""
    selectors.import_job_get(job_id)
    return csv_lines(FAILED_ROWS_HEADER, _failed_rows(job_id))


def _failed_rows(job_id: str) -> Iterator[tuple]:
    results = selectors.import_results(job_id)
    result = next(results, None)
    for chunk in selectors.import_chunks(job_id):
        number = keys.chunk_number(chunk.sk)
        while result is not None and keys.chunk_number(result.sk) < number:
            result = next(results, None)
        if result is None or keys.chunk_number(result.sk) != number:
            continue  # not run yet
        for stored, (line, _name, _email, outcome, _enrollment_id, message) in zip(
            chunk.rows, result.rows, strict=True
        ):
            row = ChunkRow(*stored)
            if outcome != ENROLLED:
                yield (
                    row.name,
                    row.email,
                    row.cpf or "",
                    row.course,
                    "" if row.window_days is None else row.window_days,
                    line,
                    message,
                )

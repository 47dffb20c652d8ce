"""What staff read about an import: its progress, its per-row report and its failed rows, as CSV."""

from collections.abc import Iterator

from .. import clock, selectors_imports
from ..csv_files import csv_lines
from ..dynamo.models import ImportJobItem
from ..services.transactions import storage_errors_as_domain_errors
from .jobs import COUNTER_NAMES, DONE, ENROLLED, FAILED, RUNNING, ChunkRow
from .preview import FAILED_ROWS_HEADER

REPORT_HEADER = ("line", "name", "email", "result", "enrollment id", "message")


@storage_errors_as_domain_errors
def import_progress(job_id: str) -> dict:
    """Return a job's progress as plain data (for the JSON endpoint and the command's bar); raise ``ImportJobNotFound``."""
    return job_progress(selectors_imports.get_import_job(job_id))


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
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "author": job.author.name,
    }


@storage_errors_as_domain_errors
def import_report_rows(job_id: str) -> Iterator[list]:
    """Return ``[line, name, email, result, enrollment id, message]`` for every row recorded so far, in file order
    (raise ``ImportJobNotFound`` at once)."""
    selectors_imports.get_import_job(job_id)
    return (row for item in selectors_imports.import_results(job_id) for row in item.rows)


@storage_errors_as_domain_errors
def import_report_csv(job_id: str) -> Iterator[str]:
    """Yield the per-row report CSV of a job (raise ``ImportJobNotFound`` before the first line)."""
    return csv_lines(REPORT_HEADER, import_report_rows(job_id))


@storage_errors_as_domain_errors
def job_failed_rows_csv(job_id: str) -> Iterator[str]:
    """Yield a CSV of the rows a job did not enroll, with their error, in the columns an upload reads."""
    selectors_imports.get_import_job(job_id)
    return csv_lines(FAILED_ROWS_HEADER, _failed_rows(job_id))


def _failed_rows(job_id: str) -> Iterator[tuple]:
    results = selectors_imports.import_results(job_id)
    result = next(results, None)
    for chunk in selectors_imports.import_chunks(job_id):
        number = chunk.sk.split("#", 1)[1]
        while result is not None and result.sk.split("#", 1)[1] < number:
            result = next(results, None)
        if result is None or result.sk.split("#", 1)[1] != number:
            continue  # not run yet
        for stored, (line, _name, _email, outcome, _enrollment_id, message) in zip(chunk.rows, result.rows):
            row = ChunkRow(*stored)
            if outcome != ENROLLED:
                yield (row.name, row.email, row.cpf or "", row.course, "" if row.window_days is None else row.window_days, line, message)

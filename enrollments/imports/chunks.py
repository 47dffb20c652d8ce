"""Enroll the rows of an import's chunks and record what became of each; finish the job once all are recorded.

Each row is its own ``enroll`` transaction with an id derived from the job and the line:
running a chunk twice (a redelivered task, a resumed job) finds the rows written the first
time and reports them as enrolled, never twice. A chunk's results and the job's counters
are written together in one transaction, once.
"""

from collections import Counter

from django.conf import settings

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ActiveImportItem, CompanyItem, CourseItem, ImportJobItem, ImportResultItem
from ..exceptions import (
    ActiveEnrollmentExists,
    ConcurrentChange,
    DeduplicationConflict,
    ImportJobNotFound,
    NoVacancyLeft,
    StorageUnavailable,
)
from ..rules import Person
from ..services.common import Author
from ..services.enrollment_bulk import BulkEnrollment, enroll_many
from ..services.jobs import finish_when_complete, record_chunk_once
from . import selectors
from .jobs import (
    ALREADY_ACTIVE,
    ALREADY_ENROLLED,
    COUNTERS,
    ENROLLED,
    NO_VACANCY_LEFT,
    OTHER_COUNTER,
    RUNNING,
    ChunkRow,
    import_source,
    job_enroll_again,
    job_welcome,
    row_enrollment_id,
)
from .rows import OK

TRANSIENT_ERRORS = (StorageUnavailable, ConcurrentChange)


@storage_errors_as_domain_errors
def import_process_chunk(*, job_id: str, number: int, final_attempt: bool = True) -> bool:
    """Enroll the rows of one chunk and record their results and counts; return whether this call recorded them.

    A chunk already recorded is not run again. Before the final attempt, a row that
    met a transient error (DynamoDB unavailable, a race lost too often) raises it, so
    the task retries the chunk; on the final attempt it is reported like any row error.
    """
    job, chunk, recorded = selectors.import_chunk_state(job_id, number)
    if job is None or chunk is None:
        raise ImportJobNotFound(job_id)
    wrote = False
    if not recorded and job.state == RUNNING:
        results, counts = _chunk_results(job, [ChunkRow(*row) for row in chunk.rows], final_attempt=final_attempt)
        wrote = _chunk_record(job, number, results, counts)
    import_finish_if_complete(job_id=job_id)
    return wrote


def _chunk_results(job: ImportJobItem, rows: list[ChunkRow], *, final_attempt: bool) -> tuple[list[list], Counter]:
    company = CompanyItem(*keys.company(job.tenant_id), name=job.tenant_name, billing=job.billing)
    courses = {
        course_id: CourseItem(
            *keys.course(course_id), name=name, access_period_days=access, certificate_validity_days=validity
        )
        for course_id, (name, access, validity) in job.courses.items()
    }
    to_enroll = [row for row in rows if row.status == OK]
    outcomes = enroll_many(
        company=company,
        enrollments=[
            BulkEnrollment(
                enrollment_id=row_enrollment_id(job.job_id, row.line),
                course=courses[row.course],
                person=Person(name=row.name, email=row.email, cpf=row.cpf),
                window_days=row.window_days,
            )
            for row in to_enroll
        ],
        author=Author(id=job.author.id, name=job.author.name, email=job.author.email),
        source=import_source(job.job_id),
        threads=settings.IMPORT_THREADS,
        welcome=job_welcome(job),
        enroll_again=job_enroll_again(job),
    )
    if not final_attempt:
        transient = next((outcome.error for outcome in outcomes if isinstance(outcome.error, TRANSIENT_ERRORS)), None)
        if transient is not None:
            raise transient
    outcome_of = {row.line: outcome for row, outcome in zip(to_enroll, outcomes, strict=True)}
    results, counts = [], Counter()
    for row in rows:
        enrollment_id, message = "", row.message
        if row.status != OK:
            result = row.status
        elif (outcome := outcome_of[row.line]).enrollment is not None:
            result, enrollment_id = ENROLLED, outcome.enrollment.id
        elif isinstance(outcome.error, DeduplicationConflict):
            result, enrollment_id, message = ALREADY_ENROLLED, outcome.error.enrollment_id, outcome.error.message
        elif isinstance(outcome.error, ActiveEnrollmentExists):
            result, enrollment_id, message = ALREADY_ACTIVE, outcome.error.enrollment_id, outcome.error.message
        elif isinstance(outcome.error, NoVacancyLeft):
            result, message = NO_VACANCY_LEFT, outcome.error.message
        else:
            result, message = outcome.error.code, outcome.error.message
        counts[COUNTERS.get(result, OTHER_COUNTER)] += 1
        results.append([row.line, row.name, row.email, result, enrollment_id, message])
    return results, counts


def _chunk_record(job: ImportJobItem, number: int, results: list[list], counts: Counter) -> bool:
    """Write a chunk's results and add its counts to the job, in one transaction, once."""

    def parts(now_iso: str):
        actions = [
            ImportJobItem.rows_done.add(len(results)),
            ImportJobItem.chunks_done.add(1),
            ImportJobItem.updated_at.set(now_iso),
        ]
        actions += [getattr(ImportJobItem, counter).add(count) for counter, count in sorted(counts.items())]
        result = ImportResultItem(*keys.import_result(job.job_id, number), created_at=now_iso, rows=results)
        return result, ImportJobItem(*keys.import_job(job.job_id)), actions, ImportJobItem.state == RUNNING

    return record_chunk_once(parts)


@storage_errors_as_domain_errors
def import_finish_if_complete(*, job_id: str) -> ImportJobItem:
    """Mark the job DONE once every chunk is recorded (once, whoever gets there first); return the job."""
    return finish_when_complete(
        selectors.import_job_get(job_id),
        active_marker=ActiveImportItem(*keys.active_import(job_id)),
        reread=lambda: selectors.import_job_get(job_id),
    )


@storage_errors_as_domain_errors
def import_run_inline(*, job_id: str, on_progress=None) -> ImportJobItem:
    """Run every chunk of a job still missing in this process (the command line's path); return the job.

    ``on_progress(job)`` is called after each chunk.
    """
    job = selectors.import_job_get(job_id)
    done = selectors.import_chunks_done(job_id)
    for number in range(job.chunks_total):
        if number in done:
            continue
        import_process_chunk(job_id=job_id, number=number)
        if on_progress is not None:
            on_progress(selectors.import_job_get(job_id))
    return import_finish_if_complete(job_id=job_id)

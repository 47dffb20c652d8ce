"""The import kind's work on a chunk: enroll its rows and say what became of each.

Each row is its own ``enroll`` transaction with an id derived from the job and the line:
running a chunk twice (a redelivered task, a resumed job) finds the rows written the first
time and reports them as enrolled, never twice. The jobs mechanism records a chunk's results
and the job's counters together in one transaction, once (``jobs.services.job_process_chunk``).
"""

from collections import Counter
from collections.abc import Callable

from django.conf import settings

from ..dynamo import keys
from ..dynamo.models import CompanyItem, CourseItem, ImportChunkItem, ImportJobItem
from ..exceptions import (
    ActiveEnrollmentExists,
    ConcurrentChange,
    DeduplicationConflict,
    NoVacancyLeft,
    StorageUnavailable,
)
from ..rules import Person
from ..services.common import Author
from .enroll_rows import BulkEnrollment, enroll_many
from .outcomes import (
    ALREADY_ACTIVE,
    ALREADY_ENROLLED,
    COUNTERS,
    ENROLLED,
    NO_VACANCY_LEFT,
    OTHER_COUNTER,
    ChunkRow,
    import_source,
    job_enroll_again,
    job_welcome,
    row_enrollment_id,
)
from .rows import OK

TRANSIENT_ERRORS = (StorageUnavailable, ConcurrentChange)


def import_chunk_results(
    job: ImportJobItem, chunk: ImportChunkItem, *, final_attempt: bool, progress: Callable[[int], None] | None = None
) -> tuple[list[list], Counter]:
    """Enroll the rows of ``chunk`` and return ``[line, name, email, result, enrollment id, message]`` of each row
    and the job counters they add to; ``progress(rows)`` as rows get done.

    Before the final attempt, a row that met a transient error (DynamoDB unavailable, a race lost too often)
    raises it, so the task retries the chunk; on the final attempt it is reported like any row error.
    """
    rows = [ChunkRow(*row) for row in chunk.rows]
    company = CompanyItem(*keys.company(job.tenant_id), name=job.tenant_name, billing=job.billing)
    courses = {
        course_id: CourseItem(
            *keys.course(course_id), name=name, access_period_days=access, certificate_validity_days=validity
        )
        for course_id, (name, access, validity) in job.courses.items()
    }
    to_enroll = [row for row in rows if row.status == OK]
    if progress is not None and len(to_enroll) < len(rows):
        progress(len(rows) - len(to_enroll))  # the rows found invalid before the import are done already
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
        on_done=None if progress is None else lambda: progress(1),
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

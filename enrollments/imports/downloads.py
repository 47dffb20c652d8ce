"""What staff read about an import: its progress, its per-row report and its failed rows as CSV, and the CSV
template to fill for one."""

from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .. import clock, labels
from ..csv_files import localized_csv_lines
from ..dynamo import keys
from ..dynamo.models import ImportJobItem
from ..jobs import selectors as jobs_selectors
from ..jobs.kinds import kind_named
from ..jobs.states import DONE, RUNNING
from ..validators import format_cpf
from . import selectors
from .outcomes import COUNTER_NAMES, ENROLLED, KIND_NAME, ChunkRow
from .parsing import COURSE, CPF, EMAIL, NAME, WINDOW_DAYS, WRITTEN_HEADERS
from .preview import FAILED_ROWS_HEADER

REPORT_HEADER = (
    pgettext_lazy("CSV column", "line"),
    WRITTEN_HEADERS[NAME],
    WRITTEN_HEADERS[EMAIL],
    pgettext_lazy("CSV column", "result"),
    pgettext_lazy("CSV column", "enrollment id"),
    pgettext_lazy("CSV column", "message"),
    # The result's code, the same in every language, for programs that read the report: last, so the
    # columns before it keep their places.
    pgettext_lazy("CSV column", "result code"),
)


def import_progress(job_id: str) -> dict:
    """Return a job's progress as plain data (for the JSON endpoint and the command's bar); raise ``ImportJobNotFound``."""
    return job_progress(selectors.import_job_get(job_id))


def job_progress(job: ImportJobItem) -> dict:
    """Return the progress of a job already read, as every kind's (``jobs.selectors.job_progress``)."""
    return jobs_selectors.job_progress(kind_named(KIND_NAME), job)


def progress_numbers(job: ImportJobItem) -> dict:
    """Return the import's part of its progress: rows done, rate, time left, counts (the import kind's
    ``progress``)."""
    total = int(job.rows_total)
    processed = min(total, int(job.rows_done) + jobs_selectors.rows_in_flight(job))
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
        "company": job.tenant_name,
        "tenant_id": job.tenant_id,
        "file_name": job.file_name,
        "total": total,
        "processed": processed,
        "percent": 100 if job.state == DONE else (processed * 100 // total if total else 0),
        "rows_per_second": round(rate, 1),
        "seconds_left": seconds_left,
        "counts": {name: int(getattr(job, name) or 0) for name in COUNTER_NAMES},
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "author": labels.author_name(job.author),
    }


def duration(seconds: int | None) -> str:
    """Return ``m:ss`` or ``h:mm:ss`` (the page's script writes the same), or a dash when unknown."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def import_report_rows(job_id: str) -> Iterator[list]:
    """Return ``[line, name, email, result, enrollment id, message]`` for every row recorded so far, in file order
    (raise ``ImportJobNotFound`` at once)."""
    selectors.import_job_get(job_id)
    return (row for item in selectors.import_results(job_id) for row in item.rows)


def import_report_csv(job_id: str) -> Iterator[str]:
    """Return the lines of the per-row report CSV of a job in the active language: each row's result in words,
    and its code in the last column (raise ``ImportJobNotFound`` before the first line)."""
    words = _result_words()
    return localized_csv_lines(
        REPORT_HEADER,
        (
            [line, name, email, words(result), enrollment_id, message, result]
            for line, name, email, result, enrollment_id, message in import_report_rows(job_id)
        ),
    )


def _result_words() -> Callable[[str], str]:
    """Return the words of row results in the active language, read now: a streaming response is read after the
    view has returned."""
    words = {code: labels.import_result_label(code) for code in labels.IMPORT_RESULTS}
    other = str(labels.IMPORT_RESULT_OTHER)
    return lambda code: words.get(code, other)


def job_failed_rows_csv(job_id: str) -> Iterator[str]:
    """Return the lines of a CSV of the rows a job did not enroll, with their error, in the columns an upload
    reads and the active language."""
    selectors.import_job_get(job_id)
    return localized_csv_lines(FAILED_ROWS_HEADER, _failed_rows(job_id))


# Left as it is, the example row is refused (its CPF is the mask forms show, its course names none):
# a template uploaded unfilled enrolls no one.
TEMPLATE_EXAMPLE = ("Maria da Silva", "maria.silva@example.com", "000.000.000-00")


def import_template_csv() -> Iterator[str]:
    """Return the lines of a CSV file to fill for an import: the columns an upload reads, in the active
    language, and one example row."""
    example = (*TEMPLATE_EXAMPLE, _("course id or exact name"), "")
    return localized_csv_lines([WRITTEN_HEADERS[name] for name in (NAME, EMAIL, CPF, COURSE, WINDOW_DAYS)], [example])


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
                    format_cpf(row.cpf),
                    row.course,
                    "" if row.window_days is None else row.window_days,
                    line,
                    message,
                )

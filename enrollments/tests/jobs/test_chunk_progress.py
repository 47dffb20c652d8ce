"""Progress inside a chunk (``jobs.services.ChunkProgress``): a running chunk's rows done so far move the bar, and
a chunk run again after a crash, or recorded meanwhile, never counts a row twice."""

import io

import pytest

from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.jobs.states import DONE
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = pytest.mark.django_db


def _import(settings, rows: int):
    """Start an import of ``rows`` rows in one chunk, queued nowhere: the test runs its chunk."""
    settings.IMPORT_CHUNK_ROWS = rows
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=rows)
    data = "nome;email;curso\n" + "".join(
        f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(rows)
    )
    return import_services.import_start(
        file=io.BytesIO(data.encode()),
        file_name="pessoas.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=lambda job_id, numbers: None,
    )


def _processed(job_id: str) -> int:
    return downloads.import_progress(job_id)["processed"]


def test_job_chunk_progress_record__chunk_run_again_after_a_crash__replaces_its_count_not_adds(settings):
    job = _import(settings, 4)

    # The first run wrote 3 rows done, then its worker died; the run that resumes the chunk has done 2.
    assert job_services.job_chunk_progress_record(IMPORT, job_id=job.job_id, number=0, done=3)
    assert _processed(job.job_id) == 3
    assert job_services.job_chunk_progress_record(IMPORT, job_id=job.job_id, number=0, done=2)

    assert _processed(job.job_id) == 2


def test_job_process_chunk__recorded_after_progress_in_flight__counts_each_row_once(settings):
    job = _import(settings, 4)
    job_services.job_chunk_progress_record(IMPORT, job_id=job.job_id, number=0, done=3)

    assert job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=0)
    # A late write of another run of the recorded chunk is refused: its rows count in rows_done already.
    late = job_services.job_chunk_progress_record(IMPORT, job_id=job.job_id, number=0, done=4)

    done = import_selectors.import_job_get(job.job_id)
    assert late is False
    assert (done.state, done.rows_done, done.chunks_in_flight.as_dict()) == (DONE, 4, {})
    assert _processed(job.job_id) == 4


def test_chunk_progress__advance_with_no_pause__writes_the_rows_done_so_far(settings):
    settings.JOB_PROGRESS_SECONDS = 0
    job = _import(settings, 5)
    progress = job_services.ChunkProgress(IMPORT, job_id=job.job_id, number=0)

    progress.advance(2)
    progress.advance()

    assert _processed(job.job_id) == 3
    assert downloads.import_progress(job.job_id)["percent"] == 60


def test_chunk_progress__within_the_pause__writes_nothing(settings):
    settings.JOB_PROGRESS_SECONDS = 3600
    job = _import(settings, 5)

    job_services.ChunkProgress(IMPORT, job_id=job.job_id, number=0).advance(3)

    assert _processed(job.job_id) == 0

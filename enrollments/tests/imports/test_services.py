import io
import json
import random
import uuid
from datetime import timedelta

import pytest
import redis

from enrollments import selectors
from enrollments.exceptions import ImportAlreadyStarted, SameFileImported, StorageUnavailable
from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.enroll_rows import BulkEnrollment, enroll_many
from enrollments.imports.kind import IMPORT
from enrollments.imports.outcomes import ChunkRow, row_enrollment_id
from enrollments.jobs import selectors as job_selectors
from enrollments.jobs import services as job_services
from enrollments.jobs.tasks import enqueue_for
from enrollments.rules import Person, clean_person
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, order_uses

pytestmark = pytest.mark.django_db


def _csv(company, course, count, window=""):
    lines = ["nome;e-mail;curso;janela (dias)"]
    lines += [f"Pessoa {i};p{i}.{company.id}@example.com;{course.id};{window}" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _start(company, data, **kwargs):
    return import_services.import_start(
        file=io.BytesIO(data), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None, **kwargs
    )


def _tenant_enrollments(company):
    return list(selectors.company_enrollments(company.id))


def test_import__prepaid_10_seats_15_rows__enrolls_10_reports_5_no_vacancy_and_loses_no_seat(frozen_clock, settings):
    settings.IMPORT_CHUNK_ROWS = 4
    company, course = make_company(billing="prepaid"), make_course()
    order = make_order(company, course, seats=10)

    job = job_services.job_run_inline(IMPORT, job_id=_start(company, _csv(company, course, 15)).job_id)

    results = [row[3] for row in downloads.import_report_rows(job.job_id)]
    assert sorted(results) == ["enrolled"] * 10 + ["no_vacancy_left"] * 5
    assert (job.state, job.enrolled, job.no_vacancy_left, job.rows_done, job.chunks_done) == ("DONE", 10, 5, 15, 4)
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    generated = order_uses(order)
    assert {g.status for g in generated} == {"USED"} and len(generated) == 10
    assert sorted(e.id for e in _tenant_enrollments(company)) == sorted(g.enrollment_id for g in generated)


def test_import__same_file_again__needs_confirmation_then_reports_already_enrolled(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    data = _csv(company, course, 3, window="10")
    first = job_services.job_run_inline(IMPORT, job_id=_start(company, data).job_id)

    with pytest.raises(SameFileImported) as raised:
        _start(company, data)
    assert first.job_id in raised.value.message

    again = job_services.job_run_inline(IMPORT, job_id=_start(company, data, allow_same_file=True).job_id)

    first_ids = [row[4] for row in downloads.import_report_rows(first.job_id)]
    rows = list(downloads.import_report_rows(again.job_id))
    assert [row[3] for row in rows] == ["already_enrolled"] * 3
    assert [row[4] for row in rows] == first_ids
    assert (again.already_enrolled, again.enrolled) == (3, 0)
    assert len(_tenant_enrollments(company)) == 3


def test_import__crash_after_some_rows_of_a_chunk__resumed_job_enrolls_each_row_once(frozen_clock, settings):
    settings.IMPORT_CHUNK_ROWS = 5
    company, course = make_company(), make_course()
    make_order(company, course, seats=12)
    job = _start(company, _csv(company, course, 12))
    # A worker enrolled lines 2..4 of chunk 0 with their row ids, then died before recording the chunk.
    [chunk] = [c for c in import_selectors.import_chunks(job.job_id) if c.sk.endswith("#000000")]
    early = [ChunkRow(*row) for row in chunk.rows[:3]]
    course_item = selectors.course_get(course.id)
    enroll_many(
        company=company,
        author=STAFF,
        source=f"csv:{job.job_id}",
        threads=2,
        enrollments=[
            BulkEnrollment(
                enrollment_id=row_enrollment_id(job.job_id, row.line),
                course=course_item,
                person=clean_person(Person(name=row.name, email=row.email)),
            )
            for row in early
        ],
    )

    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)

    rows = list(downloads.import_report_rows(job.job_id))
    assert [row[3] for row in rows] == ["enrolled"] * 12
    assert [row[4] for row in rows] == [row_enrollment_id(job.job_id, line) for line in range(2, 14)]
    assert (job.enrolled, job.rows_done, job.rows_total) == (12, 12, 12)
    assert len(_tenant_enrollments(company)) == 12
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_import_process_chunk__run_twice__records_the_chunk_once(frozen_clock, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()
    job = _start(company, _csv(company, course, 3))

    assert job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=0) is True
    assert job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=0) is False

    job = import_selectors.import_job_get(job.job_id)
    assert (job.state, job.rows_done, job.chunks_done, job.enrolled) == ("RUNNING", 2, 1, 2)
    assert job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=1) is True
    assert import_selectors.import_job_get(job.job_id).state == "DONE"


def test_import_progress__reports_counts_rate_and_time_left(frozen_clock, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()
    job = _start(company, _csv(company, course, 4))
    frozen_clock.set(frozen_clock.start + timedelta(seconds=2))
    job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=0)

    progress = downloads.import_progress(job.job_id)

    assert {k: progress[k] for k in ("state", "total", "processed", "percent", "rows_per_second", "seconds_left")} == {
        "state": "RUNNING",
        "total": 4,
        "processed": 2,
        "percent": 50,
        "rows_per_second": 1.0,
        "seconds_left": 2,
    }
    assert progress["counts"]["enrolled"] == 2 and progress["finished"] is False
    json.dumps(progress)


def test_import_job_list__newest_first_with_counts(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    older = job_services.job_run_inline(IMPORT, job_id=_start(company, _csv(company, course, 1)).job_id)
    frozen_clock.set(frozen_clock.start + timedelta(minutes=1))
    newer = _start(company, _csv(company, course, 2))

    jobs = import_selectors.import_job_list(tenant_id=company.id)

    assert [(j.job_id, j.state, j.enrolled, j.author.name) for j in jobs] == [
        (newer.job_id, "RUNNING", 0, STAFF.name),
        (older.job_id, "DONE", 1, STAFF.name),
    ]


@pytest.fixture
def queue(settings):
    """A queue of this test alone on the shared Redis, emptied afterwards."""
    settings.IMPORTS_QUEUE = f"test-imports-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    yield client, settings.IMPORTS_QUEUE
    client.delete(settings.IMPORTS_QUEUE)


def _queued_chunks(client, name, job_id):
    """Return the chunks of one job queued (other tests' unfinished jobs are resumed too: the table is shared)."""
    queued = [json.loads(message)["headers"]["argsrepr"] for message in client.lrange(name, 0, -1)]
    return [args for args in queued if job_id in args]


def test_import_resume_stalled__running_job_without_progress__queues_only_its_missing_chunks(
    frozen_clock, settings, queue
):
    client, name = queue
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()
    job = _start(company, _csv(company, course, 5))
    job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=1)

    frozen_clock.set(frozen_clock.start + timedelta(seconds=settings.IMPORT_STALL_SECONDS - 1))
    assert job.job_id not in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))
    frozen_clock.set(frozen_clock.start + timedelta(seconds=settings.IMPORT_STALL_SECONDS + 1))
    assert job.job_id in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))

    assert sorted(_queued_chunks(client, name, job.job_id)) == [f"('import', '{job.job_id}', {n})" for n in (0, 2)]
    # Resuming moved the heartbeat: the next sweep waits a full period again.
    assert job.job_id not in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))


def test_import_resume_stalled__preparation_that_stopped__fails_the_job_and_forgets_the_file(frozen_clock, settings):
    company, course = make_company(billing="postpaid"), make_course()
    data = _csv(company, course, 2)
    job = _start(company, data)
    # As if the process died while storing the rows: the job never left PREPARING.
    job.update(actions=[job.__class__.state.set("PREPARING")])
    frozen_clock.set(frozen_clock.start + timedelta(seconds=settings.IMPORT_STALL_SECONDS + 1))

    assert job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT)) == [job.job_id]

    failed = import_selectors.import_job_get(job.job_id)
    assert failed.state == "FAILED" and "upload the file again" in failed.error
    assert job.job_id not in job_selectors.job_active_ids(IMPORT)
    assert import_selectors.import_for_file(tenant_id=company.id, file_hash=job.file_hash) is None


def test_import_start__long_invalid_rows__chunks_cut_by_bytes_under_the_item_limit(frozen_clock, settings):
    settings.IMPORT_CHUNK_ROWS = 200
    company, course = make_company(billing="postpaid"), make_course()
    # One good row and 199 rows whose every cell is as long as allowed, in 4-byte characters: ~1 MB in one chunk.
    wide = "\U0001f600" * settings.IMPORT_MAX_CELL_CHARS
    lines = ["nome;e-mail;cpf;curso", f"Ana;ana.{company.id}@example.com;;{course.id}"]
    lines += [f"{wide};{wide};{wide};{wide}"] * 199

    job = job_services.job_run_inline(IMPORT, job_id=_start(company, ("\n".join(lines) + "\n").encode()).job_id)

    assert job.state == "DONE" and job.chunks_total > 1
    assert (job.rows_done, job.enrolled, job.invalid) == (200, 1, 199)
    sizes = [
        len(json.dumps(chunk.rows, ensure_ascii=False).encode()) for chunk in import_selectors.import_chunks(job.job_id)
    ]
    assert len(sizes) == job.chunks_total and max(sizes) <= settings.IMPORT_CHUNK_BYTES


def test_import_start__preparation_fails__job_failed_and_the_file_can_be_imported_again(frozen_clock, settings):
    company, course = make_company(billing="postpaid"), make_course()
    # Names no compression shrinks much (about 14 bits a character): a chunk of them stays over 400 KB compressed.
    chars = random.Random(0)
    names = [
        "".join(chr(chars.randrange(0x4E00, 0xA000)) for _c in range(settings.IMPORT_MAX_CELL_CHARS))
        for _r in range(1200)
    ]
    data = _csv(company, course, 1) + "".join(f"{name};x{i};{course.id};\n" for i, name in enumerate(names)).encode()
    # Chunks as big as DynamoDB refuses (its items hold 400 KB): storing the rows fails half-way.
    settings.IMPORT_CHUNK_ROWS, settings.IMPORT_CHUNK_BYTES = 2000, 10_000_000

    with pytest.raises(StorageUnavailable):
        _start(company, data)

    [failed] = import_selectors.import_job_list(tenant_id=company.id)
    assert failed.state == "FAILED" and "upload the file again" in failed.error
    assert failed.job_id not in job_selectors.job_active_ids(IMPORT)
    settings.IMPORT_CHUNK_ROWS, settings.IMPORT_CHUNK_BYTES = 200, 200_000
    again = job_services.job_run_inline(IMPORT, job_id=_start(company, data).job_id)
    assert (again.state, again.rows_total, again.enrolled, again.invalid) == ("DONE", 1201, 1, 1200)


def test_import_start__same_job_id_twice__second_raises_already_started_and_makes_no_job(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    job_id = str(uuid.uuid4())
    first = _start(company, _csv(company, course, 3), job_id=job_id)

    with pytest.raises(ImportAlreadyStarted) as raised:
        _start(company, _csv(company, course, 3), job_id=job_id, allow_same_file=True)

    assert raised.value.job_id == first.job_id == job_id
    assert [job.job_id for job in import_selectors.import_job_list(tenant_id=company.id)] == [job_id]


def test_import_start__queue_down__job_waits_stored_and_the_sweep_queues_it_once(
    frozen_clock, settings, queue, broker_down
):
    client, name = queue
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()

    job = import_services.import_start(
        file=io.BytesIO(_csv(company, course, 5)),
        file_name="p.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )

    assert (job.state, job.queued_at, job.chunks_total) == ("RUNNING", None, 3)
    assert downloads.import_progress(job.job_id)["waiting"] is True
    # Still down: the sweep queues nothing, and the job keeps waiting.
    assert job.job_id not in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))
    assert import_selectors.import_job_get(job.job_id).queued_at is None


def test_import_resume_stalled__job_the_queue_did_not_take__queued_at_once_and_only_once(frozen_clock, settings, queue):
    client, name = queue
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()
    job = _start(company, _csv(company, course, 5))
    # As the queue outage leaves it: running, rows stored, nothing queued.
    job.update(actions=[job.__class__.queued_at.remove()])

    # Other tests' jobs share the table: look at this one's.
    assert job.job_id in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))
    assert job.job_id not in job_services.job_resume_stalled(IMPORT, enqueue=enqueue_for(IMPORT))

    assert sorted(_queued_chunks(client, name, job.job_id)) == [f"('import', '{job.job_id}', {n})" for n in range(3)]
    assert import_selectors.import_job_get(job.job_id).queued_at is not None
    assert downloads.import_progress(job.job_id)["waiting"] is False


def test_import_chunk_task__retries_span_twenty_minutes_without_jitter():
    from celery.utils.time import get_exponential_backoff_interval

    from enrollments.jobs.tasks import job_chunk as import_chunk

    assert import_chunk.retry_jitter is False
    delays = [
        get_exponential_backoff_interval(import_chunk.retry_backoff, retries, import_chunk.retry_backoff_max, False)
        for retries in range(import_chunk.max_retries)
    ]
    assert sum(delays) >= 20 * 60 and max(delays) <= 300

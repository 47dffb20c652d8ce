"""Bulk cancels against DynamoDB Local: each enrollment canceled once, seats back, refusals with why, one job a token."""

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.dynamo import keys
from enrollments.dynamo.models import BulkCancelResultItem
from enrollments.exceptions import BulkCancelAlreadyStarted, InvalidEnrollmentData, NotCancelable, QueueUnavailable
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import selectors as job_selectors
from enrollments.jobs import services as job_services
from enrollments.services import cancel, enroll, record_access
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person

pytestmark = pytest.mark.django_db


def run_here(job_id, numbers):
    """An ``Enqueue`` that runs each chunk at once, in this process."""
    for number in numbers:
        job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=number)


def _enroll(company, course, count):
    return [
        enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(count)
    ]


def _cancel_events(enrollment_id):
    return [event for event in selectors.enrollment_partition(enrollment_id).audit if event.action == "CANCELED"]


def test_bulk_cancel__selected__cancels_each_once_seats_back_audited_and_refusals_say_why(settings):
    settings.ENROLL_SEAT_ATTEMPTS = 8
    company, course = make_company(), make_course()
    make_order(company, course, seats=5)
    fresh = _enroll(company, course, 3)
    accessed, canceled = _enroll(company, course, 2)
    record_access(enrollment_id=accessed)
    cancel(enrollment_id=canceled, reason="Earlier", author=STAFF)
    job_id = str(uuid.uuid4())

    job = services.bulk_cancel_start(
        job_id=job_id,
        enrollment_ids=[*fresh, accessed, canceled, fresh[0]],
        reason="Wrong company",
        author=STAFF,
        enqueue=run_here,
    )

    job = bulk_selectors.bulk_cancel_get(job.job_id)
    assert (job.state, job.total, job.done, job.canceled, job.refused) == ("DONE", 5, 5, 3, 2)
    results = {row.enrollment_id: (row.result, row.message) for row in bulk_selectors.bulk_cancel_results(job_id)}
    assert {enrollment_id: results[enrollment_id][0] for enrollment_id in fresh} == dict.fromkeys(fresh, "canceled")
    assert results[accessed] == (
        "refused",
        f"Enrollment {accessed} can no longer be canceled: the learner has already accessed the course.",
    )
    assert results[canceled] == ("refused", f"Enrollment {canceled} is already canceled.")
    for enrollment_id in fresh:
        events = _cancel_events(enrollment_id)
        assert len(events) == 1 and events[0].reason == "Wrong company"
    assert selectors.enrollment_partition(accessed).enrollment.status == "IN_PROGRESS"
    # Five seats: three given back by the bulk cancel, one by the earlier cancel; the accessed one keeps its seat.
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 4
    assert bulk_selectors.bulk_cancel_progress(job_id)["percent"] == 100


def test_bulk_cancel__results__carry_the_person_and_course_of_each_canceled_and_refused_enrollment():
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    people = [make_person(cpf=make_cpf(formatted=False)), make_person()]
    fresh, canceled = (
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF).id for person in people
    )
    cancel(enrollment_id=canceled, reason="Earlier", author=STAFF)
    job_id = str(uuid.uuid4())

    services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=[fresh, canceled, "no-such-id"], reason="Why", author=STAFF, enqueue=run_here
    )

    named = [
        (row.enrollment_id, row.result, row.name, row.email, row.cpf, row.course)
        for row in bulk_selectors.bulk_cancel_results(job_id)
    ]
    assert named == [
        (fresh, "canceled", people[0].name, people[0].email, people[0].cpf, course.name),
        (canceled, "refused", people[1].name, people[1].email, None, course.name),
        ("no-such-id", "refused", None, None, None, None),
    ]


def test_bulk_cancel_results__rows_stored_before_names__read_with_the_id_only():
    job_id = str(uuid.uuid4())
    BulkCancelResultItem(
        *keys.bulk_cancel_result(job_id, 0),
        created_at="2026-01-01T00:00:00Z",
        rows=[["e1", "canceled", ""], ["e2", "refused", "Enrollment e2 is already canceled."]],
    ).save()

    rows = list(bulk_selectors.bulk_cancel_results(job_id))

    assert rows == [
        bulk_selectors.BulkCancelResult(enrollment_id="e1", result="canceled", message=""),
        bulk_selectors.BulkCancelResult(
            enrollment_id="e2", result="refused", message="Enrollment e2 is already canceled."
        ),
    ]
    assert rows[0].canceled and not rows[1].canceled and rows[0].name is None


def test_bulk_cancel__same_token_twice__one_job_and_a_chunk_recorded_once():
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    ids = _enroll(company, course, 2)
    job_id = str(uuid.uuid4())
    queued = []

    services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=ids, reason="Twice", author=STAFF, enqueue=lambda j, n: queued.append(list(n))
    )
    with pytest.raises(BulkCancelAlreadyStarted):
        services.bulk_cancel_start(
            job_id=job_id, enrollment_ids=ids, reason="Twice", author=STAFF, enqueue=lambda j, n: queued.append(list(n))
        )
    assert queued == [[0]]
    assert job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=0) is True
    assert job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=0) is False

    job = bulk_selectors.bulk_cancel_get(job_id)
    assert (job.state, job.canceled, job.refused) == ("DONE", 2, 0)
    assert [len(_cancel_events(enrollment_id)) for enrollment_id in ids] == [1, 1]


def test_bulk_cancel__without_reason_or_enrollments__raises_invalid_data():
    with pytest.raises(InvalidEnrollmentData):
        services.bulk_cancel_start(
            job_id=str(uuid.uuid4()), enrollment_ids=["x"], reason=" ", author=STAFF, enqueue=run_here
        )
    with pytest.raises(InvalidEnrollmentData):
        services.bulk_cancel_start(
            job_id=str(uuid.uuid4()), enrollment_ids=[], reason="Why", author=STAFF, enqueue=run_here
        )


def test_bulk_cancel__unknown_enrollment__refused_with_why():
    job_id = str(uuid.uuid4())
    services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=["no-such-id"], reason="Why", author=STAFF, enqueue=run_here
    )

    [row] = list(bulk_selectors.bulk_cancel_results(job_id))
    assert (row.enrollment_id, row.result, row.name, row.course) == ("no-such-id", "refused", None, None)
    assert row.message


def test_bulk_cancel__of_an_import__its_enrolled_rows_only(settings):
    company, course = make_company(), make_course()
    make_order(company, course, seats=3)
    before = _enroll(company, course, 1)[0]
    email = selectors.enrollment_partition(before).enrollment.user.email
    csv = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\nBia;bia.{company.id}@example.com;{course.id}\n"
    job = import_services.import_start(
        file=io.BytesIO(csv.encode()), file_name="a.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)

    ids = bulk_selectors.import_enrollment_ids(job.job_id)

    assert len(ids) == 2 and before not in ids and bulk_selectors.import_is_done(job.job_id)
    assert all(selectors.enrollment_partition(i).enrollment.user.email != email for i in ids)


def test_bulk_cancel_and_single_cancel_at_once__one_refund_each(settings):
    settings.ENROLL_SEAT_ATTEMPTS = 8
    company, course = make_company(), make_course()
    make_order(company, course, seats=6)
    ids = _enroll(company, course, 6)
    job_id = str(uuid.uuid4())
    services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=ids, reason="Bulk", author=STAFF, enqueue=lambda j, n: None
    )

    def single(enrollment_id):
        try:
            cancel(enrollment_id=enrollment_id, reason="Single", author=STAFF)
            return 1
        except NotCancelable:
            return 0

    with ThreadPoolExecutor(4) as pool:
        chunk = pool.submit(job_services.job_process_chunk, BULK_CANCEL, job_id=job_id, number=0)
        singles = sum(pool.map(single, ids))
        chunk.result()

    job = bulk_selectors.bulk_cancel_get(job_id)
    assert job.canceled + singles == 6 and job.refused == 6 - job.canceled
    assert [len(_cancel_events(enrollment_id)) for enrollment_id in ids] == [1] * 6
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 6


def queue_down(_job_id, _numbers):
    """An ``Enqueue`` whose broker does not answer."""
    raise QueueUnavailable("broker down")


def test_bulk_cancel__queue_down__job_waits_not_queued_and_the_first_sweep_after_the_queue_answers_queues_it(
    frozen_clock,
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    ids = _enroll(company, course, 2)
    job_id = str(uuid.uuid4())

    job = services.bulk_cancel_start(job_id=job_id, enrollment_ids=ids, reason="Why", author=STAFF, enqueue=queue_down)
    assert (job.state, job.queued_at) == ("RUNNING", None) and job_id in job_selectors.job_active_ids(BULK_CANCEL)
    assert bulk_selectors.bulk_cancel_progress(job_id)["waiting"] is True
    # Still down: the sweep queues nothing, and the job keeps waiting.
    assert job_id not in job_services.job_resume_stalled(BULK_CANCEL, enqueue=queue_down)
    assert bulk_selectors.bulk_cancel_get(job_id).queued_at is None

    # The queue answers: the next sweep queues it, without waiting for the stall period.
    assert job_id in job_services.job_resume_stalled(BULK_CANCEL, enqueue=run_here)

    job = bulk_selectors.bulk_cancel_get(job_id)
    assert (job.state, job.canceled) == ("DONE", 2) and job.queued_at is not None
    assert bulk_selectors.bulk_cancel_progress(job_id)["waiting"] is False
    assert job_id not in job_selectors.job_active_ids(BULK_CANCEL)
    assert job_id not in job_services.job_resume_stalled(BULK_CANCEL, enqueue=run_here, stalled_after=timedelta(0))


def test_bulk_cancel_resume_stalled__queued_job_without_progress__queued_again_after_the_stall_period_once(
    frozen_clock, settings
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    ids = _enroll(company, course, 2)
    job_id = str(uuid.uuid4())
    # The broker took the chunks and lost them (a worker killed, a broker restarted without its data).
    job = services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=ids, reason="Why", author=STAFF, enqueue=lambda _job_id, _numbers: None
    )
    assert job.queued_at is not None

    frozen_clock.set(frozen_clock.now + timedelta(seconds=settings.IMPORT_STALL_SECONDS - 1))
    assert job_id not in job_services.job_resume_stalled(BULK_CANCEL, enqueue=queue_down)
    frozen_clock.set(frozen_clock.now + timedelta(seconds=2))
    # Stalled while the broker is down: marked not queued, so the first sweep after it answers queues it.
    assert job_id not in job_services.job_resume_stalled(BULK_CANCEL, enqueue=queue_down)
    assert bulk_selectors.bulk_cancel_get(job_id).queued_at is None
    assert job_id in job_services.job_resume_stalled(BULK_CANCEL, enqueue=run_here)
    assert job_id not in job_services.job_resume_stalled(BULK_CANCEL, enqueue=run_here)

    assert bulk_selectors.bulk_cancel_get(job_id).state == "DONE"


def test_bulk_cancel__chunk_retried_after_its_first_run_canceled_some__counts_them_canceled_by_the_job():
    company, course = make_company(), make_course()
    make_order(company, course, seats=3)
    first_run, untouched, by_someone_else = _enroll(company, course, 3)
    cancel(enrollment_id=by_someone_else, reason="Earlier", author=STAFF)
    job_id = str(uuid.uuid4())
    job = services.bulk_cancel_start(
        job_id=job_id,
        enrollment_ids=[first_run, untouched, by_someone_else],
        reason="Wrong company",
        author=STAFF,
        enqueue=lambda _job_id, _numbers: None,
    )
    # What a first run that died before recording its chunk leaves: one enrollment canceled by the job.
    cancel(
        enrollment_id=first_run,
        reason=job.reason,
        author=STAFF,
        source=bulk_selectors.bulk_cancel_source(job_id),
    )

    run_here(job_id, [0])

    job = bulk_selectors.bulk_cancel_get(job_id)
    assert (job.state, job.canceled, job.refused) == ("DONE", 2, 1)
    results = {row.enrollment_id: (row.result, row.message) for row in bulk_selectors.bulk_cancel_results(job_id)}
    assert results[first_run] == ("canceled", "") and results[untouched] == ("canceled", "")
    assert results[by_someone_else] == ("refused", f"Enrollment {by_someone_else} is already canceled.")
    assert [len(_cancel_events(enrollment_id)) for enrollment_id in (first_run, untouched)] == [1, 1]

"""Renewals against DynamoDB Local with the clock frozen: one person renewed (seat, audit, welcome), refusals as
domain errors, the job renewing each once with exact seats, two jobs and a chunk run twice renewing nobody twice."""

import uuid

import pytest

from enrollments import rules, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import RenewalChunkItem
from enrollments.exceptions import InvalidEnrollmentData, RenewalAlreadyStarted, RenewalRefused
from enrollments.jobs import services as job_services
from enrollments.renewals import selectors as renewals
from enrollments.renewals import services
from enrollments.renewals.kind import RENEWAL
from enrollments.services import Author, cancel, course_create, enroll
from enrollments.services.emails import lifecycle_email_render
from enrollments.tests.factories import STAFF, make_company, make_order, make_person
from enrollments.tests.renewal_support import certificate, keep, run_here

pytestmark = pytest.mark.django_db


def _course(window: int = 60, name: str = "NR-35"):
    return course_create(name=name, access_period_days=90, certificate_validity_days=730, renewal_window_days=window)


def _renewal_events(enrollment_id: str) -> list:
    return [event for event in selectors.enrollment_partition(enrollment_id).audit if event.action == "ENROLLED"]


def test_renewal_enroll__due__a_new_enrollment_that_renews_it_seat_audit_and_welcome(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="prepaid"), _course()
    make_order(company, course, seats=2)
    renewed = certificate(company, course, now=now, expires_in=10)

    renewal = services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    assert renewal.id == rules.renewal_enrollment_id(renewed.id) and renewal.renews == renewed.id
    assert (renewal.status, renewal.tenant_id, renewal.course.id) == (rules.PENDING, company.id, course.id)
    assert (renewal.user.email, renewal.user.cpf) == (renewed.user.email, renewed.user.cpf)
    partition = selectors.enrollment_partition(renewal.id)
    assert partition.parent_vacancy is not None  # a seat of the company's order
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    [event] = _renewal_events(renewal.id)
    assert (event.author.id, event.source, event.detail) == (STAFF.id, "renewal:test", f"renews {renewed.id}")
    assert rules.WELCOME in {record.event for record in partition.schedules}
    assert selectors.enrollment_get(renewed.id).status == rules.COMPLETED  # the certificate stays as it was


@pytest.mark.parametrize(
    "language, subject, words",
    [
        ("en", "NR-35: refresher training to renew your certificate", "Start the refresher training"),
        ("pt-br", "NR-35: reciclagem para renovar o seu certificado", "Começar a reciclagem"),
    ],
)
def test_renewal_enroll__welcome_email_worded_for_a_refresher_training(frozen_clock, language, subject, words):
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)
    renewal = services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")
    welcome = next(r for r in selectors.enrollment_partition(renewal.id).schedules if r.event == rules.WELCOME)
    plain = next(r for r in selectors.enrollment_partition(renewed.id).schedules if r.event == rules.WELCOME)

    email = lifecycle_email_render(record=welcome, enrollment=renewal, language=language)
    first = lifecycle_email_render(record=plain, enrollment=selectors.enrollment_get(renewed.id), language=language)

    assert email.subject == subject and first.subject != subject
    assert words in email.text and f">{words}</a>" in email.html
    again = "novamente" if language == "pt-br" else "again"
    assert again in email.text and again not in first.text


def test_renewal_enroll__not_due__refused_nothing_written(frozen_clock):
    company, course = make_company(billing="postpaid"), _course(window=30)
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=31)

    with pytest.raises(RenewalRefused) as raised:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    assert raised.value.reason == rules.NOT_DUE and "Not due yet" in raised.value.message
    assert not _renewal_made(renewed)


def _renewal_made(renewed) -> bool:
    try:
        selectors.enrollment_get(rules.renewal_enrollment_id(renewed.id))
    except Exception:
        return False
    return True


def test_renewal_enroll__twice_or_after_its_renewal_was_canceled__already_renewed_naming_the_renewal(frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)
    renewal = services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    with pytest.raises(RenewalRefused) as twice:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")
    cancel(enrollment_id=renewal.id, reason="Not now", author=STAFF)
    with pytest.raises(RenewalRefused) as after_cancel:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    for raised in (twice, after_cancel):
        assert (raised.value.reason, raised.value.enrollment_id) == (rules.ALREADY_RENEWED, renewal.id)
    assert [e.status for e in selectors.company_enrollments(company.id)] == [rules.CANCELED, rules.COMPLETED]


def test_renewal_enroll__prepaid_without_a_seat__no_seat_nothing_written(frozen_clock):
    company, course = make_company(billing="prepaid"), _course()
    make_order(company, course, seats=1)
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)

    with pytest.raises(RenewalRefused) as raised:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    assert raised.value.reason == rules.NO_SEAT and not _renewal_made(renewed)


def test_renewal_enroll__an_active_enrollment_elsewhere_in_the_course__active_enrollment(frozen_clock):
    course = _course()
    company, elsewhere = make_company(billing="postpaid"), make_company(billing="postpaid")
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)
    person = make_person(name=renewed.user.name, email=renewed.user.email, cpf=renewed.user.cpf)
    active = enroll(tenant_id=elsewhere.id, course_id=course.id, user=person, author=STAFF)

    with pytest.raises(RenewalRefused) as raised:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    assert (raised.value.reason, raised.value.enrollment_id) == (rules.ACTIVE_ENROLLMENT, active.id)


# The job.


def _rows(job_id: str) -> dict:
    return {line.certificate_id: line for line in renewals.result_lines(job_id)}


def test_renewal_job__renews_each_due_once_seats_exact_others_refused_with_why(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="prepaid"), _course()
    make_order(company, course, seats=4)
    due = [certificate(company, course, now=now, expires_in=days) for days in (3, 7, 12)]
    short = certificate(company, course, now=now, expires_in=20)
    make_order(company, course, seats=3)
    job_id = str(uuid.uuid4())

    job = services.renewal_start(
        job_id=job_id,
        tenant_id=company.id,
        course_id=course.id,
        bucket=rules.EXPIRING_30,
        author=STAFF,
        enqueue=run_here,
    )

    job = renewals.renewal_get(job.job_id)
    assert (job.state, job.total, job.done, job.renewed, job.refused) == ("DONE", 4, 4, 3, 1)
    rows = _rows(job_id)
    for renewed in due:
        line = rows[renewed.id]
        assert (line.result, line.enrollment_id) == ("renewed", rules.renewal_enrollment_id(renewed.id))
        assert (line.name, line.course, line.expires_at) == (renewed.user.name, "NR-35", renewed.certificate_expires_at)
        renewal = selectors.enrollment_get(line.enrollment_id)
        assert (renewal.renews, renewal.source) == (renewed.id, f"renewal:{job_id}")
        assert renewal.created_by.id == STAFF.id
    assert (rows[short.id].result, rows[short.id].enrollment_id) == (rules.NO_SEAT, None)
    assert rows[short.id].result_label == "No seat left (buy seats for the course)"
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    assert renewals.renewal_progress(job_id)["percent"] == 100


def test_renewal_job__run_again_from_the_report__every_row_already_renewed_nobody_twice(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course()
    people = [certificate(company, course, now=now, expires_in=days) for days in (5, 50)]
    first = services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=run_here)

    second = services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=run_here)

    first, second = renewals.renewal_get(first.job_id), renewals.renewal_get(second.job_id)
    assert (first.renewed, first.refused, second.renewed, second.refused) == (2, 0, 0, 2)
    assert {line.result for line in renewals.result_lines(second.job_id)} == {rules.ALREADY_RENEWED}
    for renewed in people:
        renewal_id = rules.renewal_enrollment_id(renewed.id)
        assert _rows(second.job_id)[renewed.id].enrollment_id == renewal_id
        assert len(_renewal_events(renewal_id)) == 1
    assert len(list(selectors.company_enrollments(company.id))) == 4


def test_renewal_job__two_jobs_over_the_same_people_at_once__each_renewed_by_one_of_them(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="prepaid"), _course()
    make_order(company, course, seats=30)
    people = [certificate(company, course, now=now, expires_in=days % 60) for days in range(30)]
    make_order(company, course, seats=40)
    queued: list = []
    jobs = [
        services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=keep(queued))
        for _ in range(2)
    ]
    assert [job.total for job in jobs] == [30, 30] and [len(numbers) for _job, numbers in queued] == [2, 2]

    # Their chunks interleaved, as two workers would take them.
    for number in (0, 1):
        for job in jobs:
            job_services.job_process_chunk(RENEWAL, job_id=job.job_id, number=number)

    done = [renewals.renewal_get(job.job_id) for job in jobs]
    assert [job.state for job in done] == ["DONE", "DONE"]
    assert sum(job.renewed for job in done) == 30 and sum(job.refused for job in done) == 30
    for renewed in people:
        results = [_rows(job.job_id)[renewed.id].result for job in done]
        assert sorted(results) == [rules.ALREADY_RENEWED, "renewed"]
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 10


def test_renewal_job__a_chunk_run_again_after_its_renewals__counts_them_as_its_own_renews_nobody_twice(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course()
    people = [certificate(company, course, now=now, expires_in=days) for days in (1, 2)]
    job = services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=keep([]))
    job = renewals.renewal_get(job.job_id)
    chunk = RenewalChunkItem.get(*keys.renewal_chunk(job.job_id, 0))

    first, _counts = services.renewal_chunk_results(job, chunk, final_attempt=False)
    # The worker died before recording them: the task runs the chunk again.
    again, counts = services.renewal_chunk_results(job, chunk, final_attempt=False)

    assert [row[5] for row in first] == [row[5] for row in again] == ["renewed", "renewed"]
    assert counts == {"renewed": 2}
    for renewed in people:
        assert len(_renewal_events(rules.renewal_enrollment_id(renewed.id))) == 1


def test_renewal_start__same_token_twice__one_job(frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    certificate(company, course, now=frozen_clock.now, expires_in=10)
    job_id, queued = str(uuid.uuid4()), []

    services.renewal_start(job_id=job_id, tenant_id=company.id, author=STAFF, enqueue=keep(queued))
    with pytest.raises(RenewalAlreadyStarted):
        services.renewal_start(job_id=job_id, tenant_id=company.id, author=STAFF, enqueue=keep(queued))

    assert queued == [(job_id, [0])]


def test_renewal_start__nobody_due__refused_no_job(frozen_clock):
    company, course = make_company(billing="postpaid"), _course(window=10)
    certificate(company, course, now=frozen_clock.now, expires_in=30)
    job_id = str(uuid.uuid4())

    with pytest.raises(InvalidEnrollmentData):
        services.renewal_start(job_id=job_id, tenant_id=company.id, author=STAFF, enqueue=keep([]))

    assert job_id not in {job.job_id for job in renewals.renewal_list(limit=50)}


def test_renewal_start__written_by_the_staff_member__in_the_list_and_the_renewals_by_the_job_s_author(frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=-1)
    staff = Author(id="42", name="Ana Staff", email="ana@example.com", staff=True)

    job = services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=staff, enqueue=run_here)

    assert job.job_id in {listed.job_id for listed in renewals.renewal_list(limit=50)}
    [event] = _renewal_events(rules.renewal_enrollment_id(renewed.id))
    # The job is the staff member's action (recent actions); each enrollment it makes is not one of them.
    assert event.author.id == "42" and not event.author.staff and event.recent_sk is None


def test_renewal_enroll__retired_course__refused_as_retired_nothing_written(frozen_clock):
    from enrollments.services.catalog import course_retire

    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)
    course_retire(course_id=course.id, author=STAFF)

    with pytest.raises(RenewalRefused) as refused:
        services.renewal_enroll(renewed=renewed, author=STAFF, source="renewal:test")

    assert refused.value.reason == rules.COURSE_RETIRED
    assert not renewals.renewal_exists(renewed.id)

"""Automatic renewal end to end, in this process, against DynamoDB Local and Redis with the clock frozen at each
step: the renewal window record of a completion, the scheduler's tick on its day (renewed, pending without a seat,
skipped, postponed), seats that arrive, the pending list, a canceled renewal, and the backfill of older
certificates."""

import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.management import call_command

from enrollments import clock, rules, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import LifecycleRecordItem, RenewalPendingItem
from enrollments.renewals import automatic, pending
from enrollments.renewals import services as renewal_services
from enrollments.renewals.tasks import renew_pending
from enrollments.services import Author, cancel, enroll
from enrollments.services.catalog import course_update
from enrollments.services.common import SYSTEM
from enrollments.tests.auto_renewal_support import (
    auto_renew,
    pending_ids,
    renewal_of,
    renewing_company,
    window_record,
    windowed_course,
)
from enrollments.tests.factories import STAFF, make_company, make_order, make_person
from enrollments.tests.lifecycle_support import audit_actions
from enrollments.tests.renewal_support import certificate, run_here

pytestmark = pytest.mark.django_db

# Certificates complete at the window's start and expire 100 days later; a 45-day window opens on day 55.
EXPIRES_IN = 100
WINDOW = 45
OPENS = EXPIRES_IN - WINDOW


def _certificate(company, course, t, *, expires_in: float = EXPIRES_IN, person=None):
    return certificate(company, course, now=t.start, expires_in=expires_in, completed_days_ago=0, person=person)


def _day(t, days: float):
    return t.start + timedelta(days=days)


def _window_keys(*certificates) -> set:
    return {(c.id, keys.SCHEDULE_PREFIX + rules.RENEWAL_WINDOW) for c in certificates}


def _handed_out(t, at) -> set:
    handed = set()
    t.tick(at, dispatch=lambda batch: handed.update(tuple(key) for key in batch))
    return handed


def test_completion__renewal_window_record__due_when_the_course_s_window_opens_and_found_on_that_day(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(), windowed_course(WINDOW)
    cert = _certificate(company, course, t)

    record = window_record(cert)

    assert (record.state, record.due_at, record.scheduled_for) == (
        rules.RECORD_PENDING,
        clock.to_iso(_day(t, OPENS)),
        clock.to_iso(_day(t, OPENS)),
    )
    assert record.due_shard.startswith(_day(t, OPENS).date().isoformat())  # in the sparse due index
    # The tick reads the due index: not handed out a minute before the window opens, handed out at that moment.
    assert not _window_keys(cert) & _handed_out(t, _day(t, OPENS) - timedelta(minutes=1))
    assert _window_keys(cert) <= _handed_out(t, _day(t, OPENS))


def test_tick_on_the_window_day__postpaid_auto_renew__renews_once_worded_for_a_renewal(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)

    t.tick(_day(t, OPENS) - timedelta(hours=1))
    assert renewal_of(cert) is None
    t.tick(_day(t, OPENS))
    t.tick(_day(t, OPENS) + timedelta(hours=1))
    t.tick(_day(t, OPENS + 3))

    renewal = renewal_of(cert)
    assert (renewal.renews, renewal.status, renewal.source) == (cert.id, rules.PENDING, automatic.AUTO_RENEWAL_SOURCE)
    assert (renewal.tenant_id, renewal.course.id, renewal.user.email) == (company.id, course.id, cert.user.email)
    assert renewal.created_by.id == SYSTEM.id and renewal.created_at == clock.to_iso(_day(t, OPENS))
    record = window_record(cert)
    assert (record.state, record.due_shard, record.attempts) == (rules.RECORD_SENT, None, 1)
    assert audit_actions(cert.id)[-1] == automatic.AUTO_RENEWED
    renewed_events = [e for e in selectors.enrollment_partition(cert.id).audit if e.action == automatic.AUTO_RENEWED]
    assert [e.detail for e in renewed_events] == [f"renewed by {renewal.id}"]
    # Only one enrollment renews the certificate: the company has the certificate and its renewal.
    assert sorted(e.id for e in selectors.company_enrollments(company.id)) == sorted([cert.id, renewal.id])
    assert t.outcomes["done"] == 1


def test_tick_on_the_window_day__prepaid_without_a_seat__listed_as_pending_then_renewed_when_seats_arrive(
    lifecycle_time, workers
):
    t = lifecycle_time
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=1)  # the certificate's own seat
    cert = _certificate(company, course, t)

    t.tick(_day(t, OPENS))

    assert renewal_of(cert) is None
    record = window_record(cert)
    assert (record.state, record.skip_reason) == (rules.RECORD_SENT, "not renewed: no_seat")
    [item] = pending.renewals_pending(company.id)
    assert (item.renewed_id, item.course_id, item.user.cpf) == (cert.id, course.id, cert.user.cpf)
    assert (item.certificate_expires_at, item.created_at) == (cert.certificate_expires_at, clock.to_iso(_day(t, OPENS)))
    assert audit_actions(cert.id)[-1] == automatic.RENEWAL_PENDING
    assert pending.renewals_pending_counts(company.id) == {course.id: 1}

    # Seats arrive: the order queues the renewal of the people waiting (here on this test's own queue, read below).
    t.set(_day(t, OPENS + 2))
    make_order(company, course, seats=1)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert broker.llen(workers.queue) == 1
    assert renew_pending(company.id, course.id) == {"renewed": 1}  # the task's work, run here

    renewal = renewal_of(cert)
    assert renewal.renews == cert.id and renewal.created_at == clock.to_iso(_day(t, OPENS + 2))
    assert pending_ids(company) == [] and selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    assert selectors.enrollment_partition(renewal.id).parent_vacancy is not None


def test_seats_arrive__fewer_than_pending__the_soonest_expiries_renewed_seats_exact_the_rest_wait(
    lifecycle_time, workers
):
    t = lifecycle_time
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=3)
    certs = [_certificate(company, course, t, expires_in=EXPIRES_IN + days) for days in (2, 0, 1)]
    t.tick(_day(t, OPENS + 2))
    assert sorted(pending_ids(company)) == sorted(c.id for c in certs)
    assert pending_ids(company) == [certs[1].id, certs[2].id, certs[0].id]  # soonest expiry first

    make_order(company, course, seats=2)
    counts = automatic.renewals_pending_on_seats(tenant_id=company.id, course_id=course.id)

    assert counts == {"renewed": 2, rules.NO_SEAT: 1}
    assert [renewal_of(c) is not None for c in certs] == [False, True, True]
    assert pending_ids(company) == [certs[0].id]
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_company_without_auto_renew__record_skipped_with_the_reason_nobody_renewed_nor_pending(lifecycle_time):
    t = lifecycle_time
    course, other = windowed_course(WINDOW), windowed_course(WINDOW)
    off = make_company(billing="postpaid")
    limited = renewing_company(billing="postpaid", courses=[other.id])
    certs = [_certificate(off, course, t), _certificate(limited, course, t), _certificate(limited, other, t)]

    t.tick(_day(t, OPENS))

    reasons = [(window_record(c).state, window_record(c).skip_reason) for c in certs]
    assert reasons == [
        (rules.RECORD_SKIPPED, automatic.NOT_AUTO_RENEWED),
        (rules.RECORD_SKIPPED, automatic.COURSE_NOT_AUTO_RENEWED),
        (rules.RECORD_SENT, None),
    ]
    assert [renewal_of(c) is not None for c in certs] == [False, False, True]
    assert audit_actions(certs[0].id)[-1] == automatic.RENEWAL_SKIPPED
    assert pending_ids(off) == pending_ids(limited) == []


def test_auto_renew_turned_on_after_the_window_opened__that_certificate_is_left_to_the_report(lifecycle_time):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)
    t.tick(_day(t, OPENS))

    auto_renew(selectors.company_get(company.id), on=True)
    t.tick(_day(t, OPENS + 1))

    assert renewal_of(cert) is None and window_record(cert).state == rules.RECORD_SKIPPED


def test_renewal_canceled__no_new_renewal_by_itself_on_later_ticks(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)
    t.tick(_day(t, OPENS))
    renewal = renewal_of(cert)

    t.set(_day(t, OPENS + 1))
    cancel(enrollment_id=renewal.id, reason="Wrong person", author=STAFF, notify_learner=False)
    for day in (OPENS + 2, OPENS + 30, EXPIRES_IN + 1):
        t.tick(_day(t, day))

    assert [e.id for e in selectors.company_enrollments(company.id)] == [renewal.id, cert.id]
    assert selectors.enrollment_get(renewal.id).status == rules.CANCELED
    assert selectors.enrollment_get(cert.id).status == rules.ARCHIVED  # expired meanwhile, not renewed again
    assert window_record(cert).state == rules.RECORD_SENT
    assert audit_actions(cert.id).count(automatic.AUTO_RENEWED) == 1


def test_record_run_again_after_its_renewal_was_written__done_once_with_the_same_renewal(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)
    t.set(_day(t, OPENS))
    # An earlier claim renewed the person and died before marking its record.
    made = renewal_services.renewal_enroll(renewed=cert, author=SYSTEM, source=automatic.AUTO_RENEWAL_SOURCE)

    t.tick(_day(t, OPENS) + timedelta(minutes=1))

    assert renewal_of(cert).id == made.id and window_record(cert).state == rules.RECORD_SENT
    assert audit_actions(cert.id)[-1] == automatic.AUTO_RENEWED
    assert len(list(selectors.company_enrollments(company.id))) == 2


def test_renewed_by_the_report_s_job_before_the_record__record_skipped_as_already_renewed(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)
    # The window opened a minute ago; staff renew from the report before the next tick fires the record.
    t.set(_day(t, OPENS) + timedelta(minutes=1))
    renewal_services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=run_here)
    job_renewal = renewal_of(cert)

    t.tick(_day(t, OPENS) + timedelta(minutes=2))

    record = window_record(cert)
    assert (record.state, record.skip_reason) == (rules.RECORD_SKIPPED, "not renewed: already_renewed")
    assert renewal_of(cert).id == job_renewal.id and job_renewal.source.startswith("renewal:")


def test_window_shrank_since_completion__record_due_again_when_the_window_opens_now(lifecycle_time):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = _certificate(company, course, t)
    course_update(
        course_id=course.id,
        name=course.name,
        access_period_days=90,
        certificate_validity_days=730,
        revision=0,
        author=STAFF,
        renewal_window_days=30,
    )

    t.tick(_day(t, OPENS))

    record = window_record(cert)
    assert (record.state, record.due_at) == (rules.RECORD_PENDING, clock.to_iso(_day(t, EXPIRES_IN - 30)))
    assert renewal_of(cert) is None and audit_actions(cert.id)[-1] == automatic.RENEWAL_POSTPONED
    t.tick(_day(t, EXPIRES_IN - 30) - timedelta(minutes=1))
    assert renewal_of(cert) is None
    t.tick(_day(t, EXPIRES_IN - 30))
    assert renewal_of(cert) is not None and window_record(cert).state == rules.RECORD_SENT


def test_renewed_by_a_job__its_pending_item_goes_in_the_renewing_transaction(lifecycle_time, workers):
    t = lifecycle_time
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=1)
    cert = _certificate(company, course, t)
    t.tick(_day(t, OPENS))
    assert pending_ids(company) == [cert.id]
    t.set(_day(t, OPENS + 1))
    make_order(company, course, seats=1)  # its queued task is not run here: the report's job renews first

    renewal_services.renewal_start(job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=run_here)

    assert renewal_of(cert) is not None and pending_ids(company) == []


def test_renew_pending__person_enrolled_again_otherwise__no_longer_pending_with_an_audit_event(lifecycle_time, workers):
    t = lifecycle_time
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=1)
    cert = _certificate(company, course, t)
    t.tick(_day(t, OPENS))
    t.set(_day(t, OPENS + 1))
    make_order(company, course, seats=2)
    person = make_person(name=cert.user.name, email=cert.user.email, cpf=cert.user.cpf)
    active = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)

    outcome = automatic.renewals_pending_renew(tenant_id=company.id, author=STAFF)

    [result] = outcome.results
    assert (result.result, result.enrollment_id, result.pending) == (rules.ACTIVE_ENROLLMENT, active.id, False)
    assert pending_ids(company) == [] and renewal_of(cert) is None
    assert audit_actions(cert.id)[-1] == automatic.RENEWAL_PENDING_DROPPED


def test_renew_pending__twice__renews_each_once_the_second_finds_nobody(lifecycle_time, workers):
    t = lifecycle_time
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=2)
    certs = [_certificate(company, course, t) for _ in range(2)]
    t.tick(_day(t, OPENS))
    t.set(_day(t, OPENS + 1))
    make_order(company, course, seats=5)
    author = Author(id="7", name="Staff Seven", staff=True)

    first = automatic.renewals_pending_renew(tenant_id=company.id, author=author, renewed_ids=[certs[0].id])
    second = automatic.renewals_pending_renew(tenant_id=company.id, author=author, renewed_ids=[certs[0].id])

    assert first.counts() == {"renewed": 1} and second.counts() == {}
    assert renewal_of(certs[0]).created_by.id == "7" and renewal_of(certs[1]) is None
    assert pending_ids(company) == [certs[1].id]
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 4


# The backfill of certificates completed before the records existed. Orders above run with ``workers`` for its
# queue of this test alone: the renewal they queue is never left on a shared queue (no worker is started).


def test_schedule_renewals__certificates_without_a_record__scheduled_once_archived_ones_left(lifecycle_time, capsys):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    older, late, expired = (_certificate(company, course, t, expires_in=days) for days in (EXPIRES_IN, 20, 10))
    for cert in (older, late, expired):
        LifecycleRecordItem(*keys.schedule(cert.id, rules.RENEWAL_WINDOW)).delete()  # as before this version
    t.tick(_day(t, 11))  # the expired one is archived
    assert selectors.enrollment_get(expired.id).status == rules.ARCHIVED

    call_command("schedule_renewals", company=company.id)
    call_command("schedule_renewals", company=company.id)

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{company.name}: 2 certificates; 2 scheduled now; 0 already scheduled.",
        f"{company.name}: 2 certificates; 0 scheduled now; 2 already scheduled.",
    ]
    assert window_record(older).due_at == clock.to_iso(_day(t, OPENS))
    # The window of the other opened before the upgrade: due at once (when the command ran).
    assert (window_record(late).due_at, window_record(late).scheduled_for) == (
        clock.to_iso(_day(t, 11)),
        clock.to_iso(_day(t, 20 - WINDOW)),
    )
    assert window_record(expired) is None
    t.tick(_day(t, 11) + timedelta(minutes=1))
    assert renewal_of(late) is not None and renewal_of(older) is None


def test_pending_item__key_and_model__in_the_company_s_partition_by_course():
    key = keys.renewal_pending("acme", course_id="nr35", renewed_id="e1")

    assert key == ("renewals_pending#acme", "nr35#e1")
    assert RenewalPendingItem.Meta.table_name.endswith("enrollments")


def _waiting_for_a_seat(t, workers, *, others: int = 1):
    """A prepaid company whose seats are all taken (a certificate and ``others`` people), the certificate pending
    renewal for want of a seat, and the broker's queue empty; return company, course, certificate, the others'
    enrollments and the broker."""
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=1 + others)
    cert = _certificate(company, course, t)
    other = [
        enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF) for _n in range(others)
    ]
    t.tick(_day(t, OPENS))
    assert pending_ids(company) == [cert.id]
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(workers.queue)
    return company, course, cert, other, broker


def test_cancel_gives_a_seat_back__the_person_waiting_for_one_is_renewed(lifecycle_time, workers):
    t = lifecycle_time
    company, course, cert, [other], broker = _waiting_for_a_seat(t, workers)

    cancel(enrollment_id=other.id, reason="Left the company", author=STAFF)

    assert broker.llen(workers.queue) == 1  # the renewal of the people waiting, queued
    assert renew_pending(company.id, course.id) == {"renewed": 1}  # the task's work, run here
    assert renewal_of(cert) is not None and pending_ids(company) == []
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_bulk_cancel_gives_seats_back__one_renewal_task_per_course_of_a_chunk(lifecycle_time, workers):
    from enrollments.bulk_cancel import services as bulk_services
    from enrollments.bulk_cancel.kind import BULK_CANCEL
    from enrollments.jobs import services as job_services

    t = lifecycle_time
    company, course, cert, others, broker = _waiting_for_a_seat(t, workers, others=2)

    def run_chunks(job_id, numbers):
        for number in numbers:
            job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=number)

    bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=[e.id for e in others], reason="Left", author=STAFF, enqueue=run_chunks
    )

    assert broker.llen(workers.queue) == 1
    assert renew_pending(company.id, course.id) == {"renewed": 1}
    assert renewal_of(cert) is not None

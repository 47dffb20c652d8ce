"""Automatic renewal with real Celery workers (subprocesses on a queue of this test's own) on the real clock: two
ticks and two workers renew each certificate once, and an order's seats get the pending people renewed by a
worker."""

import threading
from datetime import timedelta

import pytest

from enrollments import rules, selectors, tasks
from enrollments.renewals import automatic
from enrollments.services import lifecycle_cursor_set, lifecycle_records_process, lifecycle_tick
from enrollments.services.common import SYSTEM
from enrollments.tests.auto_renewal_support import (
    pending_ids,
    renewal_of,
    renewing_company,
    window_record,
    windowed_course,
)
from enrollments.tests.celery_support import queue_idle
from enrollments.tests.factories import make_order
from enrollments.tests.lifecycle_support import audit_actions, real_now
from enrollments.tests.renewal_support import certificate

# Tables of its own: its ticks run at real time and would also hand out what other modules left due.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_tables"), pytest.mark.slow]

WINDOW = 45


def _windows_opened_a_minute_ago(company, course, count: int):
    """Return ``count`` certificates of the company whose renewal window opened a minute ago (real time)."""
    now = real_now()
    expires_in = WINDOW - 1 / (24 * 60)
    certs = [certificate(company, course, now=now, expires_in=expires_in) for _ in range(count)]
    lifecycle_cursor_set(day=(now - timedelta(minutes=1)).date(), now=now)
    return certs


def test_two_ticks_at_once_and_a_batch_queued_twice__two_workers_renew_each_certificate_once(workers):
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    certs = _windows_opened_a_minute_ago(company, course, 4)
    workers.start()
    workers.start()

    def enqueue(keys):
        tasks.process_lifecycle_records.apply_async(args=[keys], queue=workers.queue)

    now = real_now()
    ticks = [threading.Thread(target=lifecycle_tick, kwargs={"now": now, "dispatch": enqueue}) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()
    enqueue([[c.id, f"schedules#{rules.RENEWAL_WINDOW}"] for c in certs])  # redelivered

    # Every batch taken and acknowledged (the duplicates too), every record marked.
    workers.wait_for(
        lambda: queue_idle(workers.queue) and all(window_record(c).state == rules.RECORD_SENT for c in certs)
    )

    for cert in certs:
        renewal = renewal_of(cert)
        record = window_record(cert)
        assert renewal is not None and renewal.renews == cert.id, workers.logs()
        assert (record.state, record.attempts) == (rules.RECORD_SENT, 1)
        assert audit_actions(cert.id).count(automatic.AUTO_RENEWED) == 1
    # The company holds the certificates and one renewal each: nobody renewed twice.
    assert len(list(selectors.company_enrollments(company.id))) == 2 * len(certs)


def test_order_of_seats__a_worker_renews_the_people_waiting_for_them(workers):
    company, course = renewing_company(billing="prepaid"), windowed_course(WINDOW)
    make_order(company, course, seats=2)  # the certificates' own seats
    certs = _windows_opened_a_minute_ago(company, course, 2)
    lifecycle_records_process(keys=[[c.id, f"schedules#{rules.RENEWAL_WINDOW}"] for c in certs])
    assert sorted(pending_ids(company)) == sorted(c.id for c in certs)
    workers.start()

    make_order(company, course, seats=2)

    workers.wait_for(lambda: pending_ids(company) == [])
    for cert in certs:
        renewal = renewal_of(cert)
        assert renewal.renews == cert.id and renewal.created_by.id == SYSTEM.id
        assert renewal.source == automatic.AUTO_RENEWAL_SOURCE
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0

"""Renewals through real Celery workers (subprocesses on a queue of the test's own), at the real time: the
workers' clock is not the test's, so the certificates are made relative to now, each step frozen at its moment."""

import uuid

import pytest

from enrollments import clock, rules, selectors
from enrollments.jobs.tasks import enqueue_for
from enrollments.renewals import selectors as renewals
from enrollments.renewals import services
from enrollments.renewals.kind import RENEWAL
from enrollments.services import course_create
from enrollments.tests.factories import STAFF, make_company, make_order
from enrollments.tests.renewal_support import certificate

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_two_renewals_of_the_same_people_on_two_workers__each_renewed_once_seats_exact(workers):
    now = clock.now()
    company = make_company(billing="prepaid")
    course = course_create(name="NR-35", access_period_days=90, certificate_validity_days=730, renewal_window_days=60)
    make_order(company, course, seats=40)
    people = [certificate(company, course, now=now, expires_in=1 + day % 50) for day in range(40)]
    # Seats for 30 renewals: the ten last by expiry get none.
    make_order(company, course, seats=30)
    workers.start()
    workers.start()

    jobs = [
        services.renewal_start(
            job_id=str(uuid.uuid4()), tenant_id=company.id, author=STAFF, enqueue=enqueue_for(RENEWAL)
        )
        for _ in range(2)
    ]
    done = [
        workers.wait_for(lambda job=job: (found := renewals.renewal_get(job.job_id)).state == "DONE" and found)
        for job in jobs
    ]

    assert [job.total for job in done] == [40, 40]
    assert sum(job.renewed for job in done) == 30 and sum(job.refused for job in done) == 50
    renewed = []
    for person in people:
        renewal_id = rules.renewal_enrollment_id(person.id)
        results = sorted(
            line.result
            for job in done
            for line in renewals.result_lines(job.job_id)
            if line.certificate_id == person.id
        )
        if "renewed" in results:
            assert results == [rules.ALREADY_RENEWED, "renewed"]
            partition = selectors.enrollment_partition(renewal_id)
            assert [event.action for event in partition.audit].count("ENROLLED") == 1
            assert partition.enrollment.renews == person.id and partition.parent_vacancy is not None
            renewed.append(person)
        else:
            assert results == [rules.NO_SEAT, rules.NO_SEAT]
    assert len(renewed) == 30
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0

"""Certificates made through the real services, each step with the clock frozen at its moment, for the renewal tests.

A certificate is an enrollment made ``completed_days_ago + 1`` days before ``now`` and completed
``completed_days_ago`` days before it, whose certificate expires ``expires_in`` days after ``now``.
"""

from datetime import datetime, timedelta

from enrollments import clock, selectors
from enrollments.jobs import services as job_services
from enrollments.renewals.kind import RENEWAL
from enrollments.services import Author, enroll, record_completion
from enrollments.tests.factories import make_cpf, make_person

AUTHOR = Author(id="renewals", name="Renewals Test")


def certificate(
    company,
    course,
    *,
    now: datetime,
    expires_in: float,
    person=None,
    completed_days_ago: float = 99,
    window_days: int | None = None,
):
    """Return the enrollment (read back) of a person who completed ``course`` at ``company``, whose certificate
    expires ``expires_in`` days after ``now``; with ``window_days``, enrolled with that deduplication window."""
    person = person or make_person(cpf=make_cpf())
    with clock.frozen(now - timedelta(days=completed_days_ago + 1)):
        enrollment = enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=person,
            author=AUTHOR,
            deduplication_window_days=window_days,
            enroll_again=True,
        )
    with clock.frozen(now - timedelta(days=completed_days_ago)):
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=now + timedelta(days=expires_in))
    return selectors.enrollment_get(enrollment.id)


def run_here(job_id, numbers):
    """An ``Enqueue`` that runs each chunk of a renewal at once, in this process."""
    for number in numbers:
        job_services.job_process_chunk(RENEWAL, job_id=job_id, number=number)


def keep(queued: list):
    """Return an ``Enqueue`` that only notes the chunks it was given in ``queued`` (a queue nobody reads)."""

    def enqueue(job_id, numbers):
        queued.append((job_id, list(numbers)))

    return enqueue

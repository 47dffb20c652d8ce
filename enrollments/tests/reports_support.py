"""A company whose people stand in every place of the compliance report, made through the real services.

Each enrollment is made, accessed, completed or canceled with the clock frozen at its moment, and its
lifecycle records are processed when each fell due (as the scheduler would), so EXPIRED and ARCHIVED
come from the records themselves.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from enrollments import clock, rules, selectors
from enrollments.services import (
    Author,
    cancel,
    enroll,
    lifecycle_records_process,
    record_access,
    record_completion,
)
from enrollments.tests.factories import make_company, make_course, make_cpf, make_person

AUTHOR = Author(id="reports", name="Reports Test")
ACCESS, COMPLETE, CANCEL = "access", "complete", "cancel"


def process_due(enrollment_id: str, *, until: datetime) -> None:
    """Process the enrollment's pending records due by ``until``, each at the moment it fell due."""
    until_iso = clock.to_iso(until)
    for record in sorted(selectors.enrollment_partition(enrollment_id).schedules, key=lambda r: r.due_at):
        if record.state == rules.RECORD_PENDING and record.due_at <= until_iso:
            with clock.frozen(clock.from_iso(record.due_at)):
                lifecycle_records_process(keys=[(record.id, record.sk)])


def make_enrollment(company, course, person, *, now: datetime, enrolled: int, steps=(), expires_in: int = 365) -> str:
    """Enroll ``person`` ``enrolled`` days before ``now``, then run ``steps`` ``(action, days before now)``; return
    the enrollment id. A completion's certificate expires ``expires_in`` days after ``now``."""
    with clock.frozen(now - timedelta(days=enrolled)):
        # A history of re-enrollments: staff said "enroll again" where one was still active.
        enrollment = enroll(tenant_id=company.id, course_id=course.id, user=person, author=AUTHOR, enroll_again=True)
    for action, days_ago in steps:
        moment = now - timedelta(days=days_ago)
        process_due(enrollment.id, until=moment)
        with clock.frozen(moment):
            if action == ACCESS:
                record_access(enrollment_id=enrollment.id)
            elif action == COMPLETE:
                record_completion(enrollment_id=enrollment.id, certificate_expires_at=now + timedelta(days=expires_in))
            else:
                cancel(enrollment_id=enrollment.id, reason="Test cancel", author=AUTHOR)
    process_due(enrollment.id, until=now)
    return enrollment.id


@dataclass
class ReportCompany:
    company: object
    course: object
    now: datetime
    # The enrollment expected to stand for each person, by name.
    deciding: dict[str, str] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    # The CPF of "Valid", with a leading zero (one person per CPF: a CPF of this run's own).
    valid_cpf: str = field(default_factory=lambda: make_cpf(prefix="0", formatted=False))


def report_company(now: datetime) -> ReportCompany:
    """Return a company with people in every bucket of one course, two people with several enrollments in it, and
    another company's enrollment in the same course. ``now`` is the moment of the report."""
    company, other = make_company(billing="postpaid"), make_company(billing="postpaid")
    course = make_course(access_period_days=90, certificate_validity_days=365)
    made = ReportCompany(company=company, course=course, now=now)

    def person(name: str, **overrides):
        return make_person(name=name, **overrides)

    def add(name: str, person_, **kwargs) -> str:
        enrollment_id = make_enrollment(company, course, person_, now=now, **kwargs)
        made.deciding[name] = enrollment_id
        return enrollment_id

    add("Valid", person("Valid", cpf=made.valid_cpf), enrolled=100, steps=[(COMPLETE, 99)], expires_in=200)
    add("Expiring 30", person("Expiring 30"), enrolled=100, steps=[(COMPLETE, 99)], expires_in=10)
    add("Expiring 60", person("Expiring 60"), enrolled=100, steps=[(COMPLETE, 99)], expires_in=45)
    add("Expiring 90", person("Expiring 90"), enrolled=100, steps=[(COMPLETE, 99)], expires_in=80)
    add("Expired", person("Expired"), enrolled=371, steps=[(COMPLETE, 370)], expires_in=-5)
    add("Studying", person("Studying"), enrolled=10, steps=[(ACCESS, 9)])
    add("Not started", person("=1+2 Not started"), enrolled=1)
    add("Access ended", person("Access ended"), enrolled=120)
    make_enrollment(company, course, person("Canceled only"), now=now, enrolled=3, steps=[(CANCEL, 2)])
    # Three enrollments of one person: an old certificate expired, a newer one in progress, the newest canceled.
    repeat = person("Repeat")
    make_enrollment(company, course, repeat, now=now, enrolled=400, steps=[(COMPLETE, 399)], expires_in=-34)
    add("Repeat", repeat, enrolled=20, steps=[(ACCESS, 19)])
    make_enrollment(company, course, repeat, now=now, enrolled=2, steps=[(CANCEL, 1)])
    # A valid certificate, then a re-enrollment that was canceled: the certificate still counts.
    renewal = person("Renewal")
    add("Renewal", renewal, enrolled=50, steps=[(COMPLETE, 49)], expires_in=300)
    make_enrollment(company, course, renewal, now=now, enrolled=3, steps=[(CANCEL, 2)])
    # Another company's people are never counted.
    make_enrollment(other, course, person("Elsewhere"), now=now, enrolled=100, steps=[(COMPLETE, 99)], expires_in=10)
    made.expected = {
        rules.VALID: 2,
        rules.EXPIRING_30: 1,
        rules.EXPIRING_60: 1,
        rules.EXPIRING_90: 1,
        rules.CERTIFICATE_EXPIRED: 1,
        rules.STUDYING: 2,
        rules.NOT_STARTED: 1,
        rules.ACCESS_ENDED: 1,
    }
    return made

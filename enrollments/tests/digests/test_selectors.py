"""What a compliance digest says: one pass over the company's enrollments gives its counts, the people due for
renewal and the people of its spreadsheet."""

from enrollments import clock, rules
from enrollments.digests import selectors
from enrollments.tests.digest_support import local, turn_digest_on
from enrollments.tests.factories import make_company, make_course, make_person
from enrollments.tests.reports_support import COMPLETE, make_enrollment

MONDAY_9 = local(2026, 11, 30, 9, 0)


def test_digest_summary__renewals__latest_certificate_in_its_window_or_expired_without_a_newer_enrollment():
    now = MONDAY_9
    company = make_company(billing="postpaid")
    course = make_course(access_period_days=90, certificate_validity_days=365)

    def person(name, *steps):
        for kwargs in steps:
            make_enrollment(company, course, make_person(name=name), now=now, **kwargs)

    expired_then_lapsed = make_person(name="Lapsed")
    make_enrollment(company, course, expired_then_lapsed, now=now, enrolled=400, steps=[(COMPLETE, 399)], expires_in=-9)
    make_enrollment(company, course, expired_then_lapsed, now=now, enrolled=100)  # access ended, not completed
    renewed = make_person(name="Renewed")
    make_enrollment(company, course, renewed, now=now, enrolled=400, steps=[(COMPLETE, 399)], expires_in=-9)
    make_enrollment(company, course, renewed, now=now, enrolled=5)  # enrolled again: not due
    person("In window", {"enrolled": 300, "steps": [(COMPLETE, 299)], "expires_in": 59})
    person("Before window", {"enrolled": 300, "steps": [(COMPLETE, 299)], "expires_in": 61})

    with clock.frozen(now):
        company = turn_digest_on(company)
    summary = selectors.digest_summary(company, now=now)

    [row] = summary.rows
    assert row.counts["pending_renewals"] == 2
    assert row.counts[rules.CERTIFICATE_EXPIRED] == 0 and row.counts[rules.NOT_STARTED] == 1
    assert [person.name for person in summary.attention] == ["In window", "Before window"]

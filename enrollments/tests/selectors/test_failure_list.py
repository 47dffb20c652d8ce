"""The failed emails list: newest first, by company from its index, a page at a time with signed cursors."""

import uuid
from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.exceptions import InvalidCursor
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_person

pytestmark = pytest.mark.django_db

REMINDER = "reminder_no_access_3_days"


@pytest.fixture
def refusing(smtp_settings):
    """Every address with ``refused`` in it is refused for good (550), so its first email fails at once."""
    smtp_settings.refusals["refused"] = (550, "5.1.1 no such user")
    return smtp_settings


def _enroll_refused(company, course):
    return enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(email=f"refused.{uuid.uuid4().hex[:8]}@example.com"),
        author=STAFF,
        welcome=False,  # one failed email per enrollment: its no-access reminder
    )


def _fail_one_by_one(t, company, course, count: int, *, first_minute: int = 0) -> list[str]:
    """Enroll ``count`` people whose emails are refused, each failing a minute after the one before; return ids."""
    ids = []
    for number in range(first_minute, first_minute + count):
        t.set(t.start + timedelta(minutes=number))
        enrollment = _enroll_refused(company, course)
        t.tick(t.start + timedelta(days=3, minutes=number))
        ids.append(enrollment.id)
    return ids


def test_failure_list__by_company__newest_first_with_cursor_pages_and_no_other_company(lifecycle_time, refusing):
    t = lifecycle_time
    company, other, course = make_company(billing="postpaid"), make_company(billing="postpaid"), make_course()
    ids = _fail_one_by_one(t, company, course, 5)
    elsewhere = _fail_one_by_one(t, other, course, 1)

    first, cursor = selectors.lifecycle_failure_list(tenant_id=company.id, page_size=2)
    second, cursor2 = selectors.lifecycle_failure_list(tenant_id=company.id, cursor=cursor, page_size=2)
    third, cursor3 = selectors.lifecycle_failure_list(tenant_id=company.id, cursor=cursor2, page_size=2)

    assert [f.enrollment_id for f in first + second + third] == list(reversed(ids))
    assert cursor3 is None and len(third) == 1
    failure = first[0]
    assert (failure.event, failure.attempts, failure.tenant_id) == (REMINDER, 1, company.id)
    assert failure.recipient_email.startswith("refused.") and "550" in failure.last_error
    only_other, _next = selectors.lifecycle_failure_list(tenant_id=other.sk)
    assert [f.enrollment_id for f in only_other] == elsewhere


def test_failure_list__every_company__newest_first(lifecycle_time, refusing):
    t = lifecycle_time
    course = make_course()
    older = _fail_one_by_one(t, make_company(billing="postpaid"), course, 1)
    newer = _fail_one_by_one(t, make_company(billing="postpaid"), course, 1, first_minute=1)

    failures, cursor = selectors.lifecycle_failure_list(page_size=2)
    following, _next = selectors.lifecycle_failure_list(cursor=cursor, page_size=2)

    # This test's window is the latest of the run: its failures are the newest of the shared partition.
    assert [f.enrollment_id for f in failures] == newer + older
    assert cursor and all(f.sk < failures[-1].sk for f in following)


def test_failure_list__cursor_of_another_company__raises_invalid_cursor(lifecycle_time, refusing):
    t = lifecycle_time
    company, other, course = make_company(billing="postpaid"), make_company(billing="postpaid"), make_course()
    _fail_one_by_one(t, company, course, 2)

    _first, cursor = selectors.lifecycle_failure_list(tenant_id=company.id, page_size=1)

    with pytest.raises(InvalidCursor):
        selectors.lifecycle_failure_list(tenant_id=other.sk, cursor=cursor)

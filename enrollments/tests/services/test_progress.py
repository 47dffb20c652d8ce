from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.exceptions import InvalidEnrollmentData, NotCompletable
from enrollments.services import cancel, enroll
from enrollments.services.progress import record_completion
from enrollments.tests.factories import STAFF, make_company, make_course, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    return enroll(tenant_id=company.sk, course_id=course.sk, user=make_person(), author=STAFF)


def test_record_completion__replaces_access_records_with_certificate_records_and_audits(enrollment, frozen_clock):
    expires = frozen_clock.now + timedelta(days=365)

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires, author=STAFF)

    partition = selectors.enrollment_partition(enrollment.id)
    due = {record.event: record.due_at for record in partition.schedules}
    assert partition.enrollment.status == "COMPLETED" and partition.cancel_policy is None
    assert due == {"course_archived": "2027-03-02T12:00:00.000000Z", "cert_expiration_reminder_30_days": "2027-01-31T12:00:00.000000Z"}
    assert [event.action for event in partition.audit if event.action == "COMPLETED"] == ["COMPLETED"]


def test_record_completion__expiry_within_30_days__no_reminder(enrollment, frozen_clock):
    record_completion(enrollment_id=enrollment.id, certificate_expires_at=frozen_clock.now + timedelta(days=10), author=STAFF)

    assert [r.event for r in selectors.enrollment_partition(enrollment.id).schedules] == ["course_archived"]


def test_record_completion__canceled__raises_not_completable(enrollment, frozen_clock):
    cancel(enrollment_id=enrollment.id, reason="Gone", author=STAFF)

    with pytest.raises(NotCompletable):
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=frozen_clock.now + timedelta(days=30), author=STAFF)


def test_record_completion__expiry_in_the_past__raises_invalid_data(enrollment, frozen_clock):
    with pytest.raises(InvalidEnrollmentData) as error:
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=frozen_clock.now - timedelta(days=1), author=STAFF)

    assert error.value.field == "certificate_expires_at"

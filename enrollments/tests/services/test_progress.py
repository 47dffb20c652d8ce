"""Progress from the course player: access, activity, completion; each one transaction, each idempotent."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from enrollments import clock, selectors
from enrollments.exceptions import EnrollmentNotFound, InvalidEnrollmentData, InvalidTransition, NotCancelable
from enrollments.services import cancel, record_access, record_activity, record_completion
from enrollments.tests.factories import STAFF
from enrollments.tests.lifecycle_support import audit_actions, make_enrollment, record

pytestmark = pytest.mark.django_db


def _events(enrollment_id):
    return {r.event: r for r in selectors.enrollment_partition(enrollment_id).schedules}


def _years_later(moment, years):
    """Return the same moment ``years`` later; Feb 29 becomes Feb 28 in a year without one."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _accessed(t, *, hours=1):
    enrollment = make_enrollment(access_period_days=90)
    t.set(t.start + timedelta(hours=hours))
    record_access(enrollment_id=enrollment.id)
    return enrollment


def test_record_access__starts_removes_reminder_and_cancel_policy_and_schedules_no_activity(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)

    partition = selectors.enrollment_partition(enrollment.id)
    assert partition.enrollment.status == "IN_PROGRESS"
    assert (
        partition.enrollment.started_at
        == partition.enrollment.last_activity_at
        == clock.to_iso(t.start + timedelta(hours=1))
    )
    assert partition.cancel_policy is None
    events = _events(enrollment.id)
    # The welcome, not ticked yet, stays: a first access does not make it wrong.
    assert set(events) == {"welcome", "access_period_reminder_30_days", "course_expired", "no_activity_7_days"}
    assert events["no_activity_7_days"].due_at == clock.to_iso(t.start + timedelta(days=7, hours=1))
    assert events["no_activity_7_days"].state == "PENDING" and events["no_activity_7_days"].due_shard
    assert audit_actions(enrollment.id) == ["ENROLLED", "ACCESSED"]
    with pytest.raises(NotCancelable, match="accessed"):
        cancel(enrollment_id=enrollment.id, reason="Too late", author=STAFF)


def test_record_access__twice__changes_nothing_the_second_time(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    before = selectors.enrollment_partition(enrollment.id)
    t.set(t.start + timedelta(days=2))

    result = record_access(enrollment_id=enrollment.id)

    after = selectors.enrollment_partition(enrollment.id)
    assert result.status == "IN_PROGRESS"
    assert after.enrollment.updated_at == before.enrollment.updated_at
    assert [(r.sk, r.due_at) for r in after.schedules] == [(r.sk, r.due_at) for r in before.schedules]
    assert audit_actions(enrollment.id) == ["ENROLLED", "ACCESSED"]


def test_record_access__concurrently_twice__records_one_access(lifecycle_time):
    enrollment = make_enrollment()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: record_access(enrollment_id=enrollment.id).status, range(2)))

    assert results == ["IN_PROGRESS", "IN_PROGRESS"]
    assert audit_actions(enrollment.id).count("ACCESSED") == 1


def test_record_access__canceled__raises_invalid_transition(lifecycle_time):
    enrollment = make_enrollment()
    cancel(enrollment_id=enrollment.id, reason="Left", author=STAFF)

    with pytest.raises(InvalidTransition, match="is canceled"):
        record_access(enrollment_id=enrollment.id)


def test_record_access__unknown_enrollment__raises_not_found(lifecycle_time):
    with pytest.raises(EnrollmentNotFound):
        record_access(enrollment_id="no-such-enrollment")


def test_record_access__occurred_in_the_future__raises_invalid_data(lifecycle_time):
    enrollment = make_enrollment()

    with pytest.raises(InvalidEnrollmentData) as raised:
        record_access(enrollment_id=enrollment.id, occurred_at=lifecycle_time.start + timedelta(hours=1))

    assert raised.value.field == "occurred_at"


@pytest.mark.parametrize("service", [record_access, record_activity, record_completion])
def test_record_progress__occurred_before_2000__raises_invalid_data_and_changes_nothing(lifecycle_time, service):
    t = lifecycle_time
    enrollment = _accessed(t) if service is record_activity else make_enrollment()
    before = selectors.enrollment_partition(enrollment.id)
    kwargs = {"certificate_expires_at": t.start + timedelta(days=365)} if service is record_completion else {}

    with pytest.raises(InvalidEnrollmentData) as raised:
        service(enrollment_id=enrollment.id, occurred_at=datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC), **kwargs)

    assert raised.value.field == "occurred_at" and "2000-01-01" in raised.value.message
    after = selectors.enrollment_partition(enrollment.id)
    assert after.enrollment.updated_at == before.enrollment.updated_at
    assert [(r.sk, r.due_at) for r in after.schedules] == [(r.sk, r.due_at) for r in before.schedules]


def test_record_access__occurred_at_the_first_moment_of_2000__is_recorded(lifecycle_time):
    enrollment = make_enrollment()

    result = record_access(enrollment_id=enrollment.id, occurred_at=datetime(2000, 1, 1, tzinfo=UTC))

    assert result.started_at == "2000-01-01T00:00:00.000000Z"


def test_record_activity__moves_no_activity_to_seven_days_after_it(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    activity = t.set(t.start + timedelta(days=4))

    record_activity(enrollment_id=enrollment.id)

    moved = record(enrollment.id, "no_activity_7_days")
    assert moved.due_at == moved.scheduled_for == clock.to_iso(activity + timedelta(days=7))
    assert selectors.enrollment_get(enrollment.id).last_activity_at == clock.to_iso(activity)
    assert audit_actions(enrollment.id) == ["ENROLLED", "ACCESSED", "ACTIVITY"]


def test_record_activity__same_event_twice_or_an_older_one__changes_nothing(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    activity = t.start + timedelta(days=4)
    t.set(activity + timedelta(minutes=5))
    record_activity(enrollment_id=enrollment.id, occurred_at=activity)
    due = record(enrollment.id, "no_activity_7_days").due_at

    record_activity(enrollment_id=enrollment.id, occurred_at=activity)
    record_activity(enrollment_id=enrollment.id, occurred_at=activity - timedelta(days=1))

    assert record(enrollment.id, "no_activity_7_days").due_at == due
    assert audit_actions(enrollment.id).count("ACTIVITY") == 1


def test_record_activity__after_the_reminder_was_sent__schedules_a_new_one_with_a_new_message_id(
    lifecycle_time, mailoutbox
):
    t = lifecycle_time
    enrollment = _accessed(t)
    t.tick(t.start + timedelta(days=8))
    first = record(enrollment.id, "no_activity_7_days")
    assert first.state == "SENT"

    t.set(t.start + timedelta(days=9))
    record_activity(enrollment_id=enrollment.id)
    t.tick(t.start + timedelta(days=16))

    second = record(enrollment.id, "no_activity_7_days")
    mails = [m for m in mailoutbox if m.extra_headers["X-Lifecycle-Event"] == "no_activity_7_days"]
    assert second.state == "SENT" and len(mails) == 2
    assert second.message_id != first.message_id == mails[0].extra_headers["Message-ID"]


def test_record_activity__before_access__raises_invalid_transition(lifecycle_time):
    enrollment = make_enrollment()

    with pytest.raises(InvalidTransition, match="not been accessed"):
        record_activity(enrollment_id=enrollment.id)


def test_record_completion__completes_removes_access_records_and_schedules_certificate_ones(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    done = t.set(t.start + timedelta(days=10))
    expires = done + timedelta(days=365)

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)

    stored = selectors.enrollment_get(enrollment.id)
    assert (stored.status, stored.completed_at, stored.certificate_expires_at) == (
        "COMPLETED",
        clock.to_iso(done),
        clock.to_iso(expires),
    )
    events = _events(enrollment.id)
    assert set(events) == {"welcome", "cert_expiration_reminder_30_days", "course_archived", "renewal_window"}
    assert events["cert_expiration_reminder_30_days"].due_at == clock.to_iso(expires - timedelta(days=30))
    assert events["course_archived"].due_at == clock.to_iso(expires)
    # The course names no window: the default, 60 days before the expiry.
    assert events["renewal_window"].due_at == events["renewal_window"].scheduled_for
    assert events["renewal_window"].due_at == clock.to_iso(expires - timedelta(days=60))
    assert audit_actions(enrollment.id) == ["ENROLLED", "ACCESSED", "COMPLETED"]


def test_record_completion__certificate_valid_30_days_or_less__has_no_reminder_and_its_renewal_window_is_open(
    lifecycle_time,
):
    t = lifecycle_time
    enrollment = _accessed(t)
    done = t.set(t.start + timedelta(days=2))

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=done + timedelta(days=30))

    events = _events(enrollment.id)
    assert set(events) == {"welcome", "course_archived", "renewal_window"}
    # Its 60-day window opened before the completion: due at once, named after the moment it opened.
    window = events["renewal_window"]
    assert window.due_at == clock.to_iso(done) and window.scheduled_for == clock.to_iso(done - timedelta(days=30))


def test_record_completion__twice__changes_nothing_and_another_certificate_is_refused(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    expires = t.set(t.start + timedelta(days=2)) + timedelta(days=365)
    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)
    before = selectors.enrollment_get(enrollment.id).updated_at

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)

    assert selectors.enrollment_get(enrollment.id).updated_at == before
    assert audit_actions(enrollment.id).count("COMPLETED") == 1
    with pytest.raises(InvalidTransition, match="already completed"):
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires + timedelta(days=1))


def test_record_completion__already_completed__message_shows_the_expiry_date_in_the_local_time_zone(
    lifecycle_time, settings
):
    settings.TIME_ZONE = "America/Sao_Paulo"
    enrollment = _accessed(lifecycle_time)
    # The last moment of 2 March in São Paulo is 3 March in UTC.
    year = lifecycle_time.start.year + 2
    expires = clock.from_iso(f"{year}-03-03T02:59:59Z")
    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)

    with pytest.raises(InvalidTransition) as raised:
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires + timedelta(days=1))

    assert f"03/02/{year}" in raised.value.message and f"{year}-03-03" not in raised.value.message


def test_record_completion__canceled__raises_invalid_transition(lifecycle_time):
    enrollment = make_enrollment()
    cancel(enrollment_id=enrollment.id, reason="Left", author=STAFF)

    with pytest.raises(InvalidTransition, match="is canceled"):
        record_completion(
            enrollment_id=enrollment.id, certificate_expires_at=lifecycle_time.start + timedelta(days=365)
        )


def test_record_completion__certificate_expiring_before_completion__raises_invalid_data(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)

    with pytest.raises(InvalidEnrollmentData) as raised:
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=t.start)

    assert raised.value.field == "certificate_expires_at"
    assert selectors.enrollment_get(enrollment.id).status == "IN_PROGRESS"


def test_record_completion__certificate_expiring_more_than_100_years_from_now__raises_invalid_data(lifecycle_time):
    t = lifecycle_time
    enrollment = _accessed(t)
    horizon = _years_later(clock.now(), 100)

    with pytest.raises(InvalidEnrollmentData) as raised:
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=horizon + timedelta(microseconds=1))

    assert raised.value.field == "certificate_expires_at" and "100 years" in raised.value.message
    assert selectors.enrollment_get(enrollment.id).status == "IN_PROGRESS"
    assert record_completion(enrollment_id=enrollment.id, certificate_expires_at=horizon).status == "COMPLETED"


def test_record_completion__of_an_expired_enrollment__raises_invalid_transition(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _accessed(t)
    t.tick(t.start + timedelta(days=90))
    assert selectors.enrollment_get(enrollment.id).status == "EXPIRED"

    with pytest.raises(InvalidTransition, match="is expired"):
        record_completion(enrollment_id=enrollment.id, certificate_expires_at=t.start + timedelta(days=400))


def test_record_completion__pending__completes_and_drops_no_access_reminder_and_cancel_policy(lifecycle_time):
    t = lifecycle_time
    enrollment = make_enrollment()
    expires = t.set(t.start + timedelta(days=2)) + timedelta(days=365)

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires, source="staff")

    partition = selectors.enrollment_partition(enrollment.id)
    assert partition.enrollment.status == "COMPLETED" and partition.cancel_policy is None
    assert sorted(r.event for r in partition.schedules) == [
        "cert_expiration_reminder_30_days",
        "course_archived",
        "renewal_window",
        "welcome",
    ]

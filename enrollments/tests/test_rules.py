"""The rules without I/O: which enrollments may be canceled or completed, which windows a course allows."""

from types import SimpleNamespace

import pytest

from enrollments import rules
from enrollments.exceptions import InvalidEnrollmentData


def _enrollment(status: str):
    return SimpleNamespace(id="e1", status=status)


def _partition(status: str, *, cancel_policy: bool = True):
    return SimpleNamespace(enrollment=_enrollment(status), cancel_policy=object() if cancel_policy else None)


@pytest.mark.parametrize("status", rules.ACTIVE_STATES)
def test_completion_refusal__pending_or_in_progress__none(status):
    assert rules.completion_refusal(_enrollment(status)) is None


@pytest.mark.parametrize("status", [rules.COMPLETED, *rules.TERMINAL_STATES])
def test_completion_refusal__any_other_state__says_why_with_the_state_in_words(status):
    refusal = rules.completion_refusal(_enrollment(status))

    assert "only a pending or in-progress enrollment can be completed" in refusal
    assert status not in refusal  # the words staff read, not the stored code


def test_cancel_refusal__pending_with_its_cancel_policy__none():
    assert rules.cancel_refusal(_partition(rules.PENDING)) is None


@pytest.mark.parametrize(
    ("partition", "words"),
    [
        (_partition(rules.CANCELED), "already canceled"),
        (_partition(rules.EXPIRED), "can no longer be canceled"),
        (_partition(rules.ARCHIVED), "can no longer be canceled"),
        (_partition(rules.IN_PROGRESS, cancel_policy=False), "has already accessed the course"),
    ],
)
def test_cancel_refusal__closed_or_accessed__says_why(partition, words):
    assert words in rules.cancel_refusal(partition)


def test_check_window__from_zero_to_one_day_short_of_the_access_period():
    course = SimpleNamespace(access_period_days=30)
    for days in (None, 0, 29):
        rules.check_window(days, course)
    for days in (-1, 30, True, "5"):
        with pytest.raises(InvalidEnrollmentData) as raised:
            rules.check_window(days, course)
        assert raised.value.field == "deduplication_window_days"


def test_enrollment_schedule__short_course__no_30_day_reminder_due_before_the_enrollment():
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 1, 1, tzinfo=UTC)

    assert rules.enrollment_schedule(access_period_days=30, enrolled_at=at) == {
        rules.REMINDER_NO_ACCESS_3_DAYS: at + timedelta(days=3),
        rules.COURSE_EXPIRED: at + timedelta(days=30),
    }
    assert rules.enrollment_schedule(access_period_days=31, enrolled_at=at)[rules.ACCESS_PERIOD_REMINDER_30_DAYS] == (
        at + timedelta(days=1)
    )

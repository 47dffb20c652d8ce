"""`lifecycle_tick [--now ISO]` and `record_progress`."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from enrollments import clock, selectors
from enrollments.tests.lifecycle_support import make_enrollment, record

pytestmark = pytest.mark.django_db


def _sent(outbox) -> list:
    return [(m.to, m.extra_headers["X-Lifecycle-Event"]) for m in outbox]


def test_lifecycle_tick__now__processes_what_is_due_then_and_reports_it(lifecycle_time, mailoutbox, capsys):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    due = t.start + timedelta(days=3)

    t.set(due)
    call_command("lifecycle_tick", now=clock.to_iso(due - timedelta(minutes=1)))
    assert _sent(mailoutbox) == [([enrollment.user.email], "welcome")]  # due since the enrollment; not the reminder
    capsys.readouterr()

    call_command("lifecycle_tick", now=clock.to_iso(due))

    output = capsys.readouterr().out
    assert "1 due records in 1 batches" in output and "sent 1" in output
    assert _sent(mailoutbox) == [
        ([enrollment.user.email], "welcome"),
        ([enrollment.user.email], "reminder_no_access_3_days"),
    ]
    assert record(enrollment.id, "reminder_no_access_3_days").sent_at == clock.to_iso(due)


def test_lifecycle_tick__from_day__reads_from_that_day(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.set(t.start + timedelta(days=10, minutes=1))
    call_command("lifecycle_tick", now=clock.to_iso(t.start + timedelta(days=10)))
    mailoutbox.clear()
    # Say a restore brought back a record the tick had already passed.
    restored = record(enrollment.id, "reminder_no_access_3_days")
    restored.update(
        actions=[
            type(restored).state.set("PENDING"),
            type(restored).due_shard.set(f"{(t.start + timedelta(days=3)).date()}#0"),
        ]
    )

    call_command(
        "lifecycle_tick", now=clock.to_iso(t.start + timedelta(days=10, minutes=1)), from_day=str(t.start.date())
    )

    assert [m.to for m in mailoutbox] == [[enrollment.user.email]]


def test_lifecycle_tick__bad_now__is_a_command_error(lifecycle_time):
    with pytest.raises(CommandError, match="Bad date"):
        call_command("lifecycle_tick", now="yesterday")


def test_lifecycle_tick__now_in_the_future__is_refused_and_sends_nothing(lifecycle_time, mailoutbox):
    t = lifecycle_time
    make_enrollment(access_period_days=35)

    with pytest.raises(CommandError, match="in the future"):
        call_command("lifecycle_tick", now=clock.to_iso(t.start + timedelta(days=3)))

    assert mailoutbox == [] and selectors.scheduler_cursor() == t.start.date()


def test_lifecycle_tick__without_now__uses_the_clock(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.set(t.start + timedelta(days=3))

    call_command("lifecycle_tick")

    assert sorted(_sent(mailoutbox)) == [
        ([enrollment.user.email], "reminder_no_access_3_days"),
        ([enrollment.user.email], "welcome"),
    ]


def test_record_progress__access_then_completion(lifecycle_time, capsys):
    t = lifecycle_time
    enrollment = make_enrollment()

    call_command("record_progress", enrollment.id, "access")
    call_command(
        "record_progress",
        enrollment.id,
        "completion",
        certificate_expires_at=clock.to_iso(t.start + timedelta(days=365)),
    )

    assert "is in progress" in capsys.readouterr().out
    assert selectors.enrollment_get(enrollment.id).status == "COMPLETED"


def test_record_progress__impossible_transition__is_a_command_error(lifecycle_time):
    enrollment = make_enrollment()

    with pytest.raises(CommandError, match="not been accessed"):
        call_command("record_progress", enrollment.id, "activity")
    with pytest.raises(CommandError, match="needs --certificate-expires-at"):
        call_command("record_progress", enrollment.id, "completion")

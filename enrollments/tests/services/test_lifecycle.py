"""The ``due`` invariant (``services.lifecycle``): an enrollment's earliest pending record holds its ``due`` entry,
handed on by every path that ends, deletes or moves a record, so every email still goes out on time, once."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.clock import to_iso
from enrollments.dynamo import keys
from enrollments.dynamo.models import LifecycleRecordItem
from enrollments.dynamo.transactions import Transaction
from enrollments.services import (
    cancel,
    lifecycle_record_process,
    lifecycle_records_process,
    record_access,
    record_completion,
    record_outcomes,
)
from enrollments.services.delivery import _claim
from enrollments.tests.factories import STAFF
from enrollments.tests.lifecycle_support import make_enrollment, record

pytestmark = pytest.mark.django_db

WELCOME, REMINDER = "welcome", "reminder_no_access_3_days"
ACCESS_REMINDER, EXPIRED = "access_period_reminder_30_days", "course_expired"
MINUTE = timedelta(minutes=1)


def _sent(outbox, enrollment) -> Counter:
    return Counter(m.extra_headers["X-Lifecycle-Event"] for m in outbox if m.to == [enrollment.user.email])


def _holding_entry(enrollment) -> list[str]:
    """Return the events of the enrollment's pending records that hold a ``due`` entry."""
    return sorted(
        r.event
        for r in selectors.lifecycle_records(enrollment.id)
        if r.state in ("PENDING", "SENDING") and r.due_shard is not None
    )


def test_chain__ticks_at_successive_times__each_record_sent_once_on_time(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    assert _holding_entry(enrollment) == [WELCOME]
    steps = [
        (timedelta(0), WELCOME),
        (timedelta(days=3), REMINDER),
        (timedelta(days=5), ACCESS_REMINDER),
        (timedelta(days=35), EXPIRED),
    ]
    expected = Counter()
    for due_after, event in steps:
        due = t.start + due_after
        if due_after:
            t.tick(due - MINUTE)
            assert _sent(mailoutbox, enrollment) == expected, f"nothing before {event} is due"
            assert _holding_entry(enrollment) == [event]  # handed on by the previous record's mark

        t.tick(due)

        expected[event] += 1
        assert _sent(mailoutbox, enrollment) == expected
        assert record(enrollment.id, event).sent_at == clock.to_iso(due)

    t.tick(t.start + timedelta(days=36))
    assert _sent(mailoutbox, enrollment) == expected
    assert selectors.enrollment_get(enrollment.id).status == "EXPIRED"
    assert _holding_entry(enrollment) == []


def test_first_access__deletes_the_record_holding_the_entry__hands_it_on(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.tick(t.start)  # the welcome goes out and hands the entry to the no-access reminder
    assert _holding_entry(enrollment) == [REMINDER]
    t.set(t.start + timedelta(hours=1))

    record_access(enrollment_id=enrollment.id)

    # The reminder is gone; the 30-day reminder (day 5) is now the earliest, before the new no-activity one (day 7).
    assert record(enrollment.id, REMINDER) is None
    assert _holding_entry(enrollment) == [ACCESS_REMINDER, "no_activity_7_days"]
    t.tick(t.start + timedelta(days=5) - MINUTE)
    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1})

    t.tick(t.start + timedelta(days=5))

    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1, ACCESS_REMINDER: 1})


def test_completion__removes_the_record_holding_the_entry__certificate_records_go_out(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.tick(t.start)
    t.set(t.start + timedelta(hours=1))
    record_access(enrollment_id=enrollment.id)  # the 30-day reminder holds the entry
    t.set(t.start + timedelta(days=1))
    expires = t.start + timedelta(days=41)

    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)

    assert record(enrollment.id, ACCESS_REMINDER) is None
    assert "cert_expiration_reminder_30_days" in _holding_entry(enrollment)
    t.tick(t.start + timedelta(days=11))
    t.tick(expires)
    assert _sent(mailoutbox, enrollment) == Counter(
        {WELCOME: 1, "cert_expiration_reminder_30_days": 1, "course_archived": 1}
    )
    assert selectors.enrollment_get(enrollment.id).status == "ARCHIVED"


def test_cancel__nothing_is_sent_after(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.tick(t.start)
    t.set(t.start + timedelta(hours=1))

    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF, notify_learner=False)

    for days in (3, 5, 35, 36):
        t.tick(t.start + timedelta(days=days))
    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1})
    assert selectors.lifecycle_records(enrollment.id) == []


def test_race__mark_hands_the_entry_to_a_record_first_access_deletes__the_next_record_holds_it(
    lifecycle_time, mailoutbox, monkeypatch
):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    barrier, waited, lock = threading.Barrier(2, timeout=30), set(), threading.Lock()

    def read_then_wait(read):
        # Each thread's first read waits for the other's: both decide on what they read before either writes.
        def wrapper(*args, **kwargs):
            result = read(*args, **kwargs)
            with lock:
                first = threading.get_ident() not in waited
                waited.add(threading.get_ident())
            if first:
                barrier.wait()
            return result

        return wrapper

    monkeypatch.setattr(selectors, "lifecycle_records", read_then_wait(selectors.lifecycle_records))
    monkeypatch.setattr(selectors, "enrollment_partition", read_then_wait(selectors.enrollment_partition))
    results, errors = {}, []

    def run(name, call):
        try:
            results[name] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        # The welcome's mark hands the entry to the no-access reminder...
        threading.Thread(
            target=run,
            args=("mark", lambda: lifecycle_record_process(enrollment_id=enrollment.id, sk=f"schedules#{WELCOME}")),
        ),
        # ...which the first access deletes.
        threading.Thread(target=run, args=("access", lambda: record_access(enrollment_id=enrollment.id))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()

    assert errors == [] and results["mark"] == "sent" and results["access"].status == "IN_PROGRESS"
    assert record(enrollment.id, REMINDER) is None
    assert _holding_entry(enrollment) == [ACCESS_REMINDER, "no_activity_7_days"]
    t.tick(t.start + timedelta(days=5))
    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1, ACCESS_REMINDER: 1})


def test_handed_on_after_the_cursor_passed_its_day__still_fires_once(lifecycle_time, mailoutbox, settings):
    t = lifecycle_time
    settings.LIFECYCLE_LEASE_SECONDS = 6 * 24 * 3600
    enrollment = make_enrollment(access_period_days=35)
    # A worker claims the welcome and dies: it is due again when its lease ends, six days on.
    _claim(enrollment_id=enrollment.id, sk=f"schedules#{WELCOME}", now=t.start)
    for days in (3, 4, 5):  # the reminder (day 3) holds no entry: nothing is found, the cursor moves on
        assert t.tick(t.start + timedelta(days=days)).records_found == 0
    assert selectors.scheduler_cursor() == (t.start + timedelta(days=5)).date()
    now = t.set(t.start + timedelta(days=6))

    assert lifecycle_record_process(enrollment_id=enrollment.id, sk=f"schedules#{WELCOME}") == "sent"

    handed = record(enrollment.id, REMINDER)
    assert keys.due_day(handed.due_shard) == now.date().isoformat()  # today's partition, not its own past day
    assert handed.scheduled_for == clock.to_iso(t.start + timedelta(days=3))  # the email is still named for it
    t.tick(now + MINUTE)
    t.tick(now + 2 * MINUTE)
    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1, REMINDER: 1, ACCESS_REMINDER: 1})


def test_batch__a_record_handed_the_entry_already_due__goes_out_in_the_same_batch(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.set(t.start + timedelta(days=5, hours=1))  # the welcome, both reminders overdue; the tick ran late

    outcomes = lifecycle_records_process(keys=[(enrollment.id, f"schedules#{WELCOME}")])

    assert outcomes == Counter({"sent": 3})
    assert _sent(mailoutbox, enrollment) == Counter({WELCOME: 1, REMINDER: 1, ACCESS_REMINDER: 1})
    assert _holding_entry(enrollment) == [EXPIRED]


def test_mark__the_hand_on_loses_more_races_than_a_mark_has_tries__the_outcome_is_written_all_the_same(
    lifecycle_time,
):
    """A sent email's mark whose hand-on keeps meeting a sibling record changed since read (activity rewriting it)
    tries again, past the mark's own tries, rather than leaving the email sent and unmarked, to go again."""
    enrollment = make_enrollment()
    welcome = _claim(enrollment_id=enrollment.id, sk=keys.schedule(enrollment.id, WELCOME).sk, now=clock.now())
    reminder = keys.schedule(enrollment.id, REMINDER)
    races = record_outcomes.MARK_TRIES + 2
    built = 0

    def build():
        nonlocal built
        built += 1
        now = clock.now()
        tx = Transaction()
        tx.update(welcome, record_outcomes.record_done(welcome, "SENT", to_iso(now)), name="record")
        record_outcomes.hand_on(tx, welcome, now=now)
        if built <= races:  # the sibling changes after the read: the hand-on's condition fails
            LifecycleRecordItem(*reminder).update(actions=[LifecycleRecordItem.attempts.add(1)])
        return tx

    outcome = record_outcomes.commit_outcome(build, record=welcome, outcome=record_outcomes.OUTCOME_SENT)

    assert (outcome, built) == (record_outcomes.OUTCOME_SENT, races + 1)
    assert _holding_entry(enrollment) == [REMINDER]

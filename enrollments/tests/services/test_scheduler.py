"""The tick: reads the `due` index from the cursor to today, only records due, never a Scan."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import SchedulerCursorItem
from enrollments.services import lifecycle_cursor_set, lifecycle_records_process, lifecycle_tick
from enrollments.tests.lifecycle_support import make_enrollment, record

pytestmark = pytest.mark.django_db


def _mails_by_recipient_and_event(outbox):
    return Counter((m.to[0], m.extra_headers["X-Lifecycle-Event"]) for m in outbox)


def test_tick__never_scans_and_never_reads_a_record_due_later(lifecycle_time, dynamodb_calls):
    t = lifecycle_time
    # Without a welcome, each enrollment's no-access reminder is its record in the ``due`` index.
    due_soon = [make_enrollment(access_period_days=35, welcome=False) for _ in range(3)]  # due at start + 3 days
    later = []
    for moment in (timedelta(hours=1), timedelta(days=2, hours=23)):  # due later the same day, and days later
        t.set(t.start + moment)
        later.append(make_enrollment(access_period_days=35, welcome=False))
    now = t.start + timedelta(days=3, minutes=1)
    handed_out = []
    dynamodb_calls.clear()

    report = t.tick(now, dispatch=handed_out.extend)

    operations = Counter(call.operation for call in dynamodb_calls)
    assert "Scan" not in operations
    assert set(operations) <= {"Query", "GetItem", "PutItem"}
    queries = [call for call in dynamodb_calls if call.operation == "Query"]
    due_queries = [call for call in queries if call.request.get("IndexName") == "due"]
    assert len(due_queries) == report.partitions_read == 4 * 4  # four days from the cursor, four shards each
    now_iso = clock.to_iso(now)
    for call in due_queries:
        values = {value.get("S") for value in call.request["ExpressionAttributeValues"].values()}
        assert now_iso in values and "<=" in call.request["KeyConditionExpression"]
        assert max(value for value in values if "#" in value)[:10] <= now_iso[:10]
    items_read = [item for call in due_queries for item in call.response.get("Items", [])]
    assert all(item["due_at"]["S"] <= now_iso for item in items_read)
    # The three reminders due; nothing due later is read.
    assert sum(call.response["ScannedCount"] for call in due_queries) == len(items_read) == 3
    assert sorted(handed_out) == sorted((e.id, "schedules#reminder_no_access_3_days") for e in due_soon)


def test_tick__catch_up_after_beat_was_down_three_days__sends_every_overdue_record_once(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollments = []
    for day in range(3):
        t.set(t.start + timedelta(days=day))
        enrollments.append(make_enrollment(access_period_days=35))
    t.tick(t.start + timedelta(days=2, hours=1))  # the last tick before beat went down: only the welcomes were due
    assert _mails_by_recipient_and_event(mailoutbox) == Counter({(e.user.email, "welcome"): 1 for e in enrollments})

    report = t.tick(t.start + timedelta(days=7, hours=1))

    sent = _mails_by_recipient_and_event(mailoutbox)
    expected = {
        (e.user.email, event)
        for e in enrollments
        for event in ("welcome", "reminder_no_access_3_days", "access_period_reminder_30_days")
    }
    assert set(sent) == expected and set(sent.values()) == {1}
    # The tick found the three reminders (each enrollment's one record in the ``due`` index); each reminder's mark
    # handed the entry to its 30-day reminder, overdue too, which the worker sent next in the same batch.
    # The cursor waits on the oldest day handed out until a tick finds that day empty.
    assert report.records_found == 3 and report.cursor_after == (t.start + timedelta(days=3)).date()

    again = t.tick(t.start + timedelta(days=7, hours=2))

    assert _mails_by_recipient_and_event(mailoutbox) == sent
    assert again.records_found == 0 and again.cursor_after == (t.start + timedelta(days=7)).date()


def test_tick__a_batch_that_was_lost__is_handed_out_again_and_the_cursor_waits(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    due = t.start + timedelta(days=3)
    t.tick(t.start)  # the welcome goes out; the reminder is the record of this test

    first = t.tick(due + timedelta(days=1), dispatch=lambda keys: None)  # the task never reached a worker

    assert first.records_found == 1 and first.cursor_after == due.date()
    assert record(enrollment.id, "reminder_no_access_3_days").state == "PENDING"

    second = t.tick(due + timedelta(days=1, minutes=1))

    assert second.first_day == due.date() and second.records_found == 1
    assert [(m.to, m.extra_headers["X-Lifecycle-Event"]) for m in mailoutbox] == [
        ([enrollment.user.email], "welcome"),
        ([enrollment.user.email], "reminder_no_access_3_days"),
    ]
    assert selectors.scheduler_cursor() == due.date()  # until a tick finds the day empty


def test_tick__hands_out_batches_of_the_configured_size(lifecycle_time, settings):
    settings.LIFECYCLE_BATCH_SIZE = 3
    t = lifecycle_time
    for _ in range(10):
        make_enrollment(access_period_days=35)
    batches = []

    report = t.tick(t.start + timedelta(days=3), dispatch=batches.append)

    # Ten records due: each enrollment's welcome (its no-access reminder gets the ``due`` entry once the welcome is
    # marked).
    assert sorted(len(batch) for batch in batches) == [1, 3, 3, 3] and report.batches == 4


def test_tick__two_ticks_at_the_same_moment_each_processing__one_email_per_record(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollments = [make_enrollment(access_period_days=35) for _ in range(4)]
    now = t.set(t.start + timedelta(days=3))
    outcomes = Counter()
    lock = threading.Lock()

    def process(keys):
        # Each batch twice, as if redelivered.
        for _ in range(2):
            result = lifecycle_records_process(keys=keys)
            with lock:
                outcomes.update(result)

    ticks = [threading.Thread(target=lifecycle_tick, kwargs={"now": now, "dispatch": process}) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()

    assert _mails_by_recipient_and_event(mailoutbox) == Counter(
        {(e.user.email, event): 1 for e in enrollments for event in ("welcome", "reminder_no_access_3_days")}
    )
    assert outcomes["sent"] == 8 and outcomes["not_claimed"] >= 8  # at least the redeliveries found nothing to do
    assert {record(e.id, "reminder_no_access_3_days").attempts for e in enrollments} == {1}
    assert {record(e.id, "welcome").attempts for e in enrollments} == {1}


def test_tick__without_a_cursor__looks_back_the_fallback_days_and_writes_one(lifecycle_time, settings):
    settings.LIFECYCLE_CURSOR_FALLBACK_DAYS = 5
    t = lifecycle_time
    SchedulerCursorItem(*keys.scheduler_cursor()).delete()
    now = t.start + timedelta(days=10)

    report = t.tick(now, dispatch=lambda keys: None)

    assert report.cursor_before is None and report.first_day == (now - timedelta(days=5)).date()
    assert selectors.scheduler_cursor() == now.date()


def test_cursor__an_older_tick_never_moves_it_back(lifecycle_time):
    t = lifecycle_time
    t.tick(t.start + timedelta(days=4), dispatch=lambda keys: None)

    report = t.tick(t.start + timedelta(days=2), dispatch=lambda keys: None)

    assert report.first_day == (t.start + timedelta(days=2)).date()
    assert selectors.scheduler_cursor() == (t.start + timedelta(days=4)).date()


def test_cursor_set__moves_it_back_for_operations(lifecycle_time):
    t = lifecycle_time
    t.tick(t.start + timedelta(days=4), dispatch=lambda keys: None)

    lifecycle_cursor_set(day=t.start.date(), now=t.start + timedelta(days=4))

    assert selectors.scheduler_cursor() == t.start.date()

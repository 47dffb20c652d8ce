"""Real Celery workers (subprocesses on this run's own queue) sending through a real SMTP exchange.

Workers run on the real clock, so these records are due in the real, recent past.
"""

import re
import threading
import time
from datetime import timedelta

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from backoffice.celery import celery_app
from enrollments import clock, tasks
from enrollments.exceptions import StorageUnavailable
from enrollments.services import lifecycle_cursor_set, lifecycle_tick
from enrollments.tests.celery_support import queue_idle
from enrollments.tests.lifecycle_support import audit_actions, make_enrollment, real_now, record
from enrollments.tests.wait_support import wait_for

# Tables of its own: its ticks run at real time and would also hand out what other modules left due.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_tables")]

REMINDER = "reminder_no_access_3_days"
REMINDER_SK = f"schedules#{REMINDER}"
WELCOME = "welcome"
WELCOME_SK = f"schedules#{WELCOME}"
_PROCESSED = re.compile(r"Task enrollments\.tasks\.process_lifecycle_records\[[^\]]+\] succeeded")


def _enrollments_due_a_minute_ago(count: int):
    """Enroll ``count`` people 3 days and a minute ago (real time): their no-access reminders are due now."""
    now = real_now()
    clock.set_now(now - timedelta(days=3, minutes=1))
    try:
        enrollments = [make_enrollment(access_period_days=35, welcome=False) for _ in range(count)]
    finally:
        clock.set_now(None)
    lifecycle_cursor_set(day=(now - timedelta(minutes=1)).date(), now=now)
    return enrollments


def test_beat_schedule__ticks_every_configured_interval_with_registered_tasks():
    entry = settings.CELERY_BEAT_SCHEDULE["lifecycle-tick"]

    assert entry["task"] == "enrollments.tasks.lifecycle_tick" and entry["schedule"] == settings.LIFECYCLE_TICK_SECONDS
    assert entry["options"]["expires"] == settings.LIFECYCLE_TICK_SECONDS
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert {"enrollments.tasks.lifecycle_tick", "enrollments.tasks.process_lifecycle_records"} <= set(celery_app.tasks)
    assert tasks.process_lifecycle_records.acks_late and not tasks.lifecycle_tick.acks_late
    assert celery_app.conf.accept_content == ["json"] and celery_app.conf.task_serializer == "json"
    assert celery_app.conf.task_time_limit and celery_app.conf.task_soft_time_limit


def test_process_lifecycle_records__storage_unavailable__is_retried_without_jitter_for_at_least_20_minutes():
    task = tasks.process_lifecycle_records
    assert task.name == "enrollments.tasks.process_lifecycle_records" and task.autoretry_for == (StorageUnavailable,)
    # With jitter each delay is random between 0 and its backoff: the retries could all be spent in seconds.
    assert task.retry_jitter is False

    # As celery.app.autoretry computes the countdown of each retry.
    delays = [
        get_exponential_backoff_interval(
            factor=int(max(1.0, task.retry_backoff)), retries=retries, maximum=task.retry_backoff_max, full_jitter=False
        )
        for retries in range(task.max_retries)
    ]

    assert delays == [5, 10, 20, 40, 80, 160, 300, 300, 300, 300]
    assert sum(delays) >= 20 * 60


@pytest.mark.slow
def test_workers__two_ticks_at_once_and_a_batch_enqueued_twice__send_one_email_per_record(
    smtp_sink, start_worker, celery_queue
):
    enrollments = _enrollments_due_a_minute_ago(6)
    workers = [start_worker(smtp_port=smtp_sink.port) for _ in range(2)]

    handed_out = set()

    def enqueue(keys):
        handed_out.update((enrollment_id, sk) for enrollment_id, sk in keys)
        tasks.process_lifecycle_records.apply_async(args=[keys], queue=celery_queue)

    now = real_now()
    ticks = [
        threading.Thread(target=lambda: reports.append(lifecycle_tick(now=now, dispatch=enqueue))) for _ in range(2)
    ]
    reports = []
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()
    duplicate = [[enrollment.id, REMINDER_SK] for enrollment in enrollments[:3]]
    enqueue(duplicate)
    enqueue(duplicate)
    expected_tasks = sum(report.batches for report in reports) + 2
    # The workers may claim some records before the second tick reads them; together the ticks found all.
    assert {(e.id, REMINDER_SK) for e in enrollments} <= handed_out

    wait_for(
        lambda: (
            sum(len(_PROCESSED.findall(w.output())) for w in workers) == expected_tasks and queue_idle(celery_queue)
        ),
        message=f"{expected_tasks} batches processed",
        timeout=60,
    )

    for enrollment in enrollments:
        [mail] = smtp_sink.accepted_to(enrollment.user.email)
        sent = record(enrollment.id, REMINDER)
        assert (sent.state, sent.attempts, sent.message_id) == ("SENT", 1, mail.message_id)
        assert audit_actions(enrollment.id, event=REMINDER) == ["LIFECYCLE_SENT"]


@pytest.mark.slow
def test_workers__welcomes_of_new_enrollments__two_ticks_two_workers__each_sent_once_with_its_record_s_message_id(
    smtp_sink, start_worker, celery_queue
):
    now = real_now()
    clock.set_now(now - timedelta(minutes=1))
    try:
        enrollments = [make_enrollment(access_period_days=35) for _ in range(4)]
    finally:
        clock.set_now(None)
    lifecycle_cursor_set(day=(now - timedelta(minutes=1)).date(), now=now)
    workers = [start_worker(smtp_port=smtp_sink.port) for _ in range(2)]
    batches = []

    def enqueue(keys):
        batches.append(keys)
        tasks.process_lifecycle_records.apply_async(args=[keys], queue=celery_queue)

    ticks = [threading.Thread(target=lifecycle_tick, kwargs={"now": now, "dispatch": enqueue}) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()
    enqueue([[e.id, WELCOME_SK] for e in enrollments])  # redelivered

    wait_for(
        lambda: sum(len(_PROCESSED.findall(w.output())) for w in workers) == len(batches) and queue_idle(celery_queue),
        message=f"{len(batches)} batches processed",
        timeout=60,
    )

    for enrollment in enrollments:
        [mail] = smtp_sink.accepted_to(enrollment.user.email)
        sent = record(enrollment.id, WELCOME)
        assert mail.message["X-Lifecycle-Event"] == WELCOME
        assert (sent.state, sent.attempts, sent.message_id) == ("SENT", 1, mail.message_id)
        assert audit_actions(enrollment.id, event=WELCOME) == ["LIFECYCLE_SENT"]


@pytest.mark.slow
def test_worker_killed_after_claiming__record_sent_once_after_its_lease_expires(smtp_sink, start_worker, celery_queue):
    lease = 6
    [enrollment] = _enrollments_due_a_minute_ago(1)
    smtp_sink.hold = True  # the first worker's send hangs after the server took the data
    first = start_worker(smtp_port=smtp_sink.port, LIFECYCLE_LEASE_SECONDS=lease)

    lifecycle_tick(
        now=real_now(),
        dispatch=lambda keys: tasks.process_lifecycle_records.apply_async(args=[keys], queue=celery_queue),
    )
    wait_for(smtp_sink.held.is_set, message="the first worker to be sending")
    claimed = record(enrollment.id, REMINDER)
    assert (claimed.state, claimed.attempts) == ("SENDING", 1)

    first.kill()
    smtp_sink.hold = False
    second = start_worker(smtp_port=smtp_sink.port, LIFECYCLE_LEASE_SECONDS=lease)
    time.sleep(max(0.0, (clock.from_iso(claimed.lease_expires_at) - real_now()).total_seconds()) + 0.5)
    tasks.lifecycle_tick.apply_async(queue=celery_queue)  # beat's tick, run by the surviving worker

    wait_for(lambda: record(enrollment.id, REMINDER).state == "SENT", message="the record to be sent")

    sent = record(enrollment.id, REMINDER)
    [mail] = smtp_sink.accepted_to(enrollment.user.email)
    [cut_off] = smtp_sink.unanswered
    assert (sent.state, sent.attempts, sent.lease_expires_at, sent.due_shard) == ("SENT", 2, None, None)
    # The retried send carries the same Message-ID, so the receiving side can tell it is the same email.
    assert mail.message_id == cut_off.message_id == sent.message_id
    assert audit_actions(enrollment.id, event=REMINDER) == ["LIFECYCLE_SENT"]
    assert "Task enrollments.tasks.lifecycle_tick" in second.output()

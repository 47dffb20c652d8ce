from collections import Counter
from contextlib import nullcontext
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from enrollments import clock
from enrollments.services import lifecycle_cursor_set, lifecycle_records_process, lifecycle_tick
from enrollments.tasks import enqueue_lifecycle_batch


class Command(BaseCommand):
    help = (
        "Run one lifecycle scheduler tick now (or at --now): find every due record from the oldest "
        "pending day on, and process it here, synchronously (or --enqueue it for the workers). "
        "Use it to catch up after beat was down, and in tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the tick's time, ISO 8601 with a zone, not in the future (default: now)")
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the records to Celery workers instead of processing them here"
        )
        parser.add_argument(
            "--from-day",
            help="first read from this UTC day (YYYY-MM-DD): moves the cursor back, e.g. after restoring records",
        )

    def handle(self, *args, now=None, enqueue=False, from_day=None, **options):
        try:
            moment = clock.from_iso(now) if now else clock.now()
            first_day = date.fromisoformat(from_day) if from_day else None
        except ValueError as error:
            raise CommandError(f"Bad date: {error}") from None
        if moment > clock.now():
            raise CommandError(f"--now {clock.to_iso(moment)} is in the future: that tick would send emails early.")
        outcomes = Counter()

        def process(keys):
            outcomes.update(lifecycle_records_process(keys=keys))

        # Only a given time freezes the clock: a live catch-up must take leases on the live clock.
        with clock.frozen(moment) if now else nullcontext():
            if first_day:
                lifecycle_cursor_set(day=first_day, now=moment)
            report = lifecycle_tick(now=moment, dispatch=enqueue_lifecycle_batch if enqueue else process)
        self.stdout.write(
            f"Tick at {clock.to_iso(moment)}: read {report.partitions_read} partitions "
            f"({report.first_day}..{report.last_day}), {report.records_found} due records in {report.batches} batches; "
            f"cursor {report.cursor_before} -> {report.cursor_after}."
        )
        if enqueue:
            self.stdout.write(f"Enqueued {report.batches} batches for the workers.")
        else:
            self.stdout.write(", ".join(f"{name} {outcomes[name]}" for name in sorted(outcomes)) or "Nothing was due.")

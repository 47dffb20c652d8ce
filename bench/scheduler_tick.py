"""One scheduler tick against a table of P pending records not yet due and D due ones.

    python bench/scheduler_tick.py [--p-small 1000] [--p-large 100000] [--due 200] [--repeats 15]
    python bench/scheduler_tick.py --quick          # P = 1,000 and 10,000

Two tables, one per P, each with the same D records due (yesterday and today) and
P records due over the next year. The tick hands out the due records (it does not
process them, so every repeat reads the same); ticks on the two tables alternate so
that load from elsewhere on the machine hits both alike. Items read are counted from
DynamoDB's answers (``ScannedCount`` of each Query, one per GetItem). The naive
baseline Scans the whole table for pending records due now, as a tick without the
``due`` index would. Last line:
``tick: reads P100k/P1k = <r>x, seconds P100k/P1k = <s>x, naive scan reads = <n>x ours``.
"""

import argparse
import random
import time
import uuid
from datetime import datetime, timedelta

from _tables import ReadCounter, alternate, human, load, main_on_stack, prefixes, size_options, use_table


def records(count: int, *, now: datetime, due: bool):
    """Yield ``count`` pending lifecycle records, due since yesterday's start (``due``) or over the next year."""
    from enrollments.clock import to_iso
    from enrollments.dynamo import keys
    from enrollments.dynamo.models import LifecycleRecordItem, PersonAttribute
    from enrollments.rules import EVENTS

    for n in range(count):
        enrollment_id, event = str(uuid.uuid4()), random.choice(EVENTS)
        if due:
            # Since yesterday's start (UTC), where the cursor points: 36 hours back reached two days ago before noon.
            yesterday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
            at = (
                now
                - timedelta(minutes=1)
                - timedelta(seconds=random.uniform(0, (now - yesterday).total_seconds() - 120))
            )
        else:
            at = now + timedelta(minutes=1) + timedelta(seconds=random.uniform(0, 365 * 86400))
        yield LifecycleRecordItem(
            *keys.schedule(enrollment_id, event),
            created_at=to_iso(now),
            event=event,
            due_at=to_iso(at),
            scheduled_for=to_iso(at),
            state="PENDING",
            attempts=0,
            recipient=PersonAttribute(id=str(uuid.uuid4()), name=f"Learner {n}", email=f"learner{n}@example.com"),
            course_name="NR-35 Trabalho em Altura",
            tenant_id="bench-tenant",
            due_shard=keys.due_shard(enrollment_id=enrollment_id, event=event, due_at=at),
        )


def build_table(prefix: str, *, pending: int, due: int, now: datetime, threads: int) -> None:
    from enrollments.services import lifecycle_cursor_set

    use_table(prefix)
    started = time.perf_counter()
    load(records(due, now=now, due=True), threads)
    load(records(pending, now=now, due=False), threads)
    # The oldest day that holds pending records due: yesterday.
    lifecycle_cursor_set(day=(now - timedelta(days=1)).date(), now=now)
    print(
        f"loaded {pending:,} pending + {due} due records into {prefix}* in {time.perf_counter() - started:.1f}s",
        flush=True,
    )


def ticker(now: datetime, expected: int):
    """Return a call of one tick at ``now`` that hands out the due records without processing them."""
    from enrollments.services import lifecycle_tick

    def tick():
        handed_out = []
        report = lifecycle_tick(now=now, dispatch=handed_out.extend)
        assert report.records_found == len(handed_out) == expected, (report.records_found, expected)

    return tick


def naive_scan(prefix: str, now: datetime, counter: ReadCounter, expected: int) -> tuple[int, float]:
    """Find the due records the way a tick without the index would: Scan the table, filter on the attributes."""
    from enrollments.clock import to_iso
    from enrollments.dynamo.models import LifecycleRecordItem

    use_table(prefix)
    counter.reset()
    started = time.perf_counter()
    found = list(
        LifecycleRecordItem.scan(LifecycleRecordItem.due_shard.exists() & (LifecycleRecordItem.due_at <= to_iso(now)))
    )
    seconds = time.perf_counter() - started
    assert len(found) == expected, (len(found), expected)
    return counter.items, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_options(parser, "p", due=200, quick_help="P = 1,000 and 10,000")
    main_on_stack(parser, run)


def run(args):
    from enrollments import clock

    random.seed(7)
    now = clock.now()
    small, large = prefixes()
    build_table(small, pending=args.small, due=args.due, now=now, threads=args.threads)
    build_table(large, pending=args.large, due=args.due, now=now, threads=args.threads)
    counter = ReadCounter()
    tick_reads, tick_seconds = alternate(ticker(now, args.due), counter, (small, large), args.repeats)
    naive_reads, naive_seconds = naive_scan(large, now, counter, args.due)

    for prefix, pending in ((small, args.small), (large, args.large)):
        print(
            f"P={pending:>7,}: tick reads {tick_reads[prefix]:,.0f} items in {tick_seconds[prefix] * 1000:.1f} ms (median of {args.repeats})"
        )
    print(f"P={args.large:>7,}: naive Scan reads {naive_reads:,} items in {naive_seconds * 1000:.0f} ms")
    label = f"P{human(args.large)}/P{human(args.small)}"
    print(
        f"tick: reads {label} = {tick_reads[large] / tick_reads[small]:.2f}x, "
        f"seconds {label} = {tick_seconds[large] / tick_seconds[small]:.2f}x, "
        f"naive scan reads = {naive_reads / tick_reads[large]:.0f}x ours"
    )


if __name__ == "__main__":
    main()

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
import os
import random
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from _setup import add_rtt_option, start_dynamodb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH_WRITE_CHUNK = 2000


def start_stack(rtt_ms: float):
    """Start DynamoDB Local in memory (behind the latency proxy with ``rtt_ms``) and Django on it; return the stack."""
    process, endpoint = start_dynamodb(rtt_ms=rtt_ms)
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    return process


_tables: dict[str, dict] = {}


def use_table(prefix: str) -> None:
    """Point every model at the tables of ``prefix``, creating them the first time.

    PynamoDB keeps one connection (one botocore client) per model class and table;
    switching back restores the ones made before, so no tick pays for a new client.
    """
    from django.conf import settings

    from enrollments.dynamo import connection

    if prefix not in _tables:
        settings.DYNAMODB_TABLE_PREFIX = prefix
        connection.configure()
        connection.create_tables()
        _tables[prefix] = {
            "names": {base: base.Meta.table_name for base in connection.TABLE_BASE_NAMES},
            "connections": {},
        }
    state = _tables[prefix]
    settings.DYNAMODB_TABLE_PREFIX = prefix
    for base, name in state["names"].items():
        base.Meta.table_name = name
    for model in connection._all_models():
        if model in state["connections"]:
            model._connection = state["connections"][model]
        else:
            model._connection = None
            state["connections"][model] = model._get_connection()


class ReadCounter:
    """Count the items DynamoDB reads for the calls PynamoDB makes, and which operations they were."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.items = 0
        self.operations: set[str] = set()
        original = Connection._make_api_call
        counter = self

        def counting(connection_self, operation_name, operation_kwargs):
            response = original(connection_self, operation_name, operation_kwargs)
            counter.operations.add(operation_name)
            if operation_name in ("Query", "Scan"):
                counter.items += response.get("ScannedCount", 0)
            elif operation_name == "GetItem":
                counter.items += 1 if "Item" in response else 0
            return response

        Connection._make_api_call = counting

    def reset(self):
        self.items, self.operations = 0, set()


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


def load(items, threads: int) -> None:
    """Write ``items`` with BatchWriteItem from ``threads`` threads."""
    from enrollments.dynamo.models import LifecycleRecordItem

    def write(chunk):
        with LifecycleRecordItem.batch_write() as batch:
            for item in chunk:
                batch.save(item)

    items = list(items)
    chunks = [items[i : i + BATCH_WRITE_CHUNK] for i in range(0, len(items), BATCH_WRITE_CHUNK)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, chunks))


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


def tick_once(prefix: str, now: datetime, counter: ReadCounter, expected: int) -> tuple[int, float]:
    from enrollments.services import lifecycle_tick

    use_table(prefix)
    handed_out = []
    counter.reset()
    started = time.perf_counter()
    report = lifecycle_tick(now=now, dispatch=handed_out.extend)
    seconds = time.perf_counter() - started
    assert report.records_found == len(handed_out) == expected, (report.records_found, expected)
    assert "Scan" not in counter.operations, counter.operations
    return counter.items, seconds


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


def human(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--p-small", type=int, default=1_000)
    parser.add_argument("--p-large", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="P = 1,000 and 10,000")
    add_rtt_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.p_large = 10_000
    process = start_stack(args.rtt_ms)
    try:
        run(args)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(args):
    from enrollments import clock

    random.seed(7)
    now = clock.now()
    run_id = uuid.uuid4().hex[:6]
    small, large = f"bench{run_id}s_", f"bench{run_id}l_"
    build_table(small, pending=args.p_small, due=args.due, now=now, threads=args.threads)
    build_table(large, pending=args.p_large, due=args.due, now=now, threads=args.threads)
    counter = ReadCounter()

    for prefix in (small, large):  # warm up connections and caches alike
        tick_once(prefix, now, counter, args.due)
    reads, seconds = {small: [], large: []}, {small: [], large: []}
    for _ in range(args.repeats):
        for prefix in (small, large):
            items, elapsed = tick_once(prefix, now, counter, args.due)
            reads[prefix].append(items)
            seconds[prefix].append(elapsed)
    naive_reads, naive_seconds = naive_scan(large, now, counter, args.due)

    tick_reads = {prefix: statistics.median(values) for prefix, values in reads.items()}
    tick_seconds = {prefix: statistics.median(values) for prefix, values in seconds.items()}
    for prefix, pending in ((small, args.p_small), (large, args.p_large)):
        print(
            f"P={pending:>7,}: tick reads {tick_reads[prefix]:,.0f} items in {tick_seconds[prefix] * 1000:.1f} ms (median of {args.repeats})"
        )
    print(f"P={args.p_large:>7,}: naive Scan reads {naive_reads:,} items in {naive_seconds * 1000:.0f} ms")
    label = f"P{human(args.p_large)}/P{human(args.p_small)}"
    print(
        f"tick: reads {label} = {tick_reads[large] / tick_reads[small]:.2f}x, "
        f"seconds {label} = {tick_seconds[large] / tick_seconds[small]:.2f}x, "
        f"naive scan reads = {naive_reads / tick_reads[large]:.0f}x ours"
    )


if __name__ == "__main__":
    main()

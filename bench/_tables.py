"""Shared parts of the benchmarks that compare a small table with a large one (``scheduler_tick.py``,
``renewal_tick.py``): Django on DynamoDB Local without tables of its own, switching every model between tables of
two prefixes, loading items in batches, counting the items DynamoDB reads, and alternating the measured calls."""

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from _setup import add_rtt_option, start_dynamodb

BATCH_WRITE_CHUNK = 2000


def size_options(parser: argparse.ArgumentParser, letter: str, *, due: int, quick_help: str) -> None:
    """Add the options of a small-against-large run: ``--<letter>-small``, ``--<letter>-large``, ``--due``,
    ``--repeats``, ``--threads``, ``--quick`` (large = 10,000) and ``--rtt-ms``."""
    parser.add_argument(f"--{letter}-small", dest="small", type=int, default=1_000)
    parser.add_argument(f"--{letter}-large", dest="large", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=due)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    add_rtt_option(parser)


def main_on_stack(parser: argparse.ArgumentParser, run: Callable) -> None:
    """Parse the options, start DynamoDB Local (behind the latency proxy) and Django on it, call ``run(args)``, stop."""
    args = parser.parse_args()
    if args.quick:
        args.large = 10_000
    stack, endpoint = start_dynamodb(rtt_ms=args.rtt_ms)
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    try:
        run(args)
    finally:
        stack.terminate()
        stack.wait(timeout=10)


def prefixes() -> tuple[str, str]:
    """Return the table prefixes of this run's small and large tables."""
    run_id = uuid.uuid4().hex[:6]
    return f"bench{run_id}s_", f"bench{run_id}l_"


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
    """Count the items DynamoDB reads for the calls PynamoDB makes (``ScannedCount`` of each Query and Scan, one per
    item of a GetItem or BatchGetItem), and which operations they were."""

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
            elif operation_name == "BatchGetItem":
                counter.items += sum(len(items) for items in response.get("Responses", {}).values())
            return response

        Connection._make_api_call = counting

    def reset(self):
        self.items, self.operations = 0, set()


def load(items, threads: int) -> None:
    """Write ``items`` with BatchWriteItem from ``threads`` threads (one batch per model class)."""
    items = list(items)
    chunks = [items[i : i + BATCH_WRITE_CHUNK] for i in range(0, len(items), BATCH_WRITE_CHUNK)]

    def write(chunk):
        by_model: dict[type, list] = {}
        for item in chunk:
            by_model.setdefault(type(item), []).append(item)
        for model, of_model in by_model.items():
            with model.batch_write() as batch:
                for item in of_model:
                    batch.save(item)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, chunks))


def measure(call: Callable, counter: ReadCounter, prefix: str) -> tuple[int, float, object]:
    """Call ``call()`` on the tables of ``prefix``; return the items it read, its seconds and what it returned."""
    use_table(prefix)
    counter.reset()
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    assert "Scan" not in counter.operations, counter.operations
    return counter.items, seconds, result


def alternate(call: Callable, counter: ReadCounter, tables: tuple[str, str], repeats: int) -> tuple[dict, dict]:
    """Warm both tables up with one call each, then call ``call()`` ``repeats`` times on each, the two tables in
    turn (so load from elsewhere on the machine hits both alike); return the median items read and seconds per
    prefix."""
    for prefix in tables:
        measure(call, counter, prefix)
    reads: dict[str, list] = {prefix: [] for prefix in tables}
    seconds: dict[str, list] = {prefix: [] for prefix in tables}
    for _ in range(repeats):
        for prefix in tables:
            items, elapsed, _result = measure(call, counter, prefix)
            reads[prefix].append(items)
            seconds[prefix].append(elapsed)
    return (
        {prefix: statistics.median(values) for prefix, values in reads.items()},
        {prefix: statistics.median(values) for prefix, values in seconds.items()},
    )


def human(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)

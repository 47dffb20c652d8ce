"""Benchmark of CSV imports: rows per second of an import through Celery workers, against the same run's
raw TransactWriteItems ceiling and one-at-a-time ``enroll`` calls; how the import scales from one worker process
to two; and the peak memory of a big preview.

    .venv/bin/python bench/import_throughput.py                      # the issue's sizes: 10,000 rows, preview of 100,000
    .venv/bin/python bench/import_throughput.py --rows 2000 --baseline-rows 200 --preview-rows 10000 --rtt-ms 10

It starts its own DynamoDB Local (behind the latency proxy with ``--rtt-ms``: see
docs/benchmarks.md) and two Celery workers, one of ``--processes`` pool processes and one
of ``--scaled-processes``, each with ``--threads`` rows at once per process
(IMPORT_THREADS). The same number of rows is imported four times, through the workers
in turn (1, 2, 2, 1 processes), so that load from elsewhere on the machine falls on
both alike. The raw ceiling sends the very requests the import sends (built by the same
transaction builder, for other people and seats): one consistent BatchGetItem of the rows' enrollments
per 100 rows and their side items (name words, tenant metadata, the records that hold no ``due`` entry) with BatchWriteItem, 25 at a time
(``services.side_items``), then each row's TransactWriteItems, from ``--processes`` processes and the
same threads, half before and half after the imports; with ``--scaled-processes``, from that many processes too, so the
last line says whether the store itself takes more transactions from more processes (DynamoDB
Local does not: it runs one transaction at a time, see docs/benchmarks.md). The preview runs
in a fresh process whose peak resident memory is reported. Redis must answer at
CELERY_BROKER_URL (``make broker``). Last line:
``import: <r> rows/s = <p>% of raw ceiling, <x>x one-at-a-time, preview <n> rows peak <m> MB,
2 workers / 1 = <s>x (<r2> rows/s = <x2>x one-at-a-time; raw ceiling 2 / 1 = <c>x), rtt <t> ms``.
"""

import argparse
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _setup import ROOT, add_rtt_option, start_dynamodb

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--rows", type=int, default=10_000, help="rows of the imported file (and of the raw ceiling run)"
    )
    parser.add_argument(
        "--baseline-rows", type=int, default=1_000, help="rows enrolled one at a time for the baseline rate"
    )
    parser.add_argument("--preview-rows", type=int, default=100_000, help="rows of the previewed file")
    # One pool process: on a 2-core machine DynamoDB Local (Java) needs the CPU a second Python process would take.
    parser.add_argument("--processes", type=int, default=1, help="worker pool processes (and raw ceiling processes)")
    parser.add_argument("--threads", type=int, default=8, help="rows enrolled at once per process (IMPORT_THREADS)")
    parser.add_argument("--chunk-rows", type=int, default=200, help="rows per worker task (IMPORT_CHUNK_ROWS)")
    parser.add_argument(
        "--scaled-processes",
        type=int,
        default=2,
        help="pool processes of a second worker that imports the same rows again, for the scaling ratio (0: skip)",
    )
    add_rtt_option(parser)
    parser.add_argument("--preview-child", nargs=3, metavar=("FILE", "TENANT", "COURSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.preview_child:
        _preview_child(*args.preview_child)
        return
    if args.scaled_processes == args.processes:
        parser.error("--scaled-processes must differ from --processes (or be 0)")
    run(args)


def run(args) -> None:
    dynamo, endpoint = start_dynamodb(rtt_ms=args.rtt_ms)
    token = uuid.uuid4().hex[:8]
    os.environ.update(
        {
            # The workers, the raw ceiling's processes and the preview's read it: all go through the proxy.
            "DYNAMODB_ENDPOINT": endpoint,
            "DYNAMODB_TABLE_PREFIX": f"bench{token}_",
            "IMPORT_THREADS": str(args.threads),
            "IMPORT_CHUNK_ROWS": str(args.chunk_rows),
            "IMPORT_MAX_ROWS": str(max(100_000, args.preview_rows, args.rows)),
        }
    )
    # One worker per pool size, each on a queue of its own, both started before the clock runs; the imports
    # alternate 1, 2, 2, 1 so that load from elsewhere on the machine falls on both sizes alike.
    sizes = [args.processes] + ([args.scaled_processes] if args.scaled_processes else [])
    queues = {processes: f"bench-imports-{token}-{processes}" for processes in sizes}
    order = [sizes[0], sizes[1], sizes[1], sizes[0]] if len(sizes) == 2 else [sizes[0]]
    workers = []
    try:
        import django

        django.setup()
        from enrollments.dynamo import connection

        connection.configure()
        connection.create_tables()
        workers = [_start_worker(processes, queue) for processes, queue in queues.items()]

        print(
            f"setup: seats for {(len(order) + 1) * args.rows + args.baseline_rows} enrollments and more ...", flush=True
        )
        for processes in sizes:
            _warm_up(processes, args.chunk_rows, queues[processes])
        imports = [_prepaid_company(f"import-{n}", args.rows) for n in range(len(order))]
        halves = (args.rows // 2, args.rows - args.rows // 2)
        raw_companies = {
            processes: [_prepaid_company(f"raw-{processes}-{n}", half) for n, half in enumerate(halves)]
            for processes in sizes
        }
        baseline = _prepaid_company("one-at-a-time", args.baseline_rows)

        # The raw ceiling runs half before and half after the imports, so both see the machine's same load.
        raw = {
            processes: [_raw_run(raw_companies[processes][0], halves[0], processes=processes, threads=args.threads)]
            for processes in sizes
        }
        seconds = dict.fromkeys(sizes, 0.0)
        for processes, target in zip(order, imports, strict=True):
            before = _cpu_snapshot(dynamo.processes[0].pid)
            rate, job = _import_rate(target, args.rows, queue=queues[processes])
            emulator_ms, busy = _cpu_since(before, dynamo.processes[0].pid)
            seconds[processes] += args.rows / rate
            print(
                f"import of {args.rows} rows through {processes} worker processes x {args.threads} threads: "
                f"{rate:.1f} rows/s ({job.enrolled} enrolled, {job.rows_done - job.enrolled} not{_not_enrolled(job)}); "
                f"DynamoDB Local CPU {emulator_ms / args.rows:.1f} ms a row, machine {100 * busy:.0f}% busy",
                flush=True,
            )
        rates = {processes: order.count(processes) * args.rows / seconds[processes] for processes in sizes}
        import_rate = rates[args.processes]
        for processes in reversed(sizes):  # 1, 2 before the imports; 2, 1 after
            raw[processes].append(
                _raw_run(raw_companies[processes][1], halves[1], processes=processes, threads=args.threads)
            )
        raw_rates = {}
        for processes in sizes:
            (sent_before, took_before), (sent_after, took_after) = raw[processes]
            raw_rates[processes] = (sent_before + sent_after) / (took_before + took_after)
            print(
                f"raw TransactWriteItems ceiling, the same items, {processes} processes x {args.threads} threads: "
                f"{raw_rates[processes]:.1f} tx/s ({sent_before / took_before:.1f} before the imports, "
                f"{sent_after / took_after:.1f} after)",
                flush=True,
            )
        raw_rate = raw_rates[args.processes]
        baseline_rate = _baseline_rate(baseline, args.baseline_rows)
        print(f"one-at-a-time enroll() of {args.baseline_rows} rows: {baseline_rate:.1f} rows/s", flush=True)
        peak_mb, idle_mb, previewed = _preview_peak(args.preview_rows, imports[0])
        print(
            f"preview of {previewed} rows in a fresh process: peak resident memory {peak_mb:.0f} MB "
            f"({idle_mb:.0f} MB before the preview)",
            flush=True,
        )
    finally:
        for worker in workers:
            _stop_worker(worker)
        if workers:
            _drop_queues(queues.values())
        dynamo.terminate()
        dynamo.wait(timeout=30)
    size = f"{args.preview_rows // 1000}k" if args.preview_rows % 1000 == 0 else str(args.preview_rows)
    scaling = ""
    if args.scaled_processes:
        scaled_rate = rates[args.scaled_processes]
        scaling = (
            f", {args.scaled_processes} workers / {args.processes} = {scaled_rate / import_rate:.2f}x "
            f"({scaled_rate:.1f} rows/s = {scaled_rate / baseline_rate:.1f}x one-at-a-time; "
            f"raw ceiling {args.scaled_processes} / {args.processes} = "
            f"{raw_rates[args.scaled_processes] / raw_rate:.2f}x)"
        )
    print(
        f"import: {import_rate:.1f} rows/s = {100 * import_rate / raw_rate:.0f}% of raw ceiling, "
        f"{import_rate / baseline_rate:.1f}x one-at-a-time, preview {size} rows peak {peak_mb:.0f} MB"
        f"{scaling}, rtt {args.rtt_ms:g} ms"
    )


def _not_enrolled(job) -> str:
    """Return what became of the rows of ``job`` not enrolled (every row of the file should be): ``: <result> <message>``."""
    from enrollments.imports.downloads import import_report_rows
    from enrollments.imports.outcomes import ENROLLED

    if job.enrolled == job.rows_done:
        return ""
    others = [(row[3], row[5]) for row in import_report_rows(job.job_id) if row[3] != ENROLLED]
    return "".join(f": {result} {message!r}" for result, message in others[:3])


def _cpu_snapshot(pid: int) -> tuple[float, int, int]:
    """Return the CPU seconds process ``pid`` used so far, and the machine's busy and total jiffies (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    jiffies = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle, iowait
    return used, sum(jiffies) - idle, sum(jiffies)


def _cpu_since(before: tuple[float, int, int], pid: int) -> tuple[float, float]:
    """Return the CPU milliseconds ``pid`` used since ``before``, and the share of the machine busy meanwhile."""
    after = _cpu_snapshot(pid)
    return 1000 * (after[0] - before[0]), (after[1] - before[1]) / max(1, after[2] - before[2])


def _warm_up(processes: int, chunk_rows: int, queue: str) -> None:
    """Import a chunk per pool process: starts the worker's processes, their connections and DynamoDB Local's JIT."""
    rows = processes * chunk_rows
    _import_rate(_prepaid_company(f"warm-up-{processes}", rows), rows, queue=queue)


def _stop_worker(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)


def _start_worker(processes: int, queue: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "backoffice",
        "worker",
        "-Q",
        queue,
        "--concurrency",
        str(processes),
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "IMPORTS_QUEUE": queue},  # where a chunk's retry goes
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _drop_queues(queues) -> None:
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queues)


def _prepaid_company(label: str, seats: int):
    from enrollments.rules import MAX_SEATS_PER_ORDER
    from enrollments.services import Author, company_create, course_create, order_create

    company = company_create(name=f"Bench {label}", billing="prepaid")
    course = course_create(name=f"Bench course {label}", access_period_days=90, certificate_validity_days=365)
    author = Author(id="bench", name="Bench")
    for start in range(0, seats, MAX_SEATS_PER_ORDER):
        order_create(
            tenant_id=company.id, course_id=course.id, seats=min(MAX_SEATS_PER_ORDER, seats - start), author=author
        )
    return company, course


def _csv(company, course, rows: int, tag: str) -> bytes:
    lines = ["name,email,course"] + [f"Person {i},{tag}{i}.{company.id}@example.com,{course.id}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _import_rate(target, rows: int, *, queue: str):
    """Return rows/s from the call that starts the job (its chunks queued on ``queue``) to the job's DONE, and the job."""
    from django.conf import settings

    from enrollments.imports import selectors as import_selectors
    from enrollments.imports import services as import_services
    from enrollments.imports.kind import IMPORT
    from enrollments.jobs.states import DONE, FAILED
    from enrollments.jobs.tasks import enqueue_for
    from enrollments.services import Author

    company, course = target
    data = _csv(company, course, rows, "imp")
    settings.IMPORTS_QUEUE = queue
    started = time.perf_counter()
    job = import_services.import_start(
        file=io.BytesIO(data),
        file_name="bench.csv",
        tenant_id=company.id,
        author=Author(id="bench", name="Bench"),
        enqueue=enqueue_for(IMPORT),
    )
    print(f"  import_start of {rows} rows: {time.perf_counter() - started:.2f} s", flush=True)
    while (job := import_selectors.import_job_get(job.job_id)).state not in (DONE, FAILED):
        time.sleep(0.25)
    return rows / (time.perf_counter() - started), job


def _raw_run(target, rows: int, *, processes: int, threads: int) -> tuple[int, float]:
    """Send the import's own items for ``rows`` people straight through botocore; return (transactions, seconds)."""
    from enrollments import clock, selectors
    from enrollments.dynamo.models import MainItem
    from enrollments.services import Author, Person
    from enrollments.services.enroll import _enroll_transaction, _later_records
    from enrollments.services.side_items import stored_side_items

    company, course = target
    seats = list(selectors.free_seats(tenant_id=company.id, course_id=course.id, limit=rows))
    author = Author(id="bench", name="Bench")
    requests, words, reads = [], [], []
    for i, seat in enumerate(seats):
        now = clock.now()
        tx, enrollment = _enroll_transaction(
            enrollment_id=str(uuid.uuid4()),
            person=Person(name=f"Person {i}", email=f"raw{i}.{company.id}@example.com"),
            existing_user=None,
            company=company,
            course=course,
            author=author,
            window_days=None,
            source="csv:bench",
            seat=seat,
            now=now,
        )
        sides = [*stored_side_items(enrollment), *_later_records(enrollment, welcome=True, now=now)]
        words.extend({"PutRequest": {"Item": item.serialize()}} for item in sides)
        reads.append({"id": {"S": enrollment.id}, "sk": {"S": enrollment.sk}})
        requests.append(_request_of(tx))
    global _RAW_REQUESTS, _RAW_WORDS, _RAW_READS
    _RAW_REQUESTS = requests
    # The side items go in BatchWriteItem requests of 25 before the transactions, as an import's chunk sends, after
    # one consistent BatchGetItem of the enrollments per 100 rows.
    table = MainItem.Meta.table_name
    _RAW_WORDS = [{table: words[start : start + 25]} for start in range(0, len(words), 25)]
    _RAW_READS = [
        {table: {"Keys": reads[start : start + 100], "ConsistentRead": True, "ProjectionExpression": "id, sk, kind"}}
        for start in range(0, len(reads), 100)
    ]
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(processes + 1)
    children = [
        context.Process(target=_raw_child, args=(index, processes, threads, ready)) for index in range(processes)
    ]
    for child in children:
        child.start()
    ready.wait()  # every child has its client: start the clock
    started = time.perf_counter()
    for child in children:
        child.join()
    elapsed = time.perf_counter() - started
    _RAW_REQUESTS, _RAW_WORDS, _RAW_READS = [], [], []
    if any(child.exitcode for child in children):
        raise RuntimeError("a raw ceiling process failed")
    return len(requests), elapsed


_RAW_REQUESTS: list[dict] = []
_RAW_WORDS: list[dict] = []
_RAW_READS: list[dict] = []


def _request_of(tx) -> dict:
    """Return the TransactWriteItems request ``tx.commit()`` sends, without sending it."""
    from pynamodb.connection.base import Connection

    from enrollments.dynamo import transactions

    class Capture(Connection):
        request: dict = {}

        def dispatch(self, operation_name, operation_kwargs):
            # What Connection.dispatch adds before sending, when the request does not say.
            if "ReturnConsumedCapacity" not in operation_kwargs:
                operation_kwargs.update(self.get_consumed_capacity_map("TOTAL"))
            Capture.request = operation_kwargs
            return {}

    capture = Capture(host="http://unused")
    real = transactions.connection
    transactions.connection = lambda: capture
    try:
        tx.commit()
    finally:
        transactions.connection = real
    return Capture.request


def _raw_child(index: int, processes: int, threads: int, ready) -> None:
    import botocore.config
    import botocore.session
    from django.conf import settings

    client = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=settings.DYNAMODB_ENDPOINT,
        region_name=settings.DYNAMODB_REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        # As PynamoDB configures its clients: no parameter validation, no retries hiding failures.
        config=botocore.config.Config(
            max_pool_connections=threads * 2, parameter_validation=False, retries={"max_attempts": 1}
        ),
    )
    mine, my_words = _RAW_REQUESTS[index::processes], _RAW_WORDS[index::processes]
    my_reads = _RAW_READS[index::processes]
    ready.wait()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda keys: client.batch_get_item(RequestItems=keys), my_reads))
        list(pool.map(lambda words: client.batch_write_item(RequestItems=words), my_words))
        list(pool.map(lambda request: client.transact_write_items(**request), mine))


def _baseline_rate(target, rows: int) -> float:
    from enrollments.services import Author, Person, enroll

    company, course = target
    author = Author(id="bench", name="Bench")
    started = time.perf_counter()
    for i in range(rows):
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=Person(name=f"Person {i}", email=f"one{i}.{company.id}@example.com"),
            author=author,
            source="bench",
        )
    return rows / (time.perf_counter() - started)


def _preview_peak(rows: int, target) -> tuple[float, float, int]:
    """Return the peak and the idle resident memory (MB) of a fresh process previewing a file of ``rows`` rows."""
    company, course = target
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "preview.csv"
        with open(path, "w", encoding="utf-8") as out:
            out.write("nome;e-mail;cpf;curso;janela (dias)\n")
            for i in range(rows):
                out.write(f"Pessoa Número {i};preview{i}.{company.id}@example.com;;{course.id};\n")
        child = subprocess.run(
            [sys.executable, __file__, "--preview-child", str(path), company.id, course.id],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=True,
        )
    peak, idle, previewed = child.stdout.split()[-3:]
    return float(peak), float(idle), int(previewed)


def _memory_mb(field: str) -> float:
    """Return a memory figure of this process from /proc (VmHWM is the peak resident set, reset by exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _preview_child(path: str, tenant_id: str, course_id: str) -> None:
    import django

    django.setup()
    from enrollments.imports.preview import import_preview

    idle = _memory_mb("VmRSS")
    with open(path, "rb") as stream:
        preview = import_preview(file=stream, file_name=path, tenant_id=tenant_id)
    print(_memory_mb("VmHWM"), idle, preview.rows_total)


if __name__ == "__main__":
    main()

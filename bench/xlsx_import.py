"""Benchmark of .xlsx imports: rows per second of an import of a workbook against the same rows as CSV, in the
same run, through the same path as ``import_throughput.py`` (``import_start`` with ``enqueue_for(IMPORT)``, then a
Celery worker enrolls the chunks); and the peak memory of a big workbook's preview.

    .venv/bin/python bench/xlsx_import.py                     # 2,000 rows each way, preview of 100,000
    .venv/bin/python bench/xlsx_import.py --rows 1000 --preview-rows 10000   # a quick check

``xlsx_vs_csv_ratio(rows)`` is the comparison alone, for other benchmarks (``report_export.py``): it needs
Django set up on DynamoDB Local (``_setup.start_stack``) and Redis at CELERY_BROKER_URL (``make broker``), and
starts and stops its own worker. The workbook is written by openpyxl: text as inline strings, which openpyxl
reads more slowly than the shared strings Excel writes (the harder case), CPFs stored as numbers.
Last line: ``xlsx import: <x> of CSV``.
"""

import argparse
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

HEADER = ["nome", "e-mail", "cpf", "curso"]


def xlsx_vs_csv_ratio(rows: int) -> float:
    """Return the rows/s of an .xlsx import over the rows/s of a CSV import of the same rows, measured now."""
    import import_throughput
    from django.conf import settings

    queue = f"bench-xlsx-{uuid.uuid4().hex[:8]}"
    os.environ["IMPORTS_QUEUE"] = settings.IMPORTS_QUEUE = queue
    worker = import_throughput._start_worker(1, queue)
    try:
        # Starts the worker's process, connections and DynamoDB Local's JIT.
        _import_rate(import_throughput._prepaid_company("xlsx warm-up", 200), 200, xlsx=False)
        targets = [import_throughput._prepaid_company(f"xlsx bench {i}", rows) for i in range(4)]
        # CSV, xlsx, xlsx, CSV: both meet the machine's same load.
        csv_first = _import_rate(targets[0], rows, xlsx=False)
        xlsx_rates = [_import_rate(target, rows, xlsx=True) for target in targets[1:3]]
        csv_last = _import_rate(targets[3], rows, xlsx=False)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        import_throughput._drop_queues([queue])
    csv_rate, xlsx_rate = (csv_first + csv_last) / 2, sum(xlsx_rates) / 2
    print(f"import of {rows} rows: CSV {csv_rate:.1f} rows/s, xlsx {xlsx_rate:.1f} rows/s", flush=True)
    return xlsx_rate / csv_rate


def _rows(company, course, count: int, tag: str) -> list[list]:
    # One person per CPF: each file's people have CPFs of their own (a random start), as new people would.
    start = random.randrange(10**9)
    return [[f"Pessoa {i}", f"{tag}{i}.{company.id}@example.com", _cpf(start + i), course.id] for i in range(count)]


def _cpf(number: int) -> str:
    """Return a valid CPF, as 11 digits: many begin with zeros."""
    digits = [int(d) for d in f"{(number * 7919 + 1) % 10**9:09d}"]
    for length in (9, 10):
        total = sum(d * (length + 1 - i) for i, d in enumerate(digits[:length]))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def _csv_bytes(rows: list[list]) -> bytes:
    return ("\n".join(";".join(row) for row in [HEADER, *rows]) + "\n").encode()


def _xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    # Normal mode: the sheet's size declared first, as Excel saves it (text stays inline strings).
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for name, email, cpf, course in rows:
        # A CPF as a spreadsheet stores one typed without punctuation: a number (the import pads it back).
        sheet.append([name, email, int(cpf), course])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import_rate(target, rows: int, *, xlsx: bool) -> float:
    """Return rows/s from the call that starts the job to the job's DONE."""
    from enrollments.imports import selectors as import_selectors
    from enrollments.imports import services as import_services
    from enrollments.imports.kind import IMPORT
    from enrollments.jobs.states import DONE, FAILED
    from enrollments.jobs.tasks import enqueue_for
    from enrollments.services import Author

    company, course = target
    people = _rows(company, course, rows, "x" if xlsx else "c")
    data = _xlsx_bytes(people) if xlsx else _csv_bytes(people)
    started = time.perf_counter()
    job = import_services.import_start(
        file=io.BytesIO(data),
        file_name="bench.xlsx" if xlsx else "bench.csv",
        tenant_id=company.id,
        author=Author(id="bench", name="Bench"),
        enqueue=enqueue_for(IMPORT),
    )
    prepared = time.perf_counter() - started
    while (job := import_selectors.import_job_get(job.job_id)).state not in (DONE, FAILED):
        time.sleep(0.25)
    elapsed = time.perf_counter() - started
    if job.enrolled != rows:
        raise RuntimeError(f"{job.enrolled} of {rows} rows enrolled ({job.state})")
    print(f"  {'xlsx' if xlsx else 'CSV '}: import_start {prepared:.2f} s, done in {elapsed:.2f} s", flush=True)
    return rows / elapsed


def _preview_peak(rows: int) -> tuple[float, float, int, float]:
    """Return the peak and idle resident memory (MB) of a fresh process previewing a workbook of ``rows`` rows, the
    rows it read and its seconds."""
    import import_throughput

    company, course = import_throughput._prepaid_company("xlsx preview", 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "preview.xlsx"
        path.write_bytes(_xlsx_bytes(_rows(company, course, rows, "p")))
        child = subprocess.run(
            [sys.executable, __file__, "--preview-child", str(path), company.id],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=True,
        )
    peak, idle, previewed, seconds = child.stdout.split()[-4:]
    return float(peak), float(idle), int(previewed), float(seconds)


def _preview_child(path: str, tenant_id: str) -> None:
    import django

    django.setup()
    from import_throughput import _memory_mb

    from enrollments.imports.preview import import_preview

    idle = _memory_mb("VmRSS")
    started = time.perf_counter()
    with open(path, "rb") as stream:
        preview = import_preview(file=stream, file_name=path, tenant_id=tenant_id)
    print(_memory_mb("VmHWM"), idle, preview.rows_total, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000, help="rows of each imported file")
    parser.add_argument("--preview-rows", type=int, default=100_000, help="rows of the previewed workbook")
    parser.add_argument("--preview-child", nargs=2, metavar=("FILE", "TENANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.preview_child:
        _preview_child(*args.preview_child)
        return
    import _setup

    os.environ["IMPORT_MAX_ROWS"] = str(max(100_000, args.preview_rows, args.rows))
    dynamo = _setup.start_stack()
    try:
        if args.preview_rows:
            peak, idle, previewed, seconds = _preview_peak(args.preview_rows)
            print(
                f"preview of a {previewed}-row workbook in a fresh process: {seconds:.1f} s, peak resident memory "
                f"(VmHWM) {peak:.0f} MB ({idle:.0f} MB before the preview)",
                flush=True,
            )
        ratio = xlsx_vs_csv_ratio(args.rows)
    finally:
        dynamo.terminate()
        dynamo.wait(timeout=30)
    print(f"xlsx import: {ratio:.2f} of CSV")


if __name__ == "__main__":
    main()

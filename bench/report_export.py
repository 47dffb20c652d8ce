"""Benchmark: a company's compliance report with 10x other companies' data in the table, and exports' memory.

1. The compliance page of one company of 10,000 enrollments (four courses, every state, some people enrolled
   twice), in a table holding that company alone and in a table that also holds 100,000 enrollments of ten
   other companies in the same courses. Requests alternate between the tables in blocks, so load from other
   processes falls on both alike; the ratio is big p95 / small p95 (target <= 1.3).
2. Unless ``--skip-memory``: the unfiltered enrollment list of the big table (110,000 rows) exported as CSV and
   as xlsx, each in a process of its own; each prints its peak memory (VmHWM) and the file is read back: every
   enrollment once (target <= 250 MB). Memory, not time: no timing is asserted.

Loading through ``enroll`` would take most of an hour, so the setup (and only the setup) writes the enrollment
items directly with BatchWrite from threads, with the index attributes ``enroll`` writes
(``keys.enrollment_index_keys``).

    .venv/bin/python bench/report_export.py                       # 10k vs 10k + 100k, exports of 110k
    .venv/bin/python bench/report_export.py --company 1000 --others 10000 --requests 10   # a quick check

3. Unless ``--xlsx-rows 0``: ``bench/xlsx_import.py`` in a process of its own (its own DynamoDB Local and
   worker) imports the same rows as CSV and as .xlsx; its ratio joins the last line (target >= 0.8).

The last line: ``report: <ratio> with 10x other data; xlsx import: <x> of CSV``.
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_production_django  # noqa: E402

from scripts import dynamodb_local  # noqa: E402

COMPANY = "bench-company"
COURSES = [f"bench-course-{n}" for n in range(4)]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MEMORY_LIMIT_MB = 250


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def use_table(prefix: str) -> None:
    from django.conf import settings

    from enrollments.dynamo import connection

    settings.DYNAMODB_TABLE_PREFIX = prefix
    connection.configure()


def _item(n: int, *, tenant_id: str, tenant_name: str):
    """Return enrollment ``n`` of a company: every state, certificates expiring across the report's buckets, and
    one person in ten enrolled a second time in the same course."""
    from enrollments.clock import to_iso
    from enrollments.dynamo import keys
    from enrollments.dynamo.models import AuthorAttribute, CourseAttribute, EnrollmentItem, PersonAttribute

    enrollment_id = str(uuid.uuid4())
    created = NOW - timedelta(days=400) + timedelta(seconds=n * 30)
    course = COURSES[n % len(COURSES)]
    person = n - 10 if n % 10 == 9 else n
    status = ["PENDING", "IN_PROGRESS", "COMPLETED", "COMPLETED", "EXPIRED", "ARCHIVED", "CANCELED"][n % 7]
    email = f"p{person}.{tenant_id}@example.com"
    completed = status in ("COMPLETED", "ARCHIVED")
    certificate = to_iso(NOW + timedelta(days=(n % 400) - 100)) if completed else None
    return EnrollmentItem(
        *keys.enrollment(enrollment_id),
        created_at=to_iso(created),
        updated_at=to_iso(created),
        tenant_id=tenant_id,
        tenant_name=tenant_name,
        user=PersonAttribute(id=f"{tenant_id}-{person}", name=f"Person {person}", email=email, cpf=None),
        course=CourseAttribute(id=course, name=course, access_period_days=90, certificate_validity_days=365),
        status=status,
        source="bench",
        created_by=AuthorAttribute(id="bench", name="Benchmark"),
        access_expires_at=to_iso(created + timedelta(days=90)),
        completed_at=to_iso(created + timedelta(days=5)) if completed else None,
        certificate_expires_at=certificate,
        **keys.enrollment_index_keys(
            enrollment_id=enrollment_id,
            created_at=to_iso(created),
            tenant_id=tenant_id,
            course_id=course,
            email=email,
            cpf=None,
        ),
    )


def load(*, count: int, tenant_id: str, threads: int) -> None:
    """Write ``count`` enrollments of ``tenant_id`` with BatchWrite, from ``threads`` threads."""
    from enrollments.dynamo.models import EnrollmentItem

    def write(numbers: range) -> int:
        with EnrollmentItem.batch_write() as batch:
            for n in numbers:
                batch.save(_item(n, tenant_id=tenant_id, tenant_name=tenant_id.title()))
        return len(numbers)

    chunk = 500
    with ThreadPoolExecutor(max_workers=threads) as pool:
        written = sum(pool.map(write, [range(i, min(i + chunk, count)) for i in range(0, count, chunk)]))
    assert written == count


def make_table(*, company: int, others: int, threads: int) -> str:
    from enrollments.dynamo import connection
    from enrollments.services import company_create, course_create

    prefix = f"bench{uuid.uuid4().hex[:6]}_"
    use_table(prefix)
    connection.create_tables()
    company_create(name="Benchmark Company", billing="postpaid", company_id=COMPANY)
    for course in COURSES:
        course_create(name=course, access_period_days=90, certificate_validity_days=365, course_id=course)
    began = time.monotonic()
    load(count=company, tenant_id=COMPANY, threads=threads)
    per_other = others // 10
    for number in range(10 if others else 0):
        other = f"other-{number}"
        company_create(name=f"Other {number}", billing="postpaid", company_id=other)
        load(count=per_other, tenant_id=other, threads=threads)
    print(f"table {prefix}: {company:,} + {others:,} enrollments in {time.monotonic() - began:.0f} s", flush=True)
    return prefix


def report_ratio(*, small: str, big: str, requests: int) -> float:
    """Return p95 of the compliance page in table ``big`` over p95 in table ``small`` (prefixes), same company."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from enrollments import clock, permissions

    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:6]}", is_staff=True)
    user.groups.add(Group.objects.get(name=permissions.VIEWERS))
    client = Client()
    client.force_login(user)
    url = reverse("admin:compliance_report", args=[COMPANY])
    clock.set_now(NOW)
    samples: dict[str, list[float]] = {small: [], big: []}
    totals = {}
    blocks = 5
    for _block in range(blocks):
        for prefix in (small, big):
            use_table(prefix)
            client.get(url)  # warm-up after the switch: new connections
            for _ in range(math.ceil(requests / blocks)):
                began = time.perf_counter()
                response = client.get(url)
                samples[prefix].append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                totals[prefix] = sum(row["total"] for row in response.context["rows"])
    if totals[small] != totals[big]:
        raise SystemExit(f"the company's people differ between tables: {totals}")
    for label, prefix in (("alone", small), ("with others", big)):
        print(f"compliance page, company {label}: {totals[prefix]:,} people, p95 {p95(samples[prefix]) * 1000:.0f} ms")
    return p95(samples[big]) / p95(samples[small])


def export_child(fmt: str, out: str) -> None:
    """In a process of its own: export every enrollment of the table to ``out``; print rows and VmHWM."""
    from enrollments import clock
    from enrollments.exports import files as exports

    with open(out, "wb") as handle:
        header, rows = exports.export_rows(exports.ENROLLMENTS, {}, now=clock.now())
        count = exports.write(fmt, header, rows, handle)
    peak = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    print(f"{count} {int(peak.split()[1]) // 1024}")


def export_memory(*, prefix: str, fmt: str, workdir: str, expected: int) -> int:
    """Export the table's enrollments as ``fmt`` in a child process; check each is in the file once; return MB."""
    out = f"{workdir}/export.{fmt}"
    env = {**os.environ, "DYNAMODB_TABLE_PREFIX": prefix}
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, __file__, "--export-child", fmt, out], env=env, capture_output=True, text=True, check=True
    )
    count, peak = (int(value) for value in result.stdout.split()[-2:])
    if fmt == "csv":
        with open(out, encoding="utf-8-sig", newline="") as handle:
            ids = [row[-1] for row in list(csv.reader(handle))[1:]]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(out, read_only=True).worksheets[0]
        ids = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    once = len(ids) == len(set(ids)) == count == expected
    print(
        f"export {fmt}: {count:,} rows in {time.monotonic() - began:.0f} s, peak memory {peak} MB "
        f"(limit {MEMORY_LIMIT_MB}), every row once: {once}",
        flush=True,
    )
    if not once or peak > MEMORY_LIMIT_MB:
        raise SystemExit(f"export {fmt}: {len(ids)} rows read back ({len(set(ids))} distinct), {peak} MB")
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--company", type=int, default=10_000, help="enrollments of the company (default 10,000)")
    parser.add_argument("--others", type=int, default=100_000, help="other companies' enrollments (default 100,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per table (default 20)")
    parser.add_argument("--threads", type=int, default=8, help="loader threads (default 8)")
    parser.add_argument("--skip-memory", action="store_true", help="no export memory measurement")
    parser.add_argument(
        "--xlsx-rows", type=int, default=2_000, help="rows of the xlsx vs CSV import comparison (0: skip it)"
    )
    parser.add_argument("--export-child", nargs=2, metavar=("FORMAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
        import django

        django.setup()
        export_child(*args.export_child)
        return

    process, port = dynamodb_local.start()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            setup_production_django(f"http://127.0.0.1:{port}", workdir)
            small = make_table(company=args.company, others=0, threads=args.threads)
            big = make_table(company=args.company, others=args.others, threads=args.threads)
            ratio = report_ratio(small=small, big=big, requests=args.requests)
            if not args.skip_memory:
                for fmt in ("csv", "xlsx"):
                    export_memory(prefix=big, fmt=fmt, workdir=workdir, expected=args.company + args.others)
    finally:
        process.terminate()
        process.wait(timeout=30)
    line = f"report: {ratio:.2f} with {args.others // max(args.company, 1)}x other data"
    if args.xlsx_rows:
        line += f"; {xlsx_import_line(args.xlsx_rows)}"
    print(line)


def xlsx_import_line(rows: int) -> str:
    """Run ``bench/xlsx_import.py`` for ``rows`` rows (no preview) and return its last line, ``xlsx import: ...``."""
    script = Path(__file__).resolve().parent / "xlsx_import.py"
    command = [sys.executable, str(script), "--rows", str(rows), "--preview-rows", "0"]
    child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return child.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    main()

"""The worst line a file can have: preview of a 2 MB file of one line against 2 MB of ordinary rows.

    .venv/bin/python bench/parse_worst_case.py [--megabytes 2] [--repeats 3]

Both files have the same size and go through the same preview (read, check every
row, look the people up in DynamoDB Local); the one-line file holds a header and a
single row whose name is the whole rest of the file. Parsing is linear in the file's
size, so the one long line costs no more than the ordinary rows. The two run in
turns, ``--repeats`` times, and the medians are compared. Last line:
``parse worst case: one 2 MB line <a> s vs 2 MB of rows <b> s = <r>x (target <= 2x)``.
"""

import argparse
import io
import statistics
import sys
import time

from _setup import add_rtt_option, start_stack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    add_rtt_option(parser)
    args = parser.parse_args()
    process = start_stack(rtt_ms=args.rtt_ms)
    try:
        run(int(args.megabytes * 1024 * 1024), args.repeats)
    finally:
        process.terminate()


def run(size: int, repeats: int) -> None:
    from django.conf import settings

    from enrollments.imports.preview import import_preview
    from enrollments.services import company_create, course_create

    settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, 2 * size)
    company = company_create(name="Bench parse", billing="postpaid")
    course = course_create(name="Bench course", access_period_days=365, certificate_validity_days=730)
    header = b"name,email\n"
    one_line = header + b"x" * (size - len(header) - len(b",a@example.com\n")) + b",a@example.com\n"
    rows, n = [header], 0
    while sum(len(row) for row in rows) < size:
        rows.append(f"Pessoa {n},pessoa{n}@example.com\n".encode())
        n += 1
    ordinary = b"".join(rows)[:size].rsplit(b"\n", 1)[0] + b"\n"

    def preview(data: bytes) -> float:
        started = time.perf_counter()
        result = import_preview(file=io.BytesIO(data), tenant_id=company.id, default_course_id=course.id)
        elapsed = time.perf_counter() - started
        assert result.rows_total >= 1
        return elapsed

    long_times, row_times = [], []
    for _ in range(repeats):
        long_times.append(preview(one_line))
        row_times.append(preview(ordinary))
    long_median, rows_median = statistics.median(long_times), statistics.median(row_times)
    megabytes = size / (1024 * 1024)
    print(f"one line of {len(one_line):,} bytes: {', '.join(f'{t:.2f}' for t in long_times)} s", flush=True)
    rows_read = ordinary.count(b"\n") - 1
    print(f"{rows_read:,} rows in {len(ordinary):,} bytes: {', '.join(f'{t:.2f}' for t in row_times)} s")
    print(
        f"parse worst case: one {megabytes:g} MB line {long_median:.2f} s vs {megabytes:g} MB of rows "
        f"{rows_median:.2f} s = {long_median / rows_median:.2f}x (target <= 2x)"
    )


if __name__ == "__main__":
    sys.exit(main())

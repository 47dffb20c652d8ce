"""Enrollments per second through ``enroll``: sequential, pooled, and the raw transaction ceiling.

    python bench/enroll_throughput.py [--n 2000] [--threads 8]

The ceiling commits the very transaction ``enroll`` builds (same items, same
conditions, same concurrency) without the reads ``enroll`` does first (company,
course, user, free seats). Last line:
``enroll: <rows/s> pooled = <x>% of raw ceiling, <y>x sequential``.
"""

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from _setup import add_rtt_option, start_stack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    add_rtt_option(parser)
    args = parser.parse_args()
    process = start_stack(rtt_ms=args.rtt_ms)
    try:
        run(args.n, args.threads)
    finally:
        process.terminate()


def run(n: int, threads: int):
    from enrollments import clock, selectors
    from enrollments.services import Author, Person, company_create, course_create, enroll, order_create
    from enrollments.services.enroll import _enroll_transaction

    author = Author(id="bench", name="Bench")
    course = course_create(name="Bench course", access_period_days=365, certificate_validity_days=730)

    def company_with_seats():
        company = company_create(name=f"Bench {uuid.uuid4().hex[:6]}", billing="prepaid")
        order_create(tenant_id=company.id, course_id=course.id, seats=n, author=author)
        return company

    def person():
        token = uuid.uuid4().hex[:12]
        return Person(name=f"P {token}", email=f"p{token}@example.com")

    def timed(label, work, items, pool_size):
        started = time.perf_counter()
        if pool_size == 1:
            for item in items:
                work(item)
        else:
            with ThreadPoolExecutor(pool_size) as pool:
                list(pool.map(work, items))
        rate = len(items) / (time.perf_counter() - started)
        print(f"{label}: {len(items)} in {len(items) / rate:.1f} s = {rate:.1f}/s", flush=True)
        return rate

    company = company_with_seats()
    sequential = timed(
        "sequential enroll",
        lambda _: enroll(
            tenant_id=company.id, course_id=course.id, user=person(), author=author, deduplication_window_days=30
        ),
        list(range(n)),
        1,
    )

    company = company_with_seats()
    pooled = timed(
        f"pooled enroll ({threads} threads)",
        lambda _: enroll(
            tenant_id=company.id, course_id=course.id, user=person(), author=author, deduplication_window_days=30
        ),
        list(range(n)),
        threads,
    )

    company = company_with_seats()
    seats = selectors.free_seats(tenant_id=company.id, course_id=course.id, limit=n)

    def raw(seat):
        tx, _ = _enroll_transaction(
            enrollment_id=str(uuid.uuid4()),
            person=person(),
            existing_user=None,
            company=company,
            course=course,
            author=author,
            window_days=30,
            source="bench",
            seat=seat,
            now=clock.now(),
        )
        tx.commit()

    ceiling = timed(f"raw TransactWriteItems ({threads} threads)", raw, seats, threads)
    print(
        f"enroll: {pooled:.1f} rows/s pooled = {100 * pooled / ceiling:.0f}% of raw ceiling, {pooled / sequential:.1f}x sequential"
    )


if __name__ == "__main__":
    main()

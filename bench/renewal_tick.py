"""Automatic renewal's cost: one scheduler tick against a table of C certificates whose renewal windows open far in
the future, and D certificates whose windows opened since yesterday, at a company that renews automatically.

    python bench/renewal_tick.py [--c-small 1000] [--c-large 100000] [--due 100] [--repeats 15]
    python bench/renewal_tick.py --quick          # C = 1,000 and 10,000

Two tables, one per C. Each far certificate is what a completion writes that the tick could read: the completed
enrollment, its ``renewal_window`` record (due 1 to 2 years from now) and its ``course_archived`` record (due at
its expiry). The D due certificates are made through the services (``enroll`` then ``record_completion``, the
clock frozen at each step). A tick hands out the due records without processing them, so every repeat reads the
same; ticks on the two tables alternate. Then each table's D due records are processed once (each person enrolled
again). Items read are counted from DynamoDB's answers (``ScannedCount`` of each Query and Scan, one per item of a
GetItem or BatchGetItem). Last line: ``renewal tick: reads C100k/C1k = <r>x, ...`` (target <= 1.05).
"""

import argparse
import random
import time
import uuid
from datetime import timedelta

from _tables import ReadCounter, alternate, human, load, main_on_stack, measure, prefixes, size_options, use_table

WINDOW_DAYS = 60


def far_certificates(count: int, *, company, course, now):
    """Yield, per certificate, its completed enrollment and its two records due after ``now`` (1 to 2 years)."""
    from enrollments import rules
    from enrollments.clock import to_iso
    from enrollments.dynamo import keys
    from enrollments.dynamo.models import AuthorAttribute, CourseAttribute, EnrollmentItem, PersonAttribute
    from enrollments.services.lifecycle import lifecycle_record, renewal_window_record

    for n in range(count):
        enrollment_id, email = str(uuid.uuid4()), f"far{n}.{uuid.uuid4().hex[:6]}@example.com"
        enrolled = now - timedelta(days=random.uniform(30, 300))
        expires = now + timedelta(days=WINDOW_DAYS + random.uniform(365, 730))
        enrollment = EnrollmentItem(
            *keys.enrollment(enrollment_id),
            created_at=to_iso(enrolled),
            updated_at=to_iso(enrolled),
            tenant_id=company.id,
            tenant_name=company.name,
            user=PersonAttribute(id=str(uuid.uuid4()), name=f"Worker {n}", email=email),
            course=CourseAttribute(
                id=course.id,
                name=course.name,
                access_period_days=course.access_period_days,
                certificate_validity_days=course.certificate_validity_days,
            ),
            status=rules.COMPLETED,
            source="form",
            created_by=AuthorAttribute(id="bench", name="Bench"),
            access_expires_at=to_iso(enrolled + timedelta(days=course.access_period_days)),
            completed_at=to_iso(enrolled + timedelta(days=10)),
            certificate_expires_at=to_iso(expires),
            **keys.enrollment_index_keys(
                enrollment_id=enrollment_id,
                created_at=to_iso(enrolled),
                tenant_id=company.id,
                course_id=course.id,
                email=email,
                cpf=None,
            ),
        )
        yield enrollment
        yield renewal_window_record(
            enrollment=enrollment, certificate_expires_at=expires, window_days=WINDOW_DAYS, now=now
        )
        yield lifecycle_record(enrollment=enrollment, event=rules.COURSE_ARCHIVED, due_at=expires, now=now)


def due_certificates(count: int, *, company, course, now) -> list[str]:
    """Make ``count`` certificates through the services whose renewal window opened since yesterday; return ids."""
    from enrollments import clock
    from enrollments.services import Author, Person, enroll, record_completion

    author = Author(id="bench", name="Bench")
    yesterday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    ids = []
    for n in range(count):
        opened = (
            now - timedelta(minutes=1) - timedelta(seconds=random.uniform(0, (now - yesterday).total_seconds() - 120))
        )
        with clock.frozen(now - timedelta(days=101)):
            person = Person(name=f"Due {n}", email=f"due{n}.{uuid.uuid4().hex[:6]}@example.com")
            enrollment = enroll(tenant_id=company.id, course_id=course.id, user=person, author=author)
        with clock.frozen(now - timedelta(days=100)):
            record_completion(enrollment_id=enrollment.id, certificate_expires_at=opened + timedelta(days=WINDOW_DAYS))
        ids.append(enrollment.id)
    return ids


def build_table(prefix: str, *, certificates: int, due: int, now, threads: int) -> None:
    from enrollments.services import company_create, course_create, lifecycle_cursor_set
    from enrollments.services.catalog import company_update
    from enrollments.services.common import Author

    use_table(prefix)
    started = time.perf_counter()
    author = Author(id="bench", name="Bench")
    company = company_create(name="Bench Renova", billing="postpaid", language="pt-br")
    company = company_update(
        company_id=company.id,
        name=company.name,
        cnpj=None,
        language="pt-br",
        revision=0,
        author=author,
        auto_renew=True,
    )
    course = course_create(
        name="NR-35", access_period_days=90, certificate_validity_days=730, renewal_window_days=WINDOW_DAYS
    )
    load(far_certificates(certificates, company=company, course=course, now=now), threads)
    due_certificates(due, company=company, course=course, now=now)
    # The oldest day that holds records due: yesterday.
    lifecycle_cursor_set(day=(now - timedelta(days=1)).date(), now=now)
    print(
        f"loaded {certificates:,} far + {due} due certificates into {prefix}* in {time.perf_counter() - started:.1f}s",
        flush=True,
    )


def ticker(now, expected: int):
    """Return a call of one tick at ``now`` that hands out the due records without processing them; it returns
    their keys."""
    from enrollments.services import lifecycle_tick

    def tick() -> list:
        handed_out = []
        report = lifecycle_tick(now=now, dispatch=handed_out.extend)
        assert report.records_found == len(handed_out) == expected, (report.records_found, expected)
        assert all(sk == "schedules#renewal_window" for _id, sk in handed_out), handed_out[:3]
        return handed_out

    return tick


def renew_once(prefix: str, counter: ReadCounter, keys: list) -> tuple[int, float]:
    """Process the due records once (each person enrolled again); return the items read and the seconds."""
    from enrollments.services import lifecycle_records_process

    items, seconds, outcomes = measure(lambda: lifecycle_records_process(keys=keys), counter, prefix)
    assert outcomes == {"done": len(keys)}, outcomes
    return items, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_options(parser, "c", due=100, quick_help="C = 1,000 and 10,000")
    main_on_stack(parser, run)


def run(args):
    from enrollments import clock

    random.seed(11)
    now = clock.now()
    clock.set_now(now)  # every step of the run, the same moment: the due records stay due, the far ones far
    small, large = prefixes()
    build_table(small, certificates=args.small, due=args.due, now=now, threads=args.threads)
    build_table(large, certificates=args.large, due=args.due, now=now, threads=args.threads)
    counter = ReadCounter()
    tick = ticker(now, args.due)
    handed = {prefix: measure(tick, counter, prefix)[2] for prefix in (small, large)}
    tick_reads, tick_seconds = alternate(tick, counter, (small, large), args.repeats)
    renewed = {prefix: renew_once(prefix, counter, handed[prefix]) for prefix in (small, large)}

    for prefix, count in ((small, args.small), (large, args.large)):
        print(
            f"C={count:>7,}: tick reads {tick_reads[prefix]:,.0f} items in {tick_seconds[prefix] * 1000:.1f} ms "
            f"(median of {args.repeats}); renewing {args.due} reads {renewed[prefix][0]:,} items "
            f"in {renewed[prefix][1]:.1f} s"
        )
    label = f"C{human(args.large)}/C{human(args.small)}"
    print(f"renewing {args.due}: reads {label} = {renewed[large][0] / renewed[small][0]:.2f}x")
    print(
        f"renewal tick: reads {label} = {tick_reads[large] / tick_reads[small]:.2f}x, "
        f"seconds {label} = {tick_seconds[large] / tick_seconds[small]:.2f}x"
    )


if __name__ == "__main__":
    main()

"""Benchmark: the enrollment list page of one company, and its name search, with 1,000 and with 100,000 enrollments.

Two tables live side by side in one DynamoDB Local, a small one and a big one,
each holding one company's enrollments over four courses (all of the table's
enrollments belong to that company: the hardest case for its index partitions).
Through Django's test client, logged in as a viewer, it requests the list's
first page (``?company=``), a filtered page (``?company=&course=&status=PENDING``),
a name search (``?company=&q=silva``) and a name search with the course and status
filters, ``--requests`` times each per table. Requests alternate between the tables
in blocks so that load from other processes on the machine falls on both alike.

People get Brazilian names drawn from common first names and surnames (accents
included), so a search for "silva" matches a fifth of them at either size.

Loading 100,000 enrollments through ``enroll`` would take about 20 minutes, so the
setup (and only the setup) writes the enrollment items directly with BatchWrite
from threads, with the same index attributes ``enroll`` writes and the name word
items of the same builder ``enroll`` uses (``services.name_index.name_word_items``).

Before timing, the process calls ``backoffice.gc_tuning.freeze_after_startup()``,
as the web process does once loaded (``--no-gc-freeze`` leaves the collector as
Python starts it; ``--gc-compare`` times everything first without, then with the freeze).

    .venv/bin/python bench/list_page.py                      # 1,000 vs 100,000
    .venv/bin/python bench/list_page.py --small 200 --big 5000 --requests 40   # a quick check

The last line: ``list: p95 at 100k / p95 at 1k = <r>x (<ms> ms at 100k), p95/p50 at 100k <r>x; name search:
p50 <ms> ms, p95 <ms> ms at 100k, p95 at 100k / p95 at 1k = <r>x, p95/p50 at 100k = <r>x``, each the worse of
its pages. Targets: both p95 ratios <= 1.3; p95/p50 at 100k <= 2.
"""

import argparse
import math
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import add_rtt_option, setup_production_django, start_dynamodb  # noqa: E402

STATUSES = ["PENDING"] * 17 + ["COMPLETED"] * 2 + ["CANCELED"]  # 85% / 10% / 5%
FIRST_NAMES = (
    "João José Maria Ana Antônio Francisco Carlos Paulo Pedro Lucas Luís Marcos Gabriel Rafael Daniel Marcelo "
    "Bruno Eduardo Felipe Juliana Fernanda Patrícia Aline Sandra Camila Amanda Bruna Jéssica Letícia Júlia "
    "Luciana Vanessa Mariana Gabriela Vitória Larissa Cláudia Beatriz Raimundo Sebastião Conceição Iara"
).split()
SURNAMES = (
    "Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida "
    "Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado Mendes "
    "Freitas Cardoso Ramos Gonçalves Santana Teixeira Araújo Magalhães Brandão Simões Assunção"
).split()
PARTICLES = ["", "", "da ", "de ", "dos "]


def person_name(n: int) -> str:
    """Return the n-th person's name: a first name, maybe a particle, two surnames; one in five has Silva."""
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    middle = SURNAMES[(n * 7) % len(SURNAMES)]
    last = "Silva" if n % 10 in (3, 6) else SURNAMES[(n * 13 + 5) % len(SURNAMES)]
    return f"{first} {PARTICLES[n % len(PARTICLES)]}{middle} {last}"


def human(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 and count >= 1000 else str(count)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def p50(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def use_table(prefix: str) -> None:
    from django.conf import settings

    from enrollments.dynamo import connection

    settings.DYNAMODB_TABLE_PREFIX = prefix
    connection.configure()


def load(*, count: int, company, courses: list, threads: int) -> None:
    """Write ``count`` enrollment items of ``company`` with BatchWrite, from ``threads`` threads."""
    from enrollments.clock import to_iso
    from enrollments.dynamo import keys
    from enrollments.dynamo.models import AuthorAttribute, CourseAttribute, EnrollmentItem, PersonAttribute
    from enrollments.services.name_index import name_word_items

    start = datetime(2025, 1, 1, tzinfo=UTC)
    author = AuthorAttribute(id="bench", name="Benchmark")

    def item(n: int) -> EnrollmentItem:
        enrollment_id = str(uuid.uuid4())
        created = to_iso(start + timedelta(seconds=n * 300))
        course = courses[n % len(courses)]
        email = f"person{n}.{enrollment_id[:6]}@example.com"
        return EnrollmentItem(
            *keys.enrollment(enrollment_id),
            created_at=created,
            updated_at=created,
            tenant_id=company.id,
            tenant_name=company.name,
            user=PersonAttribute(id=str(uuid.uuid4()), name=person_name(n), email=email),
            course=CourseAttribute(
                id=course.id,
                name=course.name,
                access_period_days=course.access_period_days,
                certificate_validity_days=course.certificate_validity_days,
            ),
            status=STATUSES[n % len(STATUSES)],
            source="bench",
            created_by=author,
            access_expires_at=to_iso(start + timedelta(seconds=n * 300, days=course.access_period_days)),
            **keys.enrollment_index_keys(
                enrollment_id=enrollment_id,
                created_at=created,
                tenant_id=company.id,
                course_id=course.id,
                email=email,
                cpf=None,
            ),
        )

    def write(numbers: range) -> int:
        with EnrollmentItem.batch_write() as batch:
            for n in numbers:
                enrollment = item(n)
                batch.save(enrollment)
                # The word items ``enroll`` writes with every enrollment, from the same builder.
                for word_item in name_word_items(enrollment):
                    batch.save(word_item)
        return len(numbers)

    chunk = 500
    with ThreadPoolExecutor(max_workers=threads) as pool:
        written = sum(pool.map(write, [range(i, min(i + chunk, count)) for i in range(0, count, chunk)]))
    assert written == count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000, help="enrollments in the small table (default 1,000)")
    parser.add_argument("--big", type=int, default=100_000, help="enrollments in the big table (default 100,000)")
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests per page and table (default 200: a stable p95)"
    )
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="leave the garbage collector as Python starts it (to compare)"
    )
    parser.add_argument(
        "--gc-compare",
        action="store_true",
        help="time every page twice on the same tables: first without the freeze, then with it (printed last)",
    )
    parser.add_argument("--threads", type=int, default=8, help="loader threads (default 8)")
    add_rtt_option(parser)
    args = parser.parse_args()

    process, endpoint = start_dynamodb(rtt_ms=args.rtt_ms)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            setup_production_django(endpoint, workdir)
            run(args)
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from enrollments import permissions
    from enrollments.dynamo import connection
    from enrollments.services import company_create, course_create

    tables = {}
    for label, count in (("small", args.small), ("big", args.big)):
        prefix = f"bench{uuid.uuid4().hex[:6]}_"
        use_table(prefix)
        connection.create_tables()
        company = company_create(name="Benchmark Company", billing="postpaid", company_id="bench-company")
        courses = [
            course_create(
                name=f"Course {n}", access_period_days=90, certificate_validity_days=365, course_id=f"bench-course-{n}"
            )
            for n in range(4)
        ]
        began = time.monotonic()
        load(count=count, company=company, courses=courses, threads=args.threads)
        print(f"loaded {count:,} enrollments into the {label} table in {time.monotonic() - began:.0f} s", flush=True)
        tables[label] = {"prefix": prefix, "count": count}

    user = get_user_model().objects.create_user(username="bench-viewer", password=uuid.uuid4().hex, is_staff=True)
    user.groups.add(Group.objects.get(name=permissions.VIEWERS))
    client = Client()
    client.force_login(user)
    list_url = reverse("admin:enrollment_list")
    pages = {
        "first page": f"{list_url}?company=bench-company",
        "filtered page": f"{list_url}?company=bench-company&course=bench-course-2&status=PENDING",
        "name search": f"{list_url}?company=bench-company&q=silva",
        "name + filters": f"{list_url}?company=bench-company&q=Silva&course=bench-course-2&status=PENDING",
    }
    name_pages = ("name search", "name + filters")

    def request(url: str) -> float:
        began = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - began
        if response.status_code != 200 or not response.context["page"].items:
            raise SystemExit(f"{url}: HTTP {response.status_code}, or an empty page")
        return elapsed

    for table in tables.values():  # warm-up: connections and code paths of every page, before any freeze
        use_table(table["prefix"])
        for url in pages.values():
            request(url)

    def measure() -> dict:
        samples = {(label, page): [] for label in tables for page in pages}
        blocks = 5
        per_block = math.ceil(args.requests / blocks)
        for _block in range(blocks):
            for label, table in tables.items():
                use_table(table["prefix"])
                for page, url in pages.items():
                    request(url)  # warm-up after the switch: new connections
                    for _ in range(per_block):
                        if len(samples[(label, page)]) < args.requests:
                            samples[(label, page)].append(request(url))
        return samples

    if args.gc_compare:
        # The same tables and pages, first with the collector as Python starts it.
        summary(measure(), tables, pages, name_pages, prefix="without gc freeze: ")
    if not args.no_gc_freeze:
        from backoffice.gc_tuning import freeze_after_startup

        freeze_after_startup()
    samples = measure()

    # Check the pages are real: 50 rows each, from the expected index.
    for label, table in tables.items():
        use_table(table["prefix"])
        for page, url in pages.items():
            response = client.get(url)
            shown = response.context["page"]
            timed = samples[(label, page)]
            print(
                f"{label:5} table ({human(table['count'])}), {page}: {len(shown.items)} rows from index {shown.index}, "
                f"p50 {p50(timed) * 1000:.1f} ms, p95 {p95(timed) * 1000:.1f} ms ({len(timed)} requests)"
            )
    summary(samples, tables, pages, name_pages)


def summary(samples: dict, tables: dict, pages: dict, name_pages, *, prefix: str = "") -> None:
    """Print each page's ratios, then one line of the worst list page and the worst name search."""
    small, big = human(tables["small"]["count"]), human(tables["big"]["count"])
    ratios = {page: p95(samples[("big", page)]) / p95(samples[("small", page)]) for page in pages}
    spreads = {page: p95(samples[("big", page)]) / p50(samples[("big", page)]) for page in pages}
    for page in pages:
        print(
            f"{prefix}{page}: p95 at {big} / p95 at {small} {ratios[page]:.2f}x, p95/p50 at {big} {spreads[page]:.2f}x"
        )
    list_pages = [page for page in pages if page not in name_pages]
    worst_list = max(list_pages, key=ratios.get)
    worst_name = max(name_pages, key=ratios.get)
    print(
        f"{prefix}list: p95 at {big} / p95 at {small} = {ratios[worst_list]:.2f}x "
        f"({p95(samples[('big', worst_list)]) * 1000:.1f} ms at {big}), "
        f"p95/p50 at {big} {max(spreads[page] for page in list_pages):.2f}x; "
        f"name search: p50 {p50(samples[('big', worst_name)]) * 1000:.1f} ms, "
        f"p95 {p95(samples[('big', worst_name)]) * 1000:.1f} ms at {big}, "
        f"p95 at {big} / p95 at {small} = {ratios[worst_name]:.2f}x, "
        f"p95/p50 at {big} = {max(spreads[page] for page in name_pages):.2f}x"
    )


if __name__ == "__main__":
    main()

"""Benchmark: the back office under load, as production serves it.

gunicorn with gunicorn.conf.py, ``DEBUG=false`` and the ``.env.example`` settings (WhiteNoise serving the
collected static files), on a loopback port, over a fresh DynamoDB Local (``--rtt-ms`` adds a round trip to
each of its calls). One company with ``--enrollments`` enrollments over two courses. Staff clients log in
through the login form (``StaffSession.log_in`` in scripts/production_server.py: the one place to add a
login step) and ask, in turn, the company's enrollment list, one enrollment's page, the company's
compliance report and a static file (the admin's CSS by its hashed name), each request sent as the load
balancer forwards it (``X-Forwarded-Proto: https``). First 1 client, then ``--clients`` at once, each phase
``--requests`` requests in all (bounded; loopback only). Any answer but 200 is an error.

    DEBUG=true .venv/bin/python bench/load.py                                     # 400 requests a phase
    DEBUG=true .venv/bin/python bench/load.py --enrollments 100 --requests 200    # a quick run

The last line: ``load: <n> req/s at 20 clients, p95 at 20 / p95 at 1 = <r>x, errors <n>`` (errors must be 0;
the script exits 1 otherwise).
"""

import argparse
import math
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import add_rtt_option, start_stack  # noqa: E402

from scripts import production_server as production  # noqa: E402

PASSWORD = uuid.uuid4().hex


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def seed(*, enrollments: int, username: str) -> dict[str, str]:
    """Write a company, two courses and ``enrollments`` enrollments through ``enroll``; make a staff viewer."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from enrollments import permissions
    from enrollments.rules import Person
    from enrollments.services import company_create, course_create, enroll
    from enrollments.services.common import Author

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=permissions.VIEWERS))
    company = company_create(name="Load Company", billing="postpaid")
    courses = [course_create(name=f"Course {n}", access_period_days=90, certificate_validity_days=365) for n in (1, 2)]
    author = Author(id="bench", name="Benchmark")
    enrollment = None
    for n in range(enrollments):
        enrollment = enroll(
            tenant_id=company.id,
            course_id=courses[n % 2].sk,
            user=Person(name=f"Pessoa {n} da Silva", email=f"person{n}@example.com"),
            author=author,
            welcome=False,
        )
    return {"company": company.id, "enrollment": enrollment.id}


def phase(sessions: list, urls: list[str], total: int) -> tuple[list[float], int, float, dict[str, list[float]]]:
    """Send ``total`` requests from ``len(sessions)`` clients at once; return latencies, errors, seconds and the
    latencies of each URL."""
    latencies: list[float] = []
    by_url: dict[str, list[float]] = {url: [] for url in urls}
    errors = [0]
    lock = threading.Lock()
    per_client = [total // len(sessions) + (1 if n < total % len(sessions) else 0) for n in range(len(sessions))]

    def client(number: int, session) -> None:
        for n in range(per_client[number]):
            url = urls[(number + n) % len(urls)]
            began = time.perf_counter()
            try:
                ok = session.get(url).status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                by_url[url].append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(n, s)) for n, s in enumerate(sessions)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - began, by_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enrollments", type=int, default=300, help="enrollments of the company (default 300)")
    parser.add_argument("--requests", type=int, default=400, help="requests per phase (default 400)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients of the second phase (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2: one per core here)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    add_rtt_option(parser)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        # The benchmark's Django and gunicorn share Django's tables: the staff login it makes.
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/db.sqlite3"
        stack = start_stack(rtt_ms=args.rtt_ms)
        server = None
        try:
            from django.conf import settings
            from django.urls import reverse

            username = "load-viewer"
            began = time.monotonic()
            ids = seed(enrollments=args.enrollments, username=username)
            print(f"seeded {args.enrollments} enrollments in {time.monotonic() - began:.0f} s", flush=True)
            env = production.production_environment(
                workdir=Path(workdir),
                dynamodb_endpoint=settings.DYNAMODB_ENDPOINT,
                table_prefix=settings.DYNAMODB_TABLE_PREFIX,
                broker_url=settings.CELERY_BROKER_URL,
                DATABASE_URL=os.environ["DATABASE_URL"],
            )
            manifest = production.collectstatic(env)
            server = production.ProductionServer(
                env=env, log=Path(workdir) / "gunicorn.log", workers=args.workers, threads=args.threads
            ).start()
            urls = [
                f"{reverse('admin:enrollment_list')}?company={ids['company']}",
                reverse("admin:enrollment_detail", args=[ids["enrollment"]]),
                reverse("admin:compliance_report", args=[ids["company"]]),
                f"/static/{manifest['admin/css/base.css']}",
            ]
            sessions = []
            for _ in range(args.clients):
                session = production.StaffSession(server)
                session.log_in(username=username, password=PASSWORD)
                sessions.append(session)
            for url in urls:  # every page once: each answers 200 before anything is timed
                answer = sessions[0].get(url)
                if answer.status != 200:
                    raise SystemExit(f"{url}: HTTP {answer.status}\n{server.log.read_text()[-3000:]}")

            one, one_errors, one_seconds, one_by_url = phase(sessions[:1], urls, args.requests)
            many, many_errors, many_seconds, _ = phase(sessions, urls, args.requests)
        finally:
            if server is not None:
                server.stop()
            stack.terminate()
            stack.wait(timeout=30)

    errors = one_errors + many_errors
    for url, samples in one_by_url.items():
        print(f"1 client, {url.split('?')[0]}: p50 {sorted(samples)[len(samples) // 2] * 1000:.1f} ms")
    for clients, samples, seconds in ((1, one, one_seconds), (args.clients, many, many_seconds)):
        print(
            f"{clients:>2} client(s): {len(samples)} requests in {seconds:.1f} s, {len(samples) / seconds:.0f} req/s, "
            f"p50 {sorted(samples)[len(samples) // 2] * 1000:.1f} ms, p95 {p95(samples) * 1000:.1f} ms"
        )
    print(
        f"load: {len(many) / many_seconds:.0f} req/s at {args.clients} clients, "
        f"p95 at {args.clients} / p95 at 1 = {p95(many) / p95(one):.2f}x, errors {errors}"
    )
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

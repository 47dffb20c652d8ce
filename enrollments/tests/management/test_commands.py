from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from enrollments import clock, rules, selectors
from enrollments.imports import selectors as import_selectors
from enrollments.jobs import states
from enrollments.management import demo
from enrollments.validators import normalize_cpf

DEMO_COMPANIES = ("demo-acme", "demo-globex")


def demo_enrollments() -> list:
    enrollments = []
    for tenant_id in DEMO_COMPANIES:
        cursor = None
        while True:
            page = selectors.enrollment_list(tenant_id=tenant_id, cursor=cursor, page_size=100)
            enrollments += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
    return enrollments


def demo_counts() -> dict:
    """Return how many of each thing the demo made, to compare two runs."""
    failures, _cursor = selectors.lifecycle_failure_list(page_size=100)
    return {
        "statuses": Counter(enrollment.status for enrollment in demo_enrollments()),
        "imports": [(job.job_id, job.rows_done, job.enrolled) for job in import_selectors.import_job_list()],
        "failures": sorted(failure.sk for failure in failures),
        "seats": {
            course_id: selectors.seats_left(tenant_id="demo-acme", course_id=course_id)
            for course_id in ("demo-nr35", "demo-nr10")
        },
        "orders": len(selectors.order_list(tenant_id="demo-acme")),
        "companies": len(selectors.company_list()),
        "courses": len(selectors.course_list()),
    }


@pytest.mark.django_db
def test_seed_demo__twice__creates_demo_data_once_and_prints_login(capsys):
    call_command("create_tables")
    call_command("seed_demo")
    first = demo_counts()
    call_command("seed_demo")

    assert demo_counts() == first
    assert "Demo staff login: demo / " in capsys.readouterr().out
    assert {c.sk for c in selectors.company_list()} >= {"demo-acme", "demo-globex"}
    assert len(selectors.order_list(tenant_id="demo-acme")) == 2
    assert get_user_model().objects.get(username="demo").is_superuser


@pytest.mark.django_db
def test_seed_demo__first_run__makes_every_state_an_import_with_row_errors_and_a_failed_email():
    call_command("seed_demo")

    enrollments = demo_enrollments()
    statuses = Counter(enrollment.status for enrollment in enrollments)
    assert set(statuses) == {
        rules.PENDING,
        rules.IN_PROGRESS,
        rules.COMPLETED,
        rules.EXPIRED,
        rules.ARCHIVED,
        rules.CANCELED,
    }
    assert len(enrollments) >= 36
    # One person per enrollment, each with a valid CPF and an example.com address.
    assert len({e.user.email for e in enrollments}) == len({e.user.cpf for e in enrollments}) == len(enrollments)
    assert all(normalize_cpf(e.user.cpf) == e.user.cpf for e in enrollments)
    assert all(e.user.email.endswith("@example.com") for e in enrollments)
    # The seats of the prepaid company went to its enrollments, the canceled ones' back to its orders.
    acme = [e for e in enrollments if e.tenant_id == "demo-acme" and e.status != rules.CANCELED]
    assert selectors.seats_left(tenant_id="demo-acme", course_id="demo-nr35") == 25 - sum(
        e.course.id == "demo-nr35" for e in acme
    )

    # Every email that fell due went out (or failed) when it did: none waits in the past for a tick.
    now = clock.now_iso()
    for enrollment in enrollments:
        records = selectors.enrollment_partition(enrollment.id).schedules
        assert not [r.sk for r in records if r.state == rules.RECORD_PENDING and r.due_at <= now], enrollment.user.name

    job = import_selectors.import_job_get(demo.IMPORT_JOB_ID)
    assert job.state == states.DONE
    assert job.rows_done == job.rows_total == 13
    assert (job.enrolled, job.invalid, job.duplicates) == (8, 4, 1)

    failures, _cursor = selectors.lifecycle_failure_list(tenant_id="demo-acme")
    bounced = [f for f in failures if f.recipient_email == demo.email_of(demo.BOUNCING_PERSON)]
    assert bounced and all("550" in failure.last_error for failure in bounced)
    assert selectors.enrollment_get(bounced[0].enrollment_id).status == rules.PENDING


def test_create_tables__rerun__says_every_table_exists(capsys):
    call_command("create_tables")
    assert "already exists" in capsys.readouterr().out

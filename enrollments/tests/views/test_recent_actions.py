"""The admin home's "Recent actions": the staff member's back-office actions (or everyone's), in words, linked."""

import io
import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from enrollments import permissions
from enrollments.dynamo.models import AuditEventItem
from enrollments.imports import services as import_services
from enrollments.recent_actions import selectors
from enrollments.recent_actions.views import line
from enrollments.services import Author, cancel, company_create, enroll, order_create
from enrollments.services.catalog import course_retire
from enrollments.tests.factories import make_company, make_course, make_person
from enrollments.tests.recent_support import future_tick, staff_member

pytestmark = pytest.mark.django_db


def _home(client, user, query: str = "", **headers) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index") + query, **headers)
    assert response.status_code == 200
    return response.content.decode()


def _enroll(author: Author, *, person: str = "Joana Silva"):
    company, course = make_company(billing="postpaid", name="Acme"), make_course(name="NR-35 Trabalho em Altura")
    return enroll(tenant_id=company.id, course_id=course.id, user=make_person(name=person), author=author)


def test_admin_index__my_enrollment_and_cancel__newest_first_in_words_linked_with_time(client, frozen_clock):
    user = staff_member(permissions.OPERATORS, first_name="Ana", last_name="Lima")
    future_tick(frozen_clock)
    enrollment = _enroll(Author.from_user(user))
    future_tick(frozen_clock)
    cancel(enrollment_id=enrollment.id, reason="Wrong person", author=Author.from_user(user))

    page = _home(client, user)

    link = reverse("admin:enrollment_detail", args=[enrollment.id])
    canceled = f'<a href="{link}">Canceled — Joana Silva in NR-35 Trabalho em Altura (Acme)</a>'
    enrolled = f'<a href="{link}">Enrolled — Joana Silva in NR-35 Trabalho em Altura (Acme)</a>'
    assert canceled in page and enrolled in page and page.index(canceled) < page.index(enrolled)
    assert "<strong>Mine</strong>" in page and '<a href="?recent=all">Everyone</a>' in page


def test_admin_index__pt_br__action_and_time_as_brazilians_write_them(client, frozen_clock, settings):
    settings.LANGUAGE_CODE = "pt-br"
    user = staff_member(permissions.OPERATORS)
    frozen_clock.set(datetime(2099, 3, 5, 17, 30, tzinfo=UTC))
    _enroll(Author.from_user(user), person="Conceição Souza")

    page = _home(client, user, HTTP_ACCEPT_LANGUAGE="pt-br")

    assert "Ações recentes" in page and "<strong>Minhas</strong>" in page
    assert "Matrícula realizada — Conceição Souza em NR-35 Trabalho em Altura (Acme)" in page
    # 17:30 UTC is 14:30 in São Paulo.
    assert "05/03/2099 14:30" in page


def test_admin_index__another_staff_members_actions__only_under_everyone_with_their_name(client, frozen_clock):
    ana = staff_member(permissions.OPERATORS, first_name="Ana", last_name="Lima")
    bia = staff_member(permissions.SUPERVISORS, first_name="Bia", last_name="Reis")
    future_tick(frozen_clock)
    course = course_retire(course_id=make_course(name=f"Curso {uuid.uuid4().hex[:6]}").sk, author=Author.from_user(bia))

    mine = _home(client, ana)
    everyone = _home(client, ana, "?recent=all")

    retired = f'<a href="{reverse("admin:course_detail", args=[course.id])}">Course retired'
    assert retired not in mine and 'id="recent-actions-empty"' in mine
    assert retired in everyone and f"{course.name}</a>" in everyone and "Bia Reis" in everyone
    assert "<strong>Everyone</strong>" in everyone and f'<a href="{reverse("admin:index")}">Mine</a>' in everyone


def test_admin_index__company_created_and_seats_bought__both_said_and_linked_to_the_company(client, frozen_clock):
    user = staff_member(permissions.SUPERVISORS, first_name="Ana", last_name="Lima")
    author = Author.from_user(user)
    future_tick(frozen_clock)
    company = company_create(name=f"Acme {uuid.uuid4().hex[:6]}", billing="prepaid", author=author)
    future_tick(frozen_clock)
    order_create(tenant_id=company.id, course_id=make_course(name="NR-35").sk, seats=1200, author=author)

    page = _home(client, user)

    link = reverse("admin:company_detail", args=[company.id])
    bought = f'<a href="{link}">Seats bought — {company.name}</a>'  # the company's page lists the order
    created = f'<a href="{link}">Company created — {company.name}</a>'
    assert bought in page and created in page and page.index(bought) < page.index(created)


def test_admin_index__nothing_yet__says_so(client):
    page = _home(client, staff_member(permissions.VIEWERS))

    assert 'id="recent-actions"' not in page
    assert "Nothing yet: the enrollments, cancels, edits, imports and bulk cancels you make show here." in page


def test_admin_index__no_back_office_permission__no_recent_actions(client):
    page = _home(client, staff_member())

    assert 'id="recent-actions-module"' not in page


def test_admin_index__dynamodb_down__home_opens_saying_recent_actions_cannot_be_read(client, dynamodb_down):
    page = _home(client, staff_member(permissions.VIEWERS))

    assert "Recent actions cannot be read right now" in page


def test_admin_index__my_import__links_its_page_with_file_company_and_rows(client, frozen_clock):
    user = staff_member(permissions.OPERATORS)
    company, course = make_company(billing="postpaid", name="Globex"), make_course()
    future_tick(frozen_clock)
    rows = "".join(f"Pessoa {n};p{n}.{company.id}@example.com;{course.id}\n" for n in range(1234))
    job = import_services.import_start(
        file=io.BytesIO(f"nome;e-mail;curso\n{rows}".encode()),
        file_name="turma.csv",
        tenant_id=company.id,
        author=Author.from_user(user),
        enqueue=None,
    )

    page = _home(client, user)

    assert f'<a href="{reverse("admin:import_detail", args=[job.job_id])}">' in page
    assert "Import started — turma.csv for Globex, 1,234 rows</a>" in page


def test_line__email_sent_again__names_the_email():
    enrollment_id = str(uuid.uuid4())
    event = AuditEventItem(
        enrollment_id,
        "audit#2100-01-01T00:00:00.000000Z#abc123",
        created_at="2100-01-01T00:00:00.000000Z",
        action="LIFECYCLE_RESENT",
        detail="welcome",
        author=Author(id="1", name="Ana", staff=True).as_attribute(),
    )

    said = line(selectors.RecentAction(kind=selectors.ENROLLMENT, item=event, target_id=enrollment_id))

    assert (said.action, said.subject) == ("Email sent again: Welcome", f"Enrollment {enrollment_id}")
    assert said.url == reverse("admin:enrollment_detail", args=[enrollment_id]) and said.author == "Ana"

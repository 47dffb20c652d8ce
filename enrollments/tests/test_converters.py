"""Ids only in their own format: an id of another key space, or past DynamoDB's key size, answers 404 at every
entry point, pages and API alike, before it reaches the item it would name, and without an ERROR log."""

import json
import logging
import uuid
from urllib.parse import quote

import pytest
from django.urls import reverse

from enrollments import permissions, rules
from enrollments.services import company_create, enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person

TOKEN = "test-api-token"
ENROLLMENT_PAGES = ("enrollment_detail", "enrollment_cancel", "enrollment_complete")
COMPANY_PAGES = ("company_detail", "company_edit")
COURSE_PAGES = ("course_detail", "course_edit", "course_retire_view", "course_restore_view")
POST_ONLY = ("course_retire_view", "course_restore_view")
# Stands for the id in a reversed URL, replaced by the foreign id (which reverse() itself refuses).
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def arranged():
    """A prepaid company with seats, and an enrollment of a person with a CPF: made once for the module."""
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(cpf=make_cpf()), author=STAFF)
    return {"company": company, "course": course, "enrollment": enrollment}


@pytest.fixture(scope="module")
def foreign_ids(arranged):
    """Ids of other key spaces that hold items: the enrolled person's user and CPF items, the lock partition,
    the company's free seats; and one over DynamoDB's key size."""
    enrollment = arranged["enrollment"]
    return {
        "user": f"user#{enrollment.user.email}",
        "cpf": f"cpf#{enrollment.user.cpf}",
        "lock": "lock",
        "vacancies": f"vacancies#{arranged['company'].sk}",
        "3001 characters": "x" * 3001,
    }


KINDS = ("user", "cpf", "lock", "vacancies", "3001 characters")


def _url(name: str, foreign: str, *, args=()) -> str:
    return reverse(f"admin:{name}", args=[*args, PLACEHOLDER]).replace(PLACEHOLDER, quote(foreign, safe=""))


def _no_error_logged(caplog) -> bool:
    return not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", ENROLLMENT_PAGES + COMPANY_PAGES + COURSE_PAGES + ("compliance_report",))
def test_page__id_of_another_key_space__404(client, login, foreign_ids, caplog, page, kind):
    login(permissions.SUPERVISORS)

    send = client.post if page in POST_ONLY else client.get

    response = send(_url(page, foreign_ids[kind]))

    assert response.status_code == 404
    assert _no_error_logged(caplog)


@pytest.mark.parametrize("kind", KINDS)
def test_compliance_people__company_or_course_of_another_key_space__404(client, login, arranged, foreign_ids, kind):
    login(permissions.VIEWERS)
    company, course = arranged["company"].sk, arranged["course"].sk
    people = reverse("admin:compliance_people", args=[company, course, rules.NOT_STARTED])

    assert client.get(people).status_code == 200
    assert client.get(people.replace(company, quote(foreign_ids[kind], safe=""))).status_code == 404
    assert client.get(people.replace(course, quote(foreign_ids[kind], safe=""))).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("event", ["access", "activity", "completion"])
def test_api_events__id_of_another_key_space__404_enrollment_not_found(
    client, settings, lifecycle_time, foreign_ids, caplog, kind, event
):
    settings.COURSE_PLAYER_API_TOKEN = TOKEN
    body = {"type": event, "certificate_expires_at": "2100-01-01T00:00:00Z"}

    response = client.post(
        f"/api/v1/enrollments/{quote(foreign_ids[kind], safe='')}/events",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert response.status_code == 404 and response.json()["error"]["code"] == "enrollment_not_found"
    assert _no_error_logged(caplog)


def test_api_events__id_of_another_format_without_a_token__401(client, settings):
    settings.COURSE_PLAYER_API_TOKEN = TOKEN

    response = client.post("/api/v1/enrollments/lock/events", data="{}", content_type="application/json")

    assert response.status_code == 401


@pytest.mark.parametrize("kind", KINDS)
def test_failure_resend_all__company_of_another_key_space__404(client, login, foreign_ids, caplog, kind):
    login(permissions.OPERATORS)

    response = client.post(reverse("admin:failure_resend_all"), {"company": foreign_ids[kind]})

    assert response.status_code == 404
    assert _no_error_logged(caplog)


@pytest.mark.parametrize("kind", KINDS)
def test_bulk_cancel_confirm__enrollment_of_another_key_space__404(client, login, arranged, foreign_ids, kind):
    login(permissions.OPERATORS)
    enrollment_id = arranged["enrollment"].id

    response = client.post(reverse("admin:bulk_cancel_confirm"), {"enrollment": [enrollment_id, foreign_ids[kind]]})

    assert response.status_code == 404


def test_pages__ids_in_their_own_formats__answer(client, login, arranged):
    """Ids written before the formats were enforced keep working: seed_demo's named companies and courses,
    uuid5 enrollments."""
    login(permissions.SUPERVISORS)
    company = company_create(name="Named", billing="postpaid", company_id=f"demo-named_{uuid.uuid4().hex[:8]}")
    course = make_course()

    assert client.get(reverse("admin:company_detail", args=[company.id])).status_code == 200
    assert client.get(reverse("admin:course_detail", args=[course.id])).status_code == 200
    assert client.get(reverse("admin:enrollment_detail", args=[arranged["enrollment"].id])).status_code == 200
    assert (
        client.get(reverse("admin:enrollment_detail", args=[str(uuid.uuid5(uuid.NAMESPACE_URL, "x"))])).status_code
        == 404
    )

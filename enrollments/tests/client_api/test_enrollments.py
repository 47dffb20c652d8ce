"""The clients' API's enrollments: enroll once per Idempotency-Key (same body: the first answer; another body: 422;
at once: one enrolls), list with filters and cursor pages, read, cancel; compliance counts and people; every id of
another company answers 404."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from enrollments import rules
from enrollments.client_api.services import api_key_create
from enrollments.dynamo import keys
from enrollments.dynamo.models import AuditEventItem
from enrollments.selectors import enrollment_get, enrollment_list
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    company = make_company()
    course = make_course()
    make_order(company, course, 10)
    key, token = api_key_create(company_id=company.id, name="HR system", author=STAFF)

    class Api:
        def __init__(self):
            self.company, self.course, self.key = company, course, key
            self.client = Client(headers={"Authorization": f"Bearer {token}"})

        def get(self, path, **params):
            return self.client.get(path, params)

        def post(self, path, body, **headers):
            return self.client.post(path, json.dumps(body), content_type="application/json", headers=headers)

        def enroll(self, idempotency_key=None, **overrides):
            body = {"name": "Ana Souza", "email": f"ana.{uuid.uuid4().hex[:8]}@example.com", "course_id": course.id}
            body.update(overrides)
            return self.post("/api/v1/enrollments", body, **{"Idempotency-Key": idempotency_key or uuid.uuid4().hex})

    return Api()


def _other_company_enrollment():
    other, course = make_company(billing="postpaid"), make_course()
    return enroll(tenant_id=other.id, course_id=course.id, user=make_person(), author=STAFF), course


def test_enroll__new_key__201_enrolled_by_the_key_seat_taken(api):
    response = api.enroll(name="Bia Lima", cpf=make_cpf())

    assert response.status_code == 201
    enrollment = enrollment_get(response.json()["id"])
    assert enrollment.tenant_id == api.company.id and enrollment.user.name == "Bia Lima"
    assert enrollment.created_by.id == f"api_key:{api.key.sk}" and enrollment.created_by.name == "HR system"
    assert [row["free_seats"] for row in api.get("/api/v1/courses").json()] == [9]


def test_enroll__same_key_same_body_twice__first_answer_again_one_enrollment(api):
    body = {"name": "Ana", "email": "ana.same@example.com", "course_id": api.course.id}
    first = api.post("/api/v1/enrollments", body, **{"Idempotency-Key": "k-1"})
    second = api.post("/api/v1/enrollments", dict(reversed(body.items())), **{"Idempotency-Key": "k-1"})

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(enrollment_list(tenant_id=api.company.id).items) == 1


def test_enroll__same_key_other_body__422_idempotency_key_reused(api):
    api.enroll("k-2", email="one@example.com")

    response = api.enroll("k-2", email="two@example.com")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert len(enrollment_list(tenant_id=api.company.id).items) == 1


def test_enroll__same_key_at_once_from_threads__one_enrollment_others_same_answer_or_409(api):
    body = {"name": "Ana", "email": "ana.race@example.com", "course_id": api.course.id}
    answers = []
    start = threading.Barrier(4)

    def send():
        start.wait()
        response = api.post("/api/v1/enrollments", body, **{"Idempotency-Key": "race"})
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=send) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert all(status == 201 or (status, body["code"]) == (409, "request_in_progress") for status, body in answers)
    assert len(enrollment_list(tenant_id=api.company.id).items) == 1


def test_enroll__no_idempotency_key__422_with_code_and_message(api):
    response = api.post("/api/v1/enrollments", {"name": "A", "email": "a@example.com", "course_id": api.course.id})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request" and "Idempotency-Key" in response.json()["message"]


def test_enroll__domain_error__4xx_with_stable_code_kept_for_the_key(api):
    course_without_seats = make_course()

    first = api.enroll("k-3", email="x@example.com", course_id=course_without_seats.id)
    again = api.enroll("k-3", email="x@example.com", course_id=course_without_seats.id)

    assert first.status_code == 409 and first.json()["code"] == "no_vacancy_left"
    assert again.json() == first.json()


def test_enroll__unknown_course__404(api):
    assert api.enroll(course_id="no-such-course").status_code == 404


def test_enrollments__list_filters_and_cursor_pages_only_the_company(api):
    cpf = make_cpf()
    ids = [api.enroll(cpf=cpf if n == 0 else None).json()["id"] for n in range(3)]
    _other_company_enrollment()

    first = api.get("/api/v1/enrollments", limit=2).json()
    second = api.get("/api/v1/enrollments", limit=2, cursor=first["next_cursor"]).json()
    by_cpf = api.get("/api/v1/enrollments", cpf=cpf).json()
    canceled = api.get("/api/v1/enrollments", status=rules.CANCELED).json()

    assert {row["id"] for row in first["items"] + second["items"]} == set(ids)
    assert second["next_cursor"] is None
    assert [row["id"] for row in by_cpf["items"]] == [ids[0]]
    assert canceled["items"] == []


def test_enrollments__changed_since_in_the_future__none(api):
    api.enroll()

    assert api.get("/api/v1/enrollments", changed_since="2999-01-01T00:00:00Z").json()["items"] == []


def test_enrollment_read_and_cancel__own__read_and_canceled_with_the_key_as_author(api):
    enrollment_id = api.enroll().json()["id"]

    read = api.get(f"/api/v1/enrollments/{enrollment_id}")
    canceled = api.post(f"/api/v1/enrollments/{enrollment_id}/cancel", {"reason": "Left the company"})

    assert read.status_code == 200 and read.json()["id"] == enrollment_id
    assert canceled.status_code == 200 and canceled.json()["status"] == rules.CANCELED
    assert api.post(f"/api/v1/enrollments/{enrollment_id}/cancel", {"reason": "x"}).json()["code"] == "not_cancelable"


def test_every_endpoint__another_companys_ids__404(api):
    theirs, their_course = _other_company_enrollment()

    assert api.get(f"/api/v1/enrollments/{theirs.id}").status_code == 404
    assert api.post(f"/api/v1/enrollments/{theirs.id}/cancel", {"reason": "x"}).status_code == 404
    assert api.get(f"/api/v1/compliance/{their_course.id}/{rules.NOT_STARTED}").status_code == 404
    assert api.get("/api/v1/enrollments", course_id=their_course.id).json()["items"] == []
    assert enrollment_get(theirs.id).status != rules.CANCELED
    assert their_course.id not in [row["course_id"] for row in api.get("/api/v1/compliance").json()]


def test_compliance__counts_and_people_of_a_bucket_in_cursor_pages(api):
    ids = {api.enroll().json()["id"] for _n in range(3)}

    [row] = api.get("/api/v1/compliance").json()
    first = api.get(f"/api/v1/compliance/{api.course.id}/{rules.NOT_STARTED}", limit=2).json()
    rest = api.get(f"/api/v1/compliance/{api.course.id}/{rules.NOT_STARTED}", limit=2, cursor=first["next_cursor"])

    assert row["course_id"] == api.course.id and row["counts"][rules.NOT_STARTED] == 3
    assert {p["enrollment_id"] for p in first["items"] + rest.json()["items"]} == ids
    assert rest.json()["next_cursor"] is None
    assert api.get(f"/api/v1/compliance/{api.course.id}/nonsense").json()["code"] == "bucket_not_found"


def test_cancel__audit_names_the_key(api):
    enrollment_id = api.enroll().json()["id"]
    api.post(f"/api/v1/enrollments/{enrollment_id}/cancel", {"reason": "Left"})

    events = AuditEventItem.query(enrollment_id, AuditEventItem.sk.startswith(keys.AUDIT_PREFIX))
    assert {(event.action, event.author.id, event.author.name) for event in events} >= {
        ("CANCELED", f"api_key:{api.key.sk}", "HR system")
    }


def test_enroll__refused_answer_after_24_hours__forgotten_the_same_request_runs_again(api, frozen_clock):
    course = make_course()
    body = {"name": "Ana", "email": "ana.later@example.com", "course_id": course.id}
    refused = api.post("/api/v1/enrollments", body, **{"Idempotency-Key": "k-old"})
    make_order(api.company, course, 1)
    replayed = api.post("/api/v1/enrollments", body, **{"Idempotency-Key": "k-old"})
    frozen_clock.set(frozen_clock.start + timedelta(hours=24, seconds=1))

    later = api.post("/api/v1/enrollments", body, **{"Idempotency-Key": "k-old"})

    assert refused.json()["code"] == replayed.json()["code"] == "no_vacancy_left"
    assert later.status_code == 201


def test_enroll__same_key_after_24_hours_other_person__422_the_key_names_its_enrollment(api, frozen_clock):
    api.enroll("k-older", email="first@example.com")
    frozen_clock.set(frozen_clock.start + timedelta(hours=24, seconds=1))

    response = api.enroll("k-older", email="second@example.com")

    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert len(enrollment_list(tenant_id=api.company.id).items) == 1

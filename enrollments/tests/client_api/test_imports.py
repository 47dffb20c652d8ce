"""The clients' API's imports: a file previewed (nothing written) or imported as a job of the company, its progress
and per-row results; the same Idempotency-Key starts one job; another company's job answers 404."""

import io
import uuid

import pytest
from django.test import Client

from enrollments.client_api.services import api_key_create
from enrollments.imports.kind import IMPORT
from enrollments.jobs.services import job_run_inline
from enrollments.selectors import company_enrollments
from enrollments.tests.celery_support import drop_queue
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = pytest.mark.django_db


def _csv(company, course, count, *, bad: int = 0) -> bytes:
    lines = ["nome;e-mail;curso"]
    lines += [f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}" for i in range(count)]
    lines += [f"Sem Email {i};not-an-email;{course.id}" for i in range(bad)]
    return ("\n".join(lines) + "\n").encode()


def _client(company):
    _key, token = api_key_create(company_id=company.id, name="HR system", author=STAFF)
    return Client(headers={"Authorization": f"Bearer {token}"})


def _post(client, data: bytes, **fields):
    headers = {"Idempotency-Key": fields.pop("idempotency_key")} if "idempotency_key" in fields else {}
    upload = io.BytesIO(data)
    upload.name = "people.csv"
    return client.post("/api/v1/imports", {"file": upload, **fields}, headers=headers)


@pytest.fixture
def company_and_course(settings):
    # The API queues the chunks: on a queue of this test's own, which no worker takes and which is dropped after.
    settings.IMPORTS_QUEUE = f"test-api-imports-{uuid.uuid4().hex[:10]}"
    company, course = make_company(), make_course()
    make_order(company, course, 10)
    yield company, course
    drop_queue(settings.IMPORTS_QUEUE)


def test_import_preview__counts_and_problem_rows_nothing_written(company_and_course):
    company, course = company_and_course
    client = _client(company)

    response = _post(client, _csv(company, course, 3, bad=1), mode="preview")

    assert response.status_code == 200
    body = response.json()
    assert (body["rows_total"], body["to_enroll"], body["invalid"]) == (4, 3, 1)
    assert body["courses"] == [{"course_id": course.id, "course_name": course.name, "needed": 3, "free_seats": 10}]
    assert [problem["line"] for problem in body["problems"]] == [5]
    assert list(company_enrollments(company.id)) == []


def test_import_enroll__job_of_the_company_progress_and_row_results(company_and_course):
    company, course = company_and_course
    client = _client(company)

    started = _post(client, _csv(company, course, 3, bad=1), mode="enroll")
    job_id = started.json()["id"]
    job_run_inline(IMPORT, job_id=job_id)  # what a worker does with the queued chunks
    progress = client.get(f"/api/v1/imports/{job_id}").json()
    first = client.get(f"/api/v1/imports/{job_id}/results", {"limit": 3}).json()
    rest = client.get(f"/api/v1/imports/{job_id}/results", {"limit": 3, "cursor": first["next_cursor"]}).json()

    assert started.status_code == 202
    assert progress["state"] == "DONE" and progress["processed"] == 4
    assert progress["counts"]["enrolled"] == 3 and progress["counts"]["invalid"] == 1
    rows = first["items"] + rest["items"]
    assert [row["line"] for row in rows] == [2, 3, 4, 5] and rest["next_cursor"] is None
    assert [row["result"] for row in rows].count("enrolled") == 3
    assert len(list(company_enrollments(company.id))) == 3


def test_import_enroll__same_idempotency_key_twice__one_job(company_and_course):
    company, course = company_and_course
    client = _client(company)
    key = str(uuid.uuid4())

    first = _post(client, _csv(company, course, 2), mode="enroll", idempotency_key=key)
    second = _post(client, _csv(company, course, 2), mode="enroll", idempotency_key=key)

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]


def test_import__another_companys_job__404(company_and_course):
    company, course = company_and_course
    job_id = _post(_client(company), _csv(company, course, 1), mode="enroll").json()["id"]
    other = _client(make_company())

    assert other.get(f"/api/v1/imports/{job_id}").status_code == 404
    assert other.get(f"/api/v1/imports/{job_id}/results").status_code == 404


def test_import__no_file__422_with_code(company_and_course):
    company, _course = company_and_course

    response = _client(company).post("/api/v1/imports", {"mode": "preview"})

    assert response.status_code == 422 and response.json()["code"] == "invalid_request"

"""The clients' API's core: its key (401 otherwise), its schema and docs page, its courses, errors in the caller's
language; the course player's API beside it unchanged."""

import json

import pytest
from django.test import Client

from enrollments.client_api.services import api_key_create, api_key_revoke
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = pytest.mark.django_db


def _key(company):
    return api_key_create(company_id=company.id, name="HR system", author=STAFF)


def _get(path, token, **headers):
    return Client().get(path, headers={"Authorization": f"Bearer {token}", **headers})


@pytest.mark.parametrize("token", ["", "bo_x_y", "bo_" + "0" * 32 + "_" + "a" * 43])
def test_api__no_or_bad_key__401_json_with_code(token):
    response = _get("/api/v1/courses", token)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_api__revoked_key__401():
    company = make_company()
    key, token = _key(company)
    api_key_revoke(company_id=company.id, key_id=key.sk, author=STAFF)

    assert _get("/api/v1/courses", token).status_code == 401


def test_api__wrong_secret_of_a_real_key__401():
    company = make_company()
    key, token = _key(company)

    assert _get("/api/v1/courses", token[:-4] + "AAAA").status_code == 401


def test_api__error__message_in_accept_language_pt_br_by_default(settings):
    settings.LANGUAGE_CODE = "pt-br"

    default = Client().get("/api/v1/courses").json()["message"]
    english = Client().get("/api/v1/courses", headers={"Accept-Language": "en"}).json()["message"]

    assert english == "A valid API key is required (Authorization: Bearer)."
    assert default != english and "chave" in default


def test_courses__prepaid__ordered_courses_with_free_seats_other_companies_not_shown():
    company, other = make_company(), make_company()
    course, other_course = make_course(), make_course()
    make_order(company, course, 3)
    make_order(other, other_course, 2)
    key, token = _key(company)

    response = _get("/api/v1/courses", token)

    assert response.status_code == 200
    assert [(row["id"], row["free_seats"]) for row in response.json()] == [(course.id, 3)]
    assert key.sk and _key_used(key.sk)


def _key_used(key_id):
    from enrollments.client_api.selectors import api_key_find

    return api_key_find(key_id).last_used_at is not None


def test_courses__postpaid__free_seats_null_only_courses_with_enrollments():
    from enrollments.services import enroll
    from enrollments.tests.factories import make_person

    company = make_company(billing="postpaid")
    course, _unused = make_course(), make_course()
    enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    _key_item, token = _key(company)

    rows = _get("/api/v1/courses", token).json()

    assert [(row["id"], row["free_seats"]) for row in rows] == [(course.id, None)]


def test_schema_and_docs__served_openapi_3_1_and_docs_page_from_own_static_files():
    schema = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.1")
    assert "/api/v1/courses" in schema.json()["paths"]
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui-bundle.js" in page and "cdn" not in page.lower() and "https://" not in page


def test_course_player_api__beside_the_clients_api__still_answers_with_its_own_token(settings):
    settings.COURSE_PLAYER_API_TOKEN = "player-token"

    response = Client().post(
        "/api/v1/enrollments/00000000-0000-4000-8000-000000000000/events",
        data=json.dumps({"type": "access"}),
        content_type="application/json",
        headers={"Authorization": "Bearer player-token"},
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "enrollment_not_found"

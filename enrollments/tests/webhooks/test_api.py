"""The clients' API reads the company's webhook endpoint (never its secret); a company without one answers 404."""

import pytest
from django.test import Client

from enrollments.client_api.services import api_key_create
from enrollments.services.enrollment_events import ENROLLMENT_CANCELED, ENROLLMENT_CREATED
from enrollments.tests.factories import STAFF, make_company
from enrollments.tests.webhook_support import register

pytestmark = pytest.mark.django_db


def _client(company) -> Client:
    _key, token = api_key_create(company_id=company.id, name="HR system", author=STAFF)
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_get_webhook__registered__url_events_and_state_without_the_secret(webhook_receiver):
    company = make_company()
    endpoint = register(company, webhook_receiver.url, events=[ENROLLMENT_CANCELED, ENROLLMENT_CREATED])

    answer = _client(company).get("/api/v1/webhook")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["url"], body["events"], body["active"]) == (
        webhook_receiver.url,
        [ENROLLMENT_CREATED, ENROLLMENT_CANCELED],
        True,
    )
    assert endpoint.secret not in answer.content.decode()


def test_get_webhook__company_without_one__404_webhook_not_found_even_when_another_company_has_one(webhook_receiver):
    company, other = make_company(), make_company()
    register(other, webhook_receiver.url)

    answer = _client(company).get("/api/v1/webhook", headers={"Accept-Language": "pt-BR"})

    assert answer.status_code == 404
    assert answer.json() == {"code": "webhook_not_found", "message": "Esta empresa não tem endpoint de webhook."}

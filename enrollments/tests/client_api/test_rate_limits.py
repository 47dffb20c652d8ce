"""Rate limits of the clients' API: a token bucket per key in the real Redis, 429 with Retry-After past the burst."""

import pytest
from django.test import Client

from enrollments.client_api.rate_limits import rate_limit_take
from enrollments.client_api.services import api_key_create
from enrollments.tests.factories import STAFF, make_company

pytestmark = pytest.mark.django_db


def test_api__past_the_burst__429_with_retry_after_other_key_unaffected(settings):
    settings.API_RATE_BURST, settings.API_RATE_PER_MINUTE = 3, 1
    company = make_company()
    _key, token = api_key_create(company_id=company.id, name="Busy", author=STAFF)
    _other, other_token = api_key_create(company_id=company.id, name="Quiet", author=STAFF)
    client = Client(headers={"Authorization": f"Bearer {token}"})

    statuses = [client.get("/api/v1/courses").status_code for _n in range(4)]
    limited = client.get("/api/v1/courses")
    other = Client(headers={"Authorization": f"Bearer {other_token}"}).get("/api/v1/courses")

    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert other.status_code == 200


def test_rate_limit_take__refills_at_the_sustained_rate(settings):
    settings.API_RATE_BURST, settings.API_RATE_PER_MINUTE = 1, 120  # a token every 0.5 s
    key_id = "refill-" + make_company().id

    first = rate_limit_take(key_id=key_id)
    empty = rate_limit_take(key_id=key_id)
    # Refilled after some 0.5 s: a bounded number of tries, each a round trip to Redis.
    later = next((verdict for _try in range(100_000) if (verdict := rate_limit_take(key_id=key_id)).allowed), None)

    assert first.allowed and not empty.allowed and empty.retry_after == 1
    assert later is not None


def test_rate_limit_take__redis_unreachable__request_allowed(settings):
    settings.API_RATE_REDIS_URL = "redis://127.0.0.1:1/0"

    assert rate_limit_take(key_id="no-redis").allowed

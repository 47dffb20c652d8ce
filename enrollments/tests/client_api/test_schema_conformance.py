"""schemathesis against the clients' API's served schema (``/api/v1/openapi.json``), in process through the WSGI
application: for requests generated from the schema, no server error, and every answer's status, content type and
body as the schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backoffice.wsgi import application
from enrollments.client_api.services import api_key_create
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(settings):
    # Generated requests come fast: the rate limit is not what this test checks.
    settings.API_RATE_BURST = 1_000_000
    company, course = make_company(), make_course()
    make_order(company, course, 5)
    _key, token = api_key_create(company_id=company.id, name="schemathesis", author=STAFF)
    return token


# Read from the app as it serves it (no storage involved), when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api__generated_requests__no_server_error_and_answers_conform_to_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

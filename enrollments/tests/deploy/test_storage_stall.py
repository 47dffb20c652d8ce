"""Under gunicorn with the production settings, a frozen DynamoDB answers the app's 503 before gunicorn's timeout
kills the worker (which would answer its own 500, or nothing)."""

import json
import uuid

import pytest

pytestmark = pytest.mark.slow

TOKEN = "course-player-token-for-tests"


def test_api__dynamodb_frozen__503_from_the_app_with_the_default_bounds(
    start_production_server, frozen_dynamodb_endpoint
):
    endpoint, held = frozen_dynamodb_endpoint
    server = start_production_server(DYNAMODB_ENDPOINT=endpoint, COURSE_PLAYER_API_TOKEN=TOKEN)

    response = server.request(
        "POST",
        f"/api/v1/enrollments/{uuid.uuid4()}/events",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        body=json.dumps({"type": "access"}).encode(),
        timeout=60,
    )

    assert response.status == 503
    assert json.loads(response.body)["error"]["code"] == "storage_unavailable"
    # DYNAMODB_MAX_ATTEMPTS (2 by default) connections, each left waiting for its read timeout: bounded, then 503.
    assert len(held) == 2

"""The course player's API: POST /api/v1/enrollments/<id>/events behind a bearer token."""

import json
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.services import cancel, record_access
from enrollments.tests.factories import STAFF
from enrollments.tests.lifecycle_support import audit_actions, make_enrollment

pytestmark = pytest.mark.django_db

TOKEN = "player-secret-token"


@pytest.fixture
def api(client, settings, lifecycle_time):
    settings.COURSE_PLAYER_API_TOKEN = TOKEN

    def post(enrollment_id, body, *, token=TOKEN, raw=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = raw if raw is not None else json.dumps(body)
        return client.post(
            f"/api/v1/enrollments/{enrollment_id}/events", data=data, content_type="application/json", headers=headers
        )

    return post


def test_events__access__returns_200_with_the_new_status(api):
    enrollment = make_enrollment()

    response = api(enrollment.id, {"type": "access"})

    assert response.status_code == 200
    assert response.json()["status"] == "IN_PROGRESS" and response.json()["enrollment_id"] == enrollment.id
    assert selectors.enrollment_get(enrollment.id).status == "IN_PROGRESS"


def test_events__same_event_posted_twice__is_harmless(api, lifecycle_time):
    enrollment = make_enrollment()
    record_access(enrollment_id=enrollment.id)
    lifecycle_time.set(lifecycle_time.start + timedelta(days=1))
    body = {"type": "activity", "occurred_at": clock.to_iso(lifecycle_time.start + timedelta(hours=20))}

    first, second = api(enrollment.id, body), api(enrollment.id, body)

    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert audit_actions(enrollment.id).count("ACTIVITY") == 1


def test_events__completion__returns_200_and_completes(api, lifecycle_time):
    enrollment = make_enrollment()
    record_access(enrollment_id=enrollment.id)
    expires = clock.to_iso(lifecycle_time.start + timedelta(days=365))

    response = api(enrollment.id, {"type": "completion", "certificate_expires_at": expires})

    assert response.status_code == 200
    assert response.json()["status"] == "COMPLETED" and response.json()["certificate_expires_at"] == expires


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no token", "wrong token"])
def test_events__without_a_valid_token__returns_401_and_changes_nothing(api, token):
    enrollment = make_enrollment()

    response = api(enrollment.id, {"type": "access"}, token=token)

    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert selectors.enrollment_get(enrollment.id).status == "PENDING"


def test_events__with_no_token_configured__refuses_everyone(api, settings):
    settings.COURSE_PLAYER_API_TOKEN = ""
    enrollment = make_enrollment()

    assert api(enrollment.id, {"type": "access"}, token="").status_code == 401


def test_events__unknown_enrollment__returns_404(api):
    response = api("no-such-enrollment", {"type": "access"})

    assert response.status_code == 404 and response.json()["error"]["code"] == "enrollment_not_found"


@pytest.mark.parametrize(
    "body, raw, message",
    [
        (None, "{not json", "JSON object"),
        (None, "[" * 100_000, "JSON object"),
        (None, '{"a": ' * 100_000, "JSON object"),
        (["access"], None, "JSON object"),
        ({"type": "finished"}, None, "type must be one of"),
        ({"type": "completion"}, None, "certificate_expires_at is required"),
        ({"type": "completion", "certificate_expires_at": "next year"}, None, "ISO 8601"),
        ({"type": "access", "occurred_at": "2031-01-01T10:00:00"}, None, "ISO 8601"),
    ],
    ids=[
        "not json",
        "deeply nested array",
        "deeply nested object",
        "not an object",
        "unknown type",
        "completion without certificate",
        "bad date",
        "date without zone",
    ],
)
def test_events__bad_body__returns_400_with_a_message(api, body, raw, message):
    enrollment = make_enrollment()

    response = api(enrollment.id, body, raw=raw)

    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert selectors.enrollment_get(enrollment.id).status == "PENDING"


@pytest.mark.parametrize("kind", ["access", "activity", "completion"])
@pytest.mark.parametrize("occurred_at", ["1970-01-01T00:00:00Z", "1999-12-31T23:59:59.999999Z"], ids=["1970", "1999"])
def test_events__occurred_before_2000__returns_400_naming_occurred_at_and_changes_nothing(
    api, lifecycle_time, kind, occurred_at
):
    enrollment = make_enrollment()
    if kind == "activity":
        record_access(enrollment_id=enrollment.id)
    before = selectors.enrollment_get(enrollment.id)
    expires = clock.to_iso(lifecycle_time.start + timedelta(days=365))

    response = api(enrollment.id, {"type": kind, "occurred_at": occurred_at, "certificate_expires_at": expires})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_enrollment_data"
    assert response.json()["error"]["field"] == "occurred_at" and "2000-01-01" in response.json()["error"]["message"]
    after = selectors.enrollment_get(enrollment.id)
    assert (after.status, after.last_activity_at) == (before.status, before.last_activity_at)


def test_events__occurred_on_the_first_moment_of_2000__is_recorded(api):
    enrollment = make_enrollment()

    response = api(enrollment.id, {"type": "access", "occurred_at": "2000-01-01T00:00:00Z"})

    assert response.status_code == 200 and response.json()["started_at"] == "2000-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    "years, status",
    [(99, 200), (101, 400)],
    ids=["99 years", "101 years"],
)
def test_events__certificate_expiring_more_than_100_years_from_now__returns_400_naming_the_field(
    api, lifecycle_time, years, status
):
    enrollment = make_enrollment()
    expires = clock.to_iso(lifecycle_time.start + timedelta(days=365 * years))

    response = api(enrollment.id, {"type": "completion", "certificate_expires_at": expires})

    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["field"] == "certificate_expires_at"
        assert "100 years" in response.json()["error"]["message"]
        assert selectors.enrollment_get(enrollment.id).status == "PENDING"


@pytest.mark.parametrize("field", ["occurred_at", "certificate_expires_at"])
@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z"],
    ids=["past 9999 in UTC", "before year 1 in UTC", "last moment of 9999", "first moment of year 1"],
)
def test_events__time_at_the_edges_of_the_calendar__returns_400_naming_the_field(api, lifecycle_time, field, value):
    enrollment = make_enrollment()
    body = {"type": "completion", "certificate_expires_at": clock.to_iso(lifecycle_time.start + timedelta(days=365))}

    response = api(enrollment.id, {**body, field: value})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert selectors.enrollment_get(enrollment.id).status == "PENDING"


def test_events__completing_a_canceled_enrollment__returns_409(api, lifecycle_time):
    enrollment = make_enrollment()
    cancel(enrollment_id=enrollment.id, reason="Left", author=STAFF)

    response = api(
        enrollment.id,
        {"type": "completion", "certificate_expires_at": clock.to_iso(lifecycle_time.start + timedelta(days=365))},
    )

    assert response.status_code == 409
    assert (
        response.json()["error"]["code"] == "invalid_transition"
        and "is canceled" in response.json()["error"]["message"]
    )


def test_events__get__is_not_allowed(client, api):
    enrollment = make_enrollment()

    response = client.get(f"/api/v1/enrollments/{enrollment.id}/events", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


def test_events__dynamodb_unreachable__returns_503_json(api, dynamodb_down):
    response = api("0f8fad5b-d9cb-469f-a165-70867728950e", {"type": "access"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"

"""The course player's JSON API: progress events of an enrollment, behind a bearer token."""

import hmac
import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import clock
from .exceptions import (
    ConcurrentChange,
    EnrollmentError,
    EnrollmentNotFound,
    InvalidEnrollmentData,
    InvalidTransition,
    StorageUnavailable,
)
from .services import record_access, record_activity, record_completion

EVENT_TYPES = ("access", "activity", "completion")

_STATUS = {
    EnrollmentNotFound: 404,
    InvalidEnrollmentData: 400,
    InvalidTransition: 409,
    ConcurrentChange: 409,
    StorageUnavailable: 503,
}


def _error(status: int, code: str, message: str, *, field: str | None = None) -> JsonResponse:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field  # which value of the body to correct
    return JsonResponse({"error": error}, status=status)


def _authorized(request) -> bool:
    expected = settings.COURSE_PLAYER_API_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def _unauthorized() -> JsonResponse:
    response = _error(401, "unauthorized", _("A valid bearer token is required."))
    response["WWW-Authenticate"] = 'Bearer realm="course-player"'
    return response


def _parse_time(body: dict, field: str, *, required: bool = False):
    value = body.get(field)
    if value is None:
        if required:
            raise InvalidEnrollmentData(_("%(field)s is required.") % {"field": field}, field=field)
        return None
    if not isinstance(value, str):
        raise InvalidEnrollmentData(_("%(field)s must be an ISO 8601 string.") % {"field": field}, field=field)
    try:
        return clock.from_iso(value)
    except ValueError:
        raise InvalidEnrollmentData(
            _("%(field)s must be an ISO 8601 date and time with a time zone, not %(value)r.")
            % {"field": field, "value": value},
            field=field,
        ) from None


@csrf_exempt
@require_POST
def enrollment_events(request, enrollment_id: str):
    """Record one progress event: ``{"type": "access"|"activity"|"completion", "occurred_at"?, "certificate_expires_at"?}``."""
    if not _authorized(request):
        return _unauthorized()
    try:
        body = json.loads(request.body or b"null")
    # RecursionError: arrays or objects nested some thousands deep exhaust the parser's stack.
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return _error(400, "bad_request", _("The body must be a JSON object."))
    kind = body.get("type")
    if kind not in EVENT_TYPES:
        return _error(400, "bad_request", _("type must be one of %(types)s.") % {"types": ", ".join(EVENT_TYPES)})
    try:
        occurred_at = _parse_time(body, "occurred_at")
        common = {"enrollment_id": enrollment_id, "occurred_at": occurred_at, "source": "api"}
        if kind == "access":
            enrollment = record_access(**common)
        elif kind == "activity":
            enrollment = record_activity(**common)
        else:
            expires = _parse_time(body, "certificate_expires_at", required=True)
            enrollment = record_completion(certificate_expires_at=expires, **common)
    except EnrollmentError as error:
        status = next((code for cls, code in _STATUS.items() if isinstance(error, cls)), 400)
        return _error(status, error.code, error.message, field=getattr(error, "field", None))
    return JsonResponse(
        {
            "enrollment_id": enrollment.id,
            "status": enrollment.status,
            "started_at": enrollment.started_at,
            "last_activity_at": enrollment.last_activity_at,
            "completed_at": enrollment.completed_at,
            "certificate_expires_at": enrollment.certificate_expires_at,
        }
    )


@csrf_exempt
@require_POST
def enrollment_events_of_no_enrollment(request, enrollment_id: str):
    """Answer events of an id in no enrollment's format (another key space's, too long) as of an unknown
    enrollment, without reading anything."""
    if not _authorized(request):
        return _unauthorized()
    error = EnrollmentNotFound(enrollment_id)
    return _error(404, error.code, error.message)

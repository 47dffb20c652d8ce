"""The clients' API (``/api/v1/``): a company's HR system reads its courses and compliance and enrolls and cancels
its people, with a key that sees only its company.

Every answer that is not a success is ``{"code": <stable code>, "message": <text>}``, the message in the language of
``Accept-Language`` (``LocaleMiddleware``; pt-BR by default). Another company's ids answer 404, as unknown ones do.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError

from ..exceptions import (
    CompanyNotFound,
    ConcurrentChange,
    CourseNotFound,
    EnrollmentError,
    EnrollmentNotFound,
    StorageUnavailable,
)
from . import selectors
from .auth import ApiKeyAuth


class Error(Schema):
    code: str
    message: str


# The HTTP status of each domain error; any other is a 400.
_STATUS = {
    EnrollmentNotFound: 404,
    CourseNotFound: 404,
    CompanyNotFound: 404,
    ConcurrentChange: 409,
    StorageUnavailable: 503,
}

api = NinjaAPI(
    title="Back office API",
    version="1",
    urls_namespace="client_api",
    auth=ApiKeyAuth(),
    description="The API of the clients' HR systems: see docs/api.md.",
)


def error_response(request: HttpRequest, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(EnrollmentError)
def domain_error(request, error: EnrollmentError):
    status = next((code for cls, code in _STATUS.items() if isinstance(error, cls)), 400)
    return error_response(request, status, error.code, error.message)


@api.exception_handler(AuthenticationError)
def unauthorized(request, error):
    response = error_response(request, 401, "unauthorized", _("A valid API key is required (Authorization: Bearer)."))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    fields = sorted({".".join(str(part) for part in item.get("loc", ())[1:]) for item in error.errors} - {""})
    message = (
        _("The request is invalid: check %(fields)s.") % {"fields": ", ".join(fields)}
        if fields
        else _("The request is invalid.")
    )
    return error_response(request, 422, "invalid_request", message)


class CourseOut(Schema):
    id: str
    name: str
    access_period_days: int
    certificate_validity_days: int
    free_seats: int | None


@api.get("/courses", response={200: list[CourseOut], 401: Error}, summary="The company's courses and free seats")
def courses(request):
    """The courses the company has seats or enrollments in; ``free_seats`` is null for a postpaid company."""
    return [
        CourseOut(
            id=course.id,
            name=course.name,
            access_period_days=int(course.access_period_days),
            certificate_validity_days=int(course.certificate_validity_days),
            free_seats=seats,
        )
        for course, seats in selectors.company_courses(request.auth.company_id)
    ]

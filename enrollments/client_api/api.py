"""The clients' API (``/api/v1/``): a company's HR system reads its courses and compliance and enrolls and cancels
its people, with a key that sees only its company.

Every answer that is not a success is ``{"code": <stable code>, "message": <text>}``, the message in the language of
``Accept-Language`` (``LocaleMiddleware``; pt-BR by default). Another company's ids answer 404, as unknown ones do.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Header, NinjaAPI, Query, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .. import clock, rules
from ..exceptions import EnrollmentError, InvalidEnrollmentData, WebhookNotFound
from ..imports.kind import IMPORT
from ..imports.preview import import_preview
from ..jobs.selectors import job_progress
from ..jobs.tasks import enqueue_for
from ..pagination import decode_cursor, encode_cursor
from ..reports.selectors import bucket_people, compliance_counts
from ..selectors import ENROLLMENT_PAGE_SIZE, enrollment_list
from ..services import cancel
from ..services.enrollment_events import EVENT_TYPES
from ..validators import normalize_cpf
from ..webhooks.selectors import endpoint_find
from . import selectors, services
from .auth import ApiKeyAuth, RateLimited
from .idempotency import MAX_KEY_CHARS
from .schemas import (
    CancelIn,
    ComplianceRow,
    CourseOut,
    EnrollIn,
    EnrollmentOut,
    EnrollmentPage,
    Error,
    ImportJobOut,
    ImportPreviewOut,
    ImportResultPage,
    PeoplePage,
    WebhookOut,
)

STATUSES = (rules.PENDING, rules.IN_PROGRESS, rules.COMPLETED, rules.EXPIRED, rules.ARCHIVED, rules.CANCELED)
# Every operation may answer these, with an ``Error``.
_ERRORS = {400: Error, 401: Error, 404: Error, 409: Error, 422: Error, 429: Error, 503: Error}

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
    response = error_response(request, services.error_status(error), error.code, error.message)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def unauthorized(request, error):
    response = error_response(request, 401, "unauthorized", _("A valid API key is required (Authorization: Bearer)."))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    """Ninja's own refusals (a body that is not JSON, a form that cannot be parsed): the API's error shape."""
    if error.status_code == 400:
        return error_response(request, 400, "bad_request", _("The request's body cannot be read: send valid JSON."))
    return error_response(request, error.status_code, "http_error", str(error))


@api.exception_handler(Http404)
def not_found(request, error):
    return error_response(request, 404, "not_found", _("There is nothing at this address."))


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    fields = sorted({".".join(str(part) for part in item.get("loc", ())[1:]) for item in error.errors} - {""})
    message = (
        _("The request is invalid: check %(fields)s.") % {"fields": ", ".join(fields)}
        if fields
        else _("The request is invalid.")
    )
    return error_response(request, 422, "invalid_request", message)


@api.get("/courses", response={200: list[CourseOut], **_ERRORS}, summary="The company's courses and free seats")
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


@api.post("/enrollments", response={201: EnrollmentOut, **_ERRORS}, summary="Enroll one person")
def enrollment_create(
    request,
    payload: EnrollIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_CHARS),
):
    """Enroll a person in a course for the key's company. The same ``Idempotency-Key`` and body answer the first
    answer again for 24 hours (nothing is created twice); the same key with another body answers 422
    ``idempotency_key_reused``, and while the first request is still running, 409 ``request_in_progress``."""
    answer = services.api_enroll(
        key=request.auth,
        idempotency_key=idempotency_key,
        payload=payload.model_dump(),
        **payload.model_dump(),
    )
    return Status(answer.status, answer.body)


def _cpf_filter(cpf: str | None) -> str | None:
    if not cpf:
        return None
    try:
        return normalize_cpf(cpf)
    except DjangoValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="cpf") from None


@api.get("/enrollments", response={200: EnrollmentPage, **_ERRORS}, summary="List the company's enrollments")
def enrollment_index(
    request,
    course_id: str | None = None,
    status: str | None = None,
    cpf: str | None = None,
    changed_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(ENROLLMENT_PAGE_SIZE, ge=1, le=100),
):
    """The company's enrollments, newest first, ``limit`` a page; ``next_cursor`` gives the next page (null on the
    last). ``changed_since`` keeps those created or changed since then: a page may then hold fewer rows."""
    if status is not None and status not in STATUSES:
        raise InvalidEnrollmentData(
            _("The status must be one of %(choices)s.") % {"choices": ", ".join(STATUSES)}, field="status"
        )
    page = enrollment_list(
        tenant_id=request.auth.company_id,
        course_id=course_id or None,
        status=status,
        cpf=_cpf_filter(cpf),
        cursor=cursor,
        page_size=limit,
    )
    since = clock.to_iso(changed_since) if changed_since else None
    items = [
        selectors.enrollment_data(enrollment)
        for enrollment in page.items
        if since is None or (enrollment.updated_at or enrollment.created_at or "") >= since
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@api.get("/enrollments/{enrollment_id}", response={200: EnrollmentOut, **_ERRORS}, summary="Read one enrollment")
def enrollment_read(request, enrollment_id: str):
    return selectors.enrollment_data(selectors.company_enrollment_get(request.auth.company_id, enrollment_id))


@api.post(
    "/enrollments/{enrollment_id}/cancel", response={200: EnrollmentOut, **_ERRORS}, summary="Cancel one enrollment"
)
def enrollment_cancel(request, enrollment_id: str, payload: CancelIn):
    """Cancel an enrollment of the company, with a reason; its seat goes back to the company's order."""
    enrollment = selectors.company_enrollment_get(request.auth.company_id, enrollment_id)
    canceled = cancel(enrollment_id=enrollment.id, reason=payload.reason, author=services.api_author(request.auth))
    return selectors.enrollment_data(canceled)


@api.get("/compliance", response={200: list[ComplianceRow], **_ERRORS}, summary="Compliance counts per course")
def compliance(request):
    """People per compliance bucket in each course the company has enrollments in."""
    return [
        {"course_id": row.course.id, "course_name": row.course.name, "total": row.total, "counts": row.counts}
        for row in compliance_counts(tenant_id=request.auth.company_id, now=clock.now())
    ]


@api.get("/compliance/{course_id}/{bucket}", response={200: PeoplePage, **_ERRORS}, summary="The people of one bucket")
def compliance_people(
    request, course_id: str, bucket: str, cursor: str | None = None, limit: int = Query(50, ge=1, le=100)
):
    """The people of a course in one compliance bucket (``valid``, ``expiring_30``...), cursor pages."""
    company_id = request.auth.company_id
    if bucket not in rules.BUCKETS:
        return error_response(
            request, 404, "bucket_not_found", _("There is no bucket %(bucket)s.") % {"bucket": bucket}
        )
    selectors.course_of_company(company_id, course_id)
    query_id = f"compliance:{company_id}:{course_id}:{bucket}"
    start = int(decode_cursor(cursor, query_id) or 0)
    rows = []
    for number, enrollment in enumerate(
        bucket_people(tenant_id=company_id, course_id=course_id, bucket=bucket, now=clock.now())
    ):
        if number < start:
            continue
        if len(rows) == limit:
            return {"items": rows, "next_cursor": encode_cursor(query_id, number)}
        rows.append(
            {
                "enrollment_id": enrollment.id,
                "name": enrollment.user.name,
                "email": enrollment.user.email,
                "cpf": enrollment.user.cpf,
                "status": enrollment.status,
                "certificate_expires_at": enrollment.certificate_expires_at,
            }
        )
    return {"items": rows, "next_cursor": None}


# The problem rows a preview lists; the counts cover them all.
PREVIEW_PROBLEMS = 100


def _job_out(job) -> dict:
    progress = job_progress(IMPORT, job)
    return {
        "id": job.job_id,
        "state": progress["state"],
        "finished": progress["finished"],
        "file_name": job.file_name,
        "total": progress["total"],
        "processed": progress["processed"],
        "percent": progress["percent"],
        "counts": progress["counts"],
        "error": progress.get("error", ""),
    }


@api.post(
    "/imports",
    response={200: ImportPreviewOut, 202: ImportJobOut, **_ERRORS},
    summary="Preview or start an import of a CSV or .xlsx file",
)
def import_create(
    request,
    file: File[UploadedFile],
    mode: Literal["preview", "enroll"] = Form("preview"),
    default_course_id: str | None = Form(None),
    window_days: int | None = Form(None, ge=0, le=3650),
    allow_same_file: bool = Form(False),
    enroll_again: bool = Form(False),
    welcome: bool = Form(True),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=MAX_KEY_CHARS),
):
    """``preview`` checks every row and writes nothing (200); ``enroll`` starts the import job (202), whose
    progress and per-row results ``GET /imports/{id}`` and ``/imports/{id}/results`` read. With an
    ``Idempotency-Key``, the same key again answers the job the first request started."""
    company_id = request.auth.company_id
    if mode == "preview":
        preview = import_preview(
            file=file,
            file_name=file.name or "",
            tenant_id=company_id,
            default_course_id=default_course_id or None,
            window_days=window_days,
            enroll_again=enroll_again,
        )
        return Status(
            200,
            {
                "rows_total": preview.rows_total,
                "to_enroll": preview.to_enroll,
                "invalid": preview.invalid,
                "duplicates": preview.duplicates,
                "already_enrolled": preview.already_enrolled,
                "already_active": preview.already_active,
                "courses": [
                    {"course_id": c.course_id, "course_name": c.course_name, "needed": c.needed, "free_seats": c.left}
                    for c in preview.courses
                ],
                "problems": [
                    {"line": row.line, "status": row.status, "message": str(row.message)}
                    for row in preview.problem_rows[:PREVIEW_PROBLEMS]
                ],
                "previous_job_id": preview.previous_job.job_id if preview.previous_job else None,
            },
        )
    job = services.api_import_start(
        key=request.auth,
        file=file,
        file_name=file.name or "",
        enqueue=enqueue_for(IMPORT),
        idempotency_key=idempotency_key,
        default_course_id=default_course_id or None,
        window_days=window_days,
        allow_same_file=allow_same_file,
        enroll_again=enroll_again,
        welcome=welcome,
    )
    return Status(202, _job_out(job))


@api.get("/imports/{job_id}", response={200: ImportJobOut, **_ERRORS}, summary="An import's progress")
def import_read(request, job_id: str):
    return _job_out(selectors.company_import_get(request.auth.company_id, job_id))


@api.get("/imports/{job_id}/results", response={200: ImportResultPage, **_ERRORS}, summary="An import's row results")
def import_result_list(request, job_id: str, cursor: str | None = None, limit: int = Query(100, ge=1, le=500)):
    """The outcome of each row recorded so far (``enrolled``, ``invalid``, ``no_vacancy_left``...), by line."""
    job = selectors.company_import_get(request.auth.company_id, job_id)
    query_id = f"import-results:{job.job_id}"
    start = int(decode_cursor(cursor, query_id) or 0)
    rows = []
    for number, row in enumerate(selectors.import_result_rows(job.job_id)):
        if number < start:
            continue
        if len(rows) == limit:
            return {"items": rows, "next_cursor": encode_cursor(query_id, number)}
        rows.append(row)
    return {"items": rows, "next_cursor": None}


@api.get("/webhook", response={200: WebhookOut, **_ERRORS}, summary="The company's webhook endpoint")
def webhook(request):
    """The endpoint the company's events are posted to (registered in the back office), 404 ``webhook_not_found``
    when it has none. The signing secret is never answered here: supervisors read it in the back office."""
    endpoint = endpoint_find(request.auth.company_id)
    if endpoint is None:
        raise WebhookNotFound()
    return {
        "url": endpoint.url,
        "events": [event for event in EVENT_TYPES if event in endpoint.events],
        "active": bool(endpoint.active),
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }

"""API keys of a company's HR system: created and revoked by staff, each change audited in the company's history.

A token is ``bo_<key_id>_<secret>``: the key id finds the key's item in one read, the secret is kept only as its
SHA-256 (a leaked table gives no working key). Creating takes the form's token as the key's id, so a form sent
twice creates one key.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pynamodb.exceptions import PynamoDBException

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ApiKeyItem, CompanyApiKeyItem, ImportJobItem
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import (
    AlreadyCreated,
    CompanyNotFound,
    ConcurrentChange,
    CourseNotFound,
    DeduplicationConflict,
    EnrollmentAlreadyExists,
    EnrollmentError,
    EnrollmentNotFound,
    ImportAlreadyStarted,
    InvalidEnrollmentData,
    JobNotFound,
    NotCancelable,
    NoVacancyLeft,
    SameFileImported,
    StorageUnavailable,
    WebhookNotFound,
)
from ..imports.selectors import import_job_get
from ..imports.services import import_start
from ..rules import Person
from ..selectors import company_get, enrollment_get
from ..services import enroll
from ..services.catalog import commit_item_change, company_history_event
from ..services.common import Author, short_text
from ..validators import normalize_email
from . import idempotency, selectors
from .idempotency import IdempotencyKeyReused, RequestInProgress
from .selectors import enrollment_data

API_KEY_CREATED = "API_KEY_CREATED"
API_KEY_REVOKED = "API_KEY_REVOKED"
TOKEN_PREFIX = "bo_"
MAX_NAME_CHARS = 100


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_of(key_id: str, secret: str) -> str:
    """Return the bearer token of a key: ``bo_<key_id>_<secret>``."""
    return f"{TOKEN_PREFIX}{key_id}_{secret}"


def key_display(key: ApiKeyItem) -> str:
    """Return how the company's history names a key: its name and the start of its token (never the secret)."""
    return f"{key.name} ({TOKEN_PREFIX}{key.sk[:8]}…)"


def api_author(key: ApiKeyItem) -> Author:
    """Return the author of the changes made with ``key``: the audit shows the key's name."""
    return Author(id=f"api_key:{key.sk}", name=key.name)


@storage_errors_as_domain_errors
def api_key_create(*, company_id: str, name: str, author: Author, key_id: str | None = None) -> tuple[ApiKeyItem, str]:
    """Create an API key of a company; return it and its token, which is never shown again.

    A ``key_id`` that exists raises ``AlreadyCreated`` (the same form sent twice creates one key).
    """
    company_get(company_id)
    name = short_text(
        name,
        max_chars=MAX_NAME_CHARS,
        field="name",
        message=lambda n: ngettext(
            "The key needs a name of at most %(max)s character.",
            "The key needs a name of at most %(max)s characters.",
            n,
        ),
    )
    key_id = uuid.UUID(key_id).hex if key_id else uuid.uuid4().hex
    if selectors.api_key_find(key_id) is not None:
        raise AlreadyCreated(_("This API key was already created."), item_id=key_id)
    secret = secrets.token_urlsafe(32)
    now = clock.now_iso()
    key = ApiKeyItem(
        *keys.api_key(key_id),
        created_at=now,
        company_id=company_id,
        name=name,
        secret_hash=secret_hash(secret),
        author=author.as_attribute(),
    )
    tx = Transaction()
    tx.put(key, condition=ApiKeyItem.sk.does_not_exist(), name="item")
    tx.put(CompanyApiKeyItem(*keys.company_api_key(company_id, key_id), created_at=now, key_id=key_id))
    tx.put(
        company_history_event(
            company_id, at=now, action=API_KEY_CREATED, author=author, changes=[("api_key", None, key_display(key))]
        )
    )
    try:
        tx.commit()
    except TransactionFailed as failure:
        if "item" in failure.failed:
            raise AlreadyCreated(_("This API key was already created."), item_id=key_id) from None
        raise ConcurrentChange() from None
    return key, token_of(key_id, secret)


@storage_errors_as_domain_errors
def api_key_revoke(*, company_id: str, key_id: str, author: Author) -> bool:
    """Revoke a company's API key: it works no more. Return ``False`` when it was revoked already (writes nothing)."""
    key = selectors.company_api_key_find(company_id, key_id)
    if key is None:
        raise InvalidEnrollmentData(_("This API key does not exist."), field="key_id")
    if key.revoked_at:
        return False
    now = clock.now_iso()
    tx = Transaction()
    tx.update(
        key,
        [ApiKeyItem.revoked_at.set(now)],
        condition=ApiKeyItem.sk.exists() & ApiKeyItem.revoked_at.does_not_exist(),
        name="item",
    )
    tx.put(
        company_history_event(
            company_id, at=now, action=API_KEY_REVOKED, author=author, changes=[("api_key", key_display(key), None)]
        )
    )
    return commit_item_change(tx)


def api_key_touch(*, key: ApiKeyItem, every_seconds: int = 60) -> None:
    """Write that ``key`` was used now, at most once every ``every_seconds``: a failed condition means another
    request wrote it, and any storage error only loses a "last used" time, never the request."""
    now = clock.now()
    before = clock.to_iso(now - timedelta(seconds=every_seconds))
    if key.last_used_at and key.last_used_at > before:
        return
    try:
        key.update(
            actions=[ApiKeyItem.last_used_at.set(clock.to_iso(now))],
            condition=ApiKeyItem.sk.exists()
            & (ApiKeyItem.last_used_at.does_not_exist() | (ApiKeyItem.last_used_at < before)),
        )
    except PynamoDBException:
        return


# The HTTP status of each domain error the API answers; any other is a 400.
_ERROR_STATUS = (
    (EnrollmentNotFound, 404),
    (JobNotFound, 404),
    (SameFileImported, 409),
    (CourseNotFound, 404),
    (CompanyNotFound, 404),
    (WebhookNotFound, 404),
    (RequestInProgress, 409),
    (ConcurrentChange, 409),
    (DeduplicationConflict, 409),
    (NoVacancyLeft, 409),
    (NotCancelable, 409),
    (IdempotencyKeyReused, 422),
    (StorageUnavailable, 503),
)
# A rate limit's error (``auth.RateLimited``) is 429, by its code: auth sits above this module.
_STATUS_BY_CODE = {"rate_limited": 429}
# Errors that may pass: their answer is not kept for the key, a retry with it runs again.
_PASSING = (ConcurrentChange, StorageUnavailable)


def error_status(error: EnrollmentError) -> int:
    if error.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[error.code]
    return next((status for cls, status in _ERROR_STATUS if isinstance(error, cls)), 400)


def api_enrollment_id(company_id: str, idempotency_key: str) -> str:
    """Return the id of the enrollment a company's ``Idempotency-Key`` makes: the same key, the same enrollment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"backoffice:api:{company_id}:{idempotency_key}"))


def _email_or_none(email: str) -> str | None:
    try:
        return normalize_email(email)
    except ValidationError:
        return None


def api_enroll(
    *,
    key: ApiKeyItem,
    idempotency_key: str,
    payload: dict,
    name: str,
    email: str,
    cpf: str | None,
    course_id: str,
    deduplication_window_days: int | None,
) -> idempotency.Answer:
    """Enroll a person for the key's company once per ``Idempotency-Key``: return the answer (201 and the enrollment,
    or a domain error's status and body), the first one again for the same key and ``payload``.

    A domain error's answer is kept too (the same request would meet it again), except a passing one.
    """
    company_id = key.company_id
    first = idempotency.claim(company_id=company_id, idempotency_key=idempotency_key, payload=payload)
    if first is not None:
        return first
    enrollment_id = api_enrollment_id(company_id, idempotency_key)
    try:
        try:
            enrollment = enroll(
                tenant_id=company_id,
                course_id=course_id,
                user=Person(name=name, email=email, cpf=cpf or None),
                author=api_author(key),
                deduplication_window_days=deduplication_window_days,
                source="api",
                enrollment_id=enrollment_id,
            )
        except EnrollmentAlreadyExists:
            # The first try enrolled and died before keeping its answer, or the key's answer expired (24 h): the
            # key still names its enrollment, which answers again only to the same person and course.
            enrollment = enrollment_get(enrollment_id)
            if (enrollment.user.email, enrollment.course.id) != (_email_or_none(email), course_id):
                raise IdempotencyKeyReused() from None
        answer = idempotency.Answer(status=201, body=enrollment_data(enrollment))
    except _PASSING:
        idempotency.release(company_id=company_id, idempotency_key=idempotency_key)
        raise
    except EnrollmentError as error:
        answer = idempotency.Answer(status=error_status(error), body={"code": error.code, "message": error.message})
    idempotency.record(company_id=company_id, idempotency_key=idempotency_key, answer=answer)
    return answer


def api_import_start(
    *,
    key: ApiKeyItem,
    file,
    file_name: str,
    enqueue,
    idempotency_key: str | None,
    default_course_id: str | None,
    window_days: int | None,
    allow_same_file: bool,
    enroll_again: bool,
    welcome: bool,
) -> ImportJobItem:
    """Start an import of a file for the key's company and queue it; return its job.

    With an ``Idempotency-Key`` the job's id comes from it: the same key again returns the job the first started.
    """
    job_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"backoffice:api-import:{key.company_id}:{idempotency_key}"))
    try:
        return import_start(
            file=file,
            file_name=file_name,
            tenant_id=key.company_id,
            author=api_author(key),
            enqueue=enqueue,
            default_course_id=default_course_id,
            window_days=window_days,
            allow_same_file=allow_same_file,
            job_id=job_id if idempotency_key else None,
            welcome=welcome,
            enroll_again=enroll_again,
        )
    except ImportAlreadyStarted as error:
        return import_job_get(error.job_id)

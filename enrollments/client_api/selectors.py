"""Reads of the clients' API: a company's API keys, courses, enrollments and imports."""

from collections.abc import Iterator

from .. import rules
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ApiKeyItem, CompanyApiKeyItem, CourseItem, EnrollmentItem, ImportJobItem
from ..exceptions import CourseNotFound, EnrollmentNotFound, ImportJobNotFound
from ..imports.selectors import import_job_get, import_results
from ..selectors import company_get, course_list, enrollment_get, order_list, seats_left_by_course
from ..selectors.items import _find


@storage_errors_as_domain_errors
def api_key_find(key_id: str) -> ApiKeyItem | None:
    """Return the API key ``key_id`` of any company, or ``None``."""
    return _find(ApiKeyItem, keys.api_key(key_id))


@storage_errors_as_domain_errors
def company_api_key_find(company_id: str, key_id: str) -> ApiKeyItem | None:
    """Return the API key ``key_id`` if it is one of ``company_id``'s, else ``None``."""
    key = api_key_find(key_id)
    return key if key is not None and key.company_id == company_id else None


@storage_errors_as_domain_errors
def api_key_list(company_id: str) -> list[ApiKeyItem]:
    """Return a company's API keys, newest first: the listing's query, then one batch read of the keys."""
    listed = [item.key_id for item in CompanyApiKeyItem.query(keys.company_api_keys(company_id), consistent_read=True)]
    found = list(ApiKeyItem.batch_get([keys.api_key(key_id) for key_id in listed])) if listed else []
    return sorted(found, key=lambda key: key.created_at or "", reverse=True)


@storage_errors_as_domain_errors
def company_courses(company_id: str) -> list[tuple[CourseItem, int | None]]:
    """Return the courses a company has seats or enrollments in (catalog order) with its free seats in each, ``None``
    for a postpaid company; a course with no seat bought is asked for one enrollment (one small query per shard)."""
    company = company_get(company_id)
    seats = seats_left_by_course(tenant_id=company_id)
    wanted = set(seats) | {order.course_id for order in order_list(tenant_id=company_id)}
    found = []
    for course in course_list():
        if course.id not in wanted and not _has_enrollments(company_id, course.id):
            continue
        found.append((course, None if company.billing == rules.POSTPAID else seats.get(course.id, 0)))
    return found


def _has_enrollments(company_id: str, course_id: str) -> bool:
    return any(
        next(iter(EnrollmentItem.by_tenant_course.query(shard, limit=1, attributes_to_get=["id", "sk"])), None)
        for shard in keys.tenant_course_shards(company_id, course_id)
    )


def enrollment_data(enrollment: EnrollmentItem) -> dict:
    """Return what the API tells of an enrollment (``EnrollmentOut``), as JSON values."""
    return {
        "id": enrollment.id,
        "status": enrollment.status,
        "course_id": enrollment.course.id,
        "course_name": enrollment.course.name,
        "name": enrollment.user.name,
        "email": enrollment.user.email,
        "cpf": enrollment.user.cpf,
        "created_at": enrollment.created_at,
        "updated_at": enrollment.updated_at,
        "access_expires_at": enrollment.access_expires_at,
        "started_at": enrollment.started_at,
        "completed_at": enrollment.completed_at,
        "certificate_expires_at": enrollment.certificate_expires_at,
        "canceled_at": enrollment.canceled_at,
    }


@storage_errors_as_domain_errors
def company_enrollment_get(company_id: str, enrollment_id: str) -> EnrollmentItem:
    """Return a company's enrollment; raise ``EnrollmentNotFound`` for another company's, as for an unknown id."""
    enrollment = enrollment_get(enrollment_id)
    if enrollment.tenant_id != company_id:
        raise EnrollmentNotFound(enrollment_id)
    return enrollment


@storage_errors_as_domain_errors
def course_of_company(company_id: str, course_id: str) -> CourseItem:
    """Return a course the company has seats or enrollments in; raise ``CourseNotFound`` for any other."""
    for course, _seats in company_courses(company_id):
        if course.id == course_id:
            return course
    raise CourseNotFound(course_id)


@storage_errors_as_domain_errors
def company_import_get(company_id: str, job_id: str) -> ImportJobItem:
    """Return a company's import job; raise ``ImportJobNotFound`` for another company's, as for an unknown id."""
    job = import_job_get(job_id)
    if job.tenant_id != company_id:
        raise ImportJobNotFound(job_id)
    return job


def import_result_rows(job_id: str) -> Iterator[dict]:
    """Yield the outcome of each row an import has recorded, in chunk order."""
    for result in import_results(job_id):
        for line, name, email, outcome, enrollment_id, message in result.rows:
            yield {
                "line": line,
                "name": name,
                "email": email,
                "result": outcome,
                "enrollment_id": enrollment_id or None,
                "message": message or "",
            }

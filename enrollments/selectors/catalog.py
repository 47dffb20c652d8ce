"""Reads of the catalog: companies, courses, their histories, and a company's orders."""

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    CatalogAuditEventItem,
    CnpjHolderItem,
    CompanyItem,
    CompanyOrderItem,
    CourseItem,
    OrderItem,
)
from ..exceptions import CompanyNotFound, CourseNotFound
from .items import _find


@storage_errors_as_domain_errors
def company_get(company_id: str) -> CompanyItem:
    """Return the company, or raise ``CompanyNotFound``."""
    company = _find(CompanyItem, keys.company(company_id)) if company_id else None
    if company is None:
        raise CompanyNotFound(company_id)
    return company


@storage_errors_as_domain_errors
def cnpj_holder_find(cnpj: str) -> CnpjHolderItem | None:
    """Return the item naming the company this CNPJ (14 digits) belongs to, or ``None``."""
    return _find(CnpjHolderItem, keys.cnpj_holder(cnpj))


@storage_errors_as_domain_errors
def course_get(course_id: str) -> CourseItem:
    """Return the course, or raise ``CourseNotFound``."""
    course = _find(CourseItem, keys.course(course_id)) if course_id else None
    if course is None:
        raise CourseNotFound(course_id)
    return course


@storage_errors_as_domain_errors
def order_find(order_id: str) -> OrderItem | None:
    """Return the order, or ``None``."""
    return _find(OrderItem, keys.order(order_id))


@storage_errors_as_domain_errors
def company_list() -> list[CompanyItem]:
    return list(CompanyItem.query(keys.COMPANIES))


@storage_errors_as_domain_errors
def course_list() -> list[CourseItem]:
    return list(CourseItem.query(keys.COURSES))


@storage_errors_as_domain_errors
def course_esocial_codes() -> dict[str, str]:
    """Return the eSocial codes (table 28) of the courses that have one, by course id: one query of the catalog."""
    return {course.id: course.esocial_code for course in CourseItem.query(keys.COURSES) if course.esocial_code}


@storage_errors_as_domain_errors
def company_history(company_id: str, *, limit: int = 100) -> list[CatalogAuditEventItem]:
    """Return the latest ``limit`` audit events of a company's edits, newest first."""
    return _catalog_history(keys.company_history(company_id), limit)


@storage_errors_as_domain_errors
def course_history(course_id: str, *, limit: int = 100) -> list[CatalogAuditEventItem]:
    """Return the latest ``limit`` audit events of a course (edits, retired, restored), newest first."""
    return _catalog_history(keys.course_history(course_id), limit)


def _catalog_history(history: str, limit: int) -> list[CatalogAuditEventItem]:
    events = CatalogAuditEventItem.query(
        history, CatalogAuditEventItem.sk.startswith(keys.AUDIT_PREFIX), scan_index_forward=False, limit=limit
    )
    return list(events)


@storage_errors_as_domain_errors
def order_list(*, tenant_id: str) -> list[CompanyOrderItem]:
    """Return the orders of a company, newest first."""
    return list(CompanyOrderItem.query(keys.company_orders(tenant_id), scan_index_forward=False))

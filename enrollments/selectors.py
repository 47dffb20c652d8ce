"""Reads: items by key and index queries. No Scan."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .dynamo.models import (
    AuditEventItem,
    CancelPolicyItem,
    CanceledDateItem,
    CompanyItem,
    CompanyOrderItem,
    CourseItem,
    DeduplicationWindowItem,
    EnrollmentItem,
    LifecycleFailureItem,
    LifecycleRecordItem,
    LockItem,
    LockMetadataItem,
    MainItem,
    OrderItem,
    OrderTableItem,
    ParentVacancyItem,
    SchedulerCursorItem,
    UserItem,
    VacancyItem,
)
from .exceptions import EnrollmentNotFound

COMPANIES_PK = "companies"
COURSES_PK = "courses"


def vacancies_pk(tenant_id: str) -> str:
    return f"vacancies#{tenant_id}"


def user_pk(email: str) -> str:
    return f"user#{email}"


def _get(model, hash_key, range_key):
    try:
        return model.get(hash_key, range_key, consistent_read=True)
    except model.DoesNotExist:
        return None


def get_company(company_id: str) -> CompanyItem | None:
    return _get(CompanyItem, COMPANIES_PK, company_id) if company_id else None


def get_course(course_id: str) -> CourseItem | None:
    return _get(CourseItem, COURSES_PK, course_id) if course_id else None


def get_user_by_email(email: str) -> UserItem | None:
    return _get(UserItem, user_pk(email), "0")


def get_lock(lock_hash: str) -> LockItem | None:
    return _get(LockItem, "lock", lock_hash)


def get_order(order_id: str) -> OrderItem | None:
    return _get(OrderItem, order_id, "0")


def company_list() -> list[CompanyItem]:
    return list(CompanyItem.query(COMPANIES_PK))


def course_list() -> list[CourseItem]:
    return list(CourseItem.query(COURSES_PK))


def company_orders_pk(tenant_id: str) -> str:
    return f"orders#{tenant_id}"


def order_list(*, tenant_id: str) -> list[CompanyOrderItem]:
    """Return the orders of a company, newest first."""
    return list(CompanyOrderItem.query(company_orders_pk(tenant_id), scan_index_forward=False))


def free_seats(*, tenant_id: str, course_id: str, limit: int = 50) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course at a company."""
    # page_size bounds each request: without it DynamoDB reads up to 1 MB of seats per call.
    seats = VacancyItem.query(
        vacancies_pk(tenant_id), filter_condition=VacancyItem.course_id == course_id, consistent_read=True, page_size=limit
    )
    found = []
    for seat in seats:
        found.append(seat)
        if len(found) >= limit:
            break
    return found


def seats_left(*, tenant_id: str, course_id: str) -> int:
    """Return how many free seats of a course a company has."""
    return VacancyItem.count(vacancies_pk(tenant_id), filter_condition=VacancyItem.course_id == course_id, consistent_read=True)


@dataclass
class EnrollmentPartition:
    """Every item of one enrollment, each by its role."""

    enrollment: EnrollmentItem
    schedules: list[LifecycleRecordItem] = field(default_factory=list)
    audit: list[AuditEventItem] = field(default_factory=list)
    cancel_policy: CancelPolicyItem | None = None
    parent_vacancy: ParentVacancyItem | None = None
    lock_metadata: LockMetadataItem | None = None
    deduplication_window: DeduplicationWindowItem | None = None
    canceled_date: CanceledDateItem | None = None
    others: list[MainItem] = field(default_factory=list)


_ROLES = {
    CancelPolicyItem: "cancel_policy",
    ParentVacancyItem: "parent_vacancy",
    LockMetadataItem: "lock_metadata",
    DeduplicationWindowItem: "deduplication_window",
    CanceledDateItem: "canceled_date",
}


def enrollment_partition(enrollment_id: str) -> EnrollmentPartition:
    """Return the enrollment and every item of its partition, or raise ``EnrollmentNotFound``."""
    items = list(MainItem.query(enrollment_id, consistent_read=True)) if enrollment_id else []
    enrollment = next((item for item in items if isinstance(item, EnrollmentItem)), None)
    if enrollment is None:
        raise EnrollmentNotFound(enrollment_id)
    partition = EnrollmentPartition(enrollment=enrollment)
    for item in items:
        if isinstance(item, LifecycleRecordItem):
            partition.schedules.append(item)
        elif isinstance(item, AuditEventItem):
            partition.audit.append(item)
        elif type(item) in _ROLES:
            setattr(partition, _ROLES[type(item)], item)
        elif item is not enrollment:
            partition.others.append(item)
    return partition


def get_enrollment(enrollment_id: str) -> EnrollmentItem:
    """Return the enrollment item, or raise ``EnrollmentNotFound``."""
    enrollment = _get(EnrollmentItem, enrollment_id, "0") if enrollment_id else None
    if enrollment is None:
        raise EnrollmentNotFound(enrollment_id)
    return enrollment


def order_items(order_id: str) -> list[OrderTableItem]:
    """Return the order and its generated items."""
    return list(OrderTableItem.query(order_id, consistent_read=True))


# The lifecycle scheduler's reads.

SCHEDULER_PK = "scheduler"
CURSOR_SK = "cursor#due"
LIFECYCLE_FAILURES_PK = "lifecycle_failures"


def scheduler_cursor() -> date | None:
    """Return the oldest UTC day the tick reads, or ``None`` when no tick has written one yet."""
    cursor = _get(SchedulerCursorItem, SCHEDULER_PK, CURSOR_SK)
    return date.fromisoformat(cursor.day) if cursor else None


def due_record_keys(*, shard_key: str, until_iso: str) -> Iterator[tuple[str, str]]:
    """Yield ``(enrollment_id, sk)`` of the pending records of one ``due`` partition due at or before ``until_iso``.

    The key condition bounds the read: records due later are never read.
    """
    for record in LifecycleRecordItem.due.query(shard_key, LifecycleRecordItem.due_at <= until_iso):
        yield record.id, record.sk


def get_lifecycle_record(enrollment_id: str, sk: str) -> LifecycleRecordItem | None:
    return _get(LifecycleRecordItem, enrollment_id, sk)


def lifecycle_failure_list(*, limit: int = 50, after: dict | None = None) -> tuple[list[LifecycleFailureItem], dict | None]:
    """Return up to ``limit`` lifecycle records that gave up, newest first, and the cursor of the next page."""
    results = LifecycleFailureItem.query(
        LIFECYCLE_FAILURES_PK, scan_index_forward=False, limit=limit, last_evaluated_key=after,
    )
    items = list(results)
    return items, results.last_evaluated_key

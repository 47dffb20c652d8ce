"""Reads: items by key and index queries. No Scan."""

from collections.abc import Iterator
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

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
from .pagination import Page, decode_cursor, encode_cursor, index_page, merged_page

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
def seats_left_by_course(*, tenant_id: str) -> dict[str, int]:
    """Return how many free seats a company has, per course id (one query of its seats)."""
    seats = VacancyItem.query(vacancies_pk(tenant_id), consistent_read=True, attributes_to_get=["course_id", "kind"])
    return dict(Counter(seat.course_id for seat in seats))


# Enrollment list --------------------------------------------------------------

ENROLLMENT_PAGE_SIZE = 50
# Rows a list page may read before a filter expression (status, or company and
# course on a person's search) has filled it; see ``enrollments.pagination``.
ENROLLMENT_LIST_MAX_SCANNED = 2000
LIST_SHARD_PREFIX = "enrollments#"


def list_shard(enrollment_id: str) -> str:
    """Return the ``all_enrollments`` index partition of an enrollment."""
    number = int(hashlib.md5(enrollment_id.encode()).hexdigest()[:8], 16) % settings.ENROLLMENT_LIST_SHARDS
    return f"{LIST_SHARD_PREFIX}{number}"


def enrollment_list_keys(*, enrollment_id: str, tenant_id: str, course_id: str, cpf: str | None) -> dict[str, str]:
    """Return the attributes that put a new enrollment in the list indexes (``by_tenant`` and ``by_email`` aside)."""
    keys = {
        "course_pk": course_id,
        "tenant_course_pk": f"{tenant_id}#{course_id}",
        "list_shard": list_shard(enrollment_id),
    }
    if cpf:
        keys["cpf_pk"] = cpf
    return keys


def _sort_key(raw: dict) -> str:
    return raw["tenant_sk"]["S"]


def enrollment_list(
    *,
    tenant_id: str | None = None,
    course_id: str | None = None,
    status: str | None = None,
    email: str | None = None,
    cpf: str | None = None,
    cursor: str | None = None,
    page_size: int = ENROLLMENT_PAGE_SIZE,
    max_scanned: int = ENROLLMENT_LIST_MAX_SCANNED,
) -> Page:
    """Return a page of enrollments, newest first, from the index that fits the filters.

    ``email`` and ``cpf`` are normalised already (``validators``). A person's
    enrollments come from ``by_email`` or ``by_cpf``, the other filters applied to
    those few rows; otherwise company and course pick ``by_tenant_course``,
    ``by_tenant`` or ``by_course``, and no filter reads ``all_enrollments``; the
    status is a filter expression on whichever index. Raise ``InvalidCursor``
    for a cursor of another list.
    """
    conditions = []
    if email or cpf:
        index, hash_key = (EnrollmentItem.by_email, email) if email else (EnrollmentItem.by_cpf, cpf)
        if tenant_id:
            conditions.append(EnrollmentItem.tenant_id == tenant_id)
        if course_id:
            conditions.append(EnrollmentItem.course.id == course_id)
    elif tenant_id and course_id:
        index, hash_key = EnrollmentItem.by_tenant_course, f"{tenant_id}#{course_id}"
    elif tenant_id:
        index, hash_key = EnrollmentItem.by_tenant, tenant_id
    elif course_id:
        index, hash_key = EnrollmentItem.by_course, course_id
    else:
        index, hash_key = EnrollmentItem.all_enrollments, None
    if status:
        conditions.append(EnrollmentItem.status == status)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    index_name = index.Meta.index_name
    query_id = f"{index_name}|{hash_key}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)

    if hash_key is None:
        def shard_pages(shard):
            def pages(after, limit):
                return index.query(
                    shard, range_key_condition=(EnrollmentItem.tenant_sk < after) if after else None,
                    filter_condition=filter_condition, scan_index_forward=False, page_size=limit,
                ).page_iter
            return pages

        shards = [f"{LIST_SHARD_PREFIX}{n}" for n in range(settings.ENROLLMENT_LIST_SHARDS)]
        raws, next_position, complete = merged_page(
            [shard_pages(shard) for shard in shards], sort_key=_sort_key, after=position,
            page_size=page_size, max_scanned=max_scanned,
        )
    else:
        pages = index.query(
            hash_key, filter_condition=filter_condition, scan_index_forward=False,
            page_size=page_size + 1, last_evaluated_key=position,
        ).page_iter
        raws, next_position, complete = index_page(pages, page_size=page_size, max_scanned=max_scanned)
    return Page(
        items=[EnrollmentItem.from_raw_data(raw) for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index_name,
    )

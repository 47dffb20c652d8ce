"""Reads of the enrollment core: items by key, and index queries with cursor pages. No Scan.

One contract for a missing item: ``<item>_get`` raises the item's ``...NotFound``
error, ``<item>_find`` answers ``None``. Storage errors leave as ``StorageUnavailable``.
"""

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from .dynamo import keys
from .dynamo.errors import storage_errors_as_domain_errors
from .dynamo.models import (
    ActiveEnrollmentsItem,
    AuditEventItem,
    CanceledDateItem,
    CancelPolicyItem,
    CatalogAuditEventItem,
    CompanyItem,
    CompanyOrderItem,
    CourseItem,
    CpfOwnerItem,
    DeduplicationWindowItem,
    EnrollmentItem,
    GeneratedItem,
    LifecycleFailureItem,
    LifecycleRecordItem,
    LockItem,
    LockMetadataItem,
    MainItem,
    NameWordItem,
    OrderItem,
    ParentVacancyItem,
    SchedulerCursorItem,
    UserItem,
    VacancyItem,
)
from .exceptions import CompanyNotFound, CourseNotFound, EnrollmentNotFound
from .pagination import Page, decode_cursor, encode_cursor, index_page, merged_page, merged_rows
from .rules import name_index_words, name_lookup_word, name_matches


def _find(model, key: keys.Key):
    """Return the item of ``model`` at ``key``, or ``None``: also when the key cannot exist in DynamoDB or holds
    another kind of item (a ``user#<email>`` given as an enrollment id)."""
    if not keys.storable(key):
        return None
    try:
        return model.get(*key, consistent_read=True)
    except model.DoesNotExist:
        return None
    except ValueError as error:
        # PynamoDB's refusal to build ``model`` from an item whose ``kind`` names another class
        # (AttributeContainer._instantiate). An item written by an update has no ``kind``: it is read as ``model``.
        if str(error).startswith("Cannot instantiate a "):
            return None
        raise


@storage_errors_as_domain_errors
def company_get(company_id: str) -> CompanyItem:
    """Return the company, or raise ``CompanyNotFound``."""
    company = _find(CompanyItem, keys.company(company_id)) if company_id else None
    if company is None:
        raise CompanyNotFound(company_id)
    return company


@storage_errors_as_domain_errors
def course_get(course_id: str) -> CourseItem:
    """Return the course, or raise ``CourseNotFound``."""
    course = _find(CourseItem, keys.course(course_id)) if course_id else None
    if course is None:
        raise CourseNotFound(course_id)
    return course


@storage_errors_as_domain_errors
def user_find(email: str) -> UserItem | None:
    """Return the person with this (normalised) email, or ``None``."""
    return _find(UserItem, keys.user(email))


@storage_errors_as_domain_errors
def cpf_owner_find(cpf: str) -> CpfOwnerItem | None:
    """Return the person this CPF (11 digits) belongs to, or ``None``."""
    return _find(CpfOwnerItem, keys.cpf_owner(cpf))


@storage_errors_as_domain_errors
def active_enrollment_ids(*, user_id: str, course_id: str) -> set[str]:
    """Return the ids of the person's active enrollments (pending, in progress) in the course."""
    item = _find(ActiveEnrollmentsItem, keys.active_enrollments(user_id=user_id, course_id=course_id))
    return set(item.enrollment_ids or ()) if item is not None else set()


@storage_errors_as_domain_errors
def lock_find(lock_hash: str) -> LockItem | None:
    """Return the deduplication lock with this key (live or expired), or ``None``."""
    return _find(LockItem, keys.lock(lock_hash))


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


def _seat_partitions(tenant_id: str) -> list[str]:
    """Return the company's seat partitions (``keys.vacancies``) from a random one on, so takers spread over them."""
    partitions = keys.vacancies(tenant_id)
    first = random.randrange(len(partitions))
    return partitions[first:] + partitions[:first]


@storage_errors_as_domain_errors
def free_seats(*, tenant_id: str, course_id: str, limit: int = 50) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course at a company, from its seat partitions in turn."""
    found = []
    for partition in _seat_partitions(tenant_id):
        # page_size bounds each request: without it DynamoDB reads up to 1 MB of seats per call.
        seats = VacancyItem.query(
            partition,
            filter_condition=VacancyItem.course_id == course_id,
            consistent_read=True,
            page_size=limit - len(found),
        )
        for seat in seats:
            found.append(seat)
            if len(found) >= limit:
                return found
    return found


@storage_errors_as_domain_errors
def seats_left(*, tenant_id: str, course_id: str) -> int:
    """Return how many free seats of a course a company has (a count of each seat partition)."""
    return sum(
        VacancyItem.count(partition, filter_condition=VacancyItem.course_id == course_id, consistent_read=True)
        for partition in keys.vacancies(tenant_id)
    )


@storage_errors_as_domain_errors
def seats_left_by_course(*, tenant_id: str) -> dict[str, int]:
    """Return how many free seats a company has, per course id (one query of each seat partition)."""
    counts: Counter = Counter()
    for partition in keys.vacancies(tenant_id):
        seats = VacancyItem.query(partition, consistent_read=True, attributes_to_get=["course_id", "kind"])
        counts.update(seat.course_id for seat in seats)
    return dict(counts)


@storage_errors_as_domain_errors
def free_seats_from(*, tenant_id: str, course_id: str, start: str | None, limit: int) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course, from sort key ``start`` on and then from the beginning.

    Seat keys end in a random uuid: concurrent chunks starting at random keys (and at
    a random one of the seat partitions) take different seats instead of all fighting
    over the first ones. Without ``start``, from the beginning.
    """
    of_course = VacancyItem.course_id == course_id
    found: list[VacancyItem] = []
    for partition in _seat_partitions(tenant_id):
        for range_condition in (VacancyItem.sk >= start, VacancyItem.sk < start) if start else (None,):
            seats = VacancyItem.query(
                partition,
                range_condition,
                filter_condition=of_course,
                consistent_read=True,
                page_size=limit - len(found),
            )
            for seat in seats:
                found.append(seat)
                if len(found) >= limit:
                    return found
    return found


@storage_errors_as_domain_errors
def users_by_email(emails: Iterable[str]) -> dict[str, UserItem]:
    """Return the user items of these emails that exist, by email: BatchGet, 100 keys a request."""
    wanted = {keys.user(email) for email in emails}
    return {user.email: user for user in UserItem.batch_get(wanted, consistent_read=True)} if wanted else {}


@storage_errors_as_domain_errors
def locks_by_hash(hashes: Iterable[str]) -> dict[str, LockItem]:
    """Return the deduplication locks with these keys that exist (live or expired), by key."""
    wanted = {keys.lock(lock_hash) for lock_hash in hashes}
    return {lock.sk: lock for lock in LockItem.batch_get(wanted, consistent_read=True)} if wanted else {}


@storage_errors_as_domain_errors
def cpf_owners(cpfs: Iterable[str]) -> dict[str, CpfOwnerItem]:
    """Return the owners of these CPFs that have one, by CPF: BatchGet."""
    wanted = {keys.cpf_owner(cpf) for cpf in cpfs}
    items = CpfOwnerItem.batch_get(wanted, consistent_read=True) if wanted else ()
    return {keys.cpf_of_owner(item.id): item for item in items}


@storage_errors_as_domain_errors
def active_enrollments_of(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Return, for these ``(user_id, course_id)`` pairs, the active enrollment ids of those that have any."""
    wanted = {keys.active_enrollments(user_id=user_id, course_id=course_id) for user_id, course_id in pairs}
    items = ActiveEnrollmentsItem.batch_get(wanted, consistent_read=True) if wanted else ()
    return {(keys.user_of_active(item.id), item.sk): set(item.enrollment_ids) for item in items if item.enrollment_ids}


@storage_errors_as_domain_errors
def seat_use_key(parent: ParentVacancyItem) -> keys.Key:
    """Return the key of the seat use (``GeneratedItem``) of the enrollment that took ``parent``'s seat.

    Enroll records the use's partition on the parent item. A parent written before that has
    none: its use is in one of the order's partitions (shard 0 before the shards), found by one
    BatchGet. When no partition holds it, the key it would have now (a cancel then finds no use).
    """
    key = keys.generated_item(parent.order_id, parent.id)
    if parent.use_pk:
        return keys.Key(parent.use_pk, key.sk)
    candidates = [(partition, key.sk) for partition in keys.order_use_partitions(parent.order_id)]
    found = next(iter(GeneratedItem.batch_get(candidates, consistent_read=True)), None)
    return keys.Key(found.order_id, found.sk) if found is not None else key


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


@storage_errors_as_domain_errors
def enrollment_partition(enrollment_id: str) -> EnrollmentPartition:
    """Return the enrollment and every item of its partition, or raise ``EnrollmentNotFound``."""
    readable = keys.storable(keys.enrollment(enrollment_id)) if enrollment_id else False
    items = list(MainItem.query(enrollment_id, consistent_read=True)) if readable else []
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


@storage_errors_as_domain_errors
def enrollment_get(enrollment_id: str) -> EnrollmentItem:
    """Return the enrollment item, or raise ``EnrollmentNotFound``."""
    enrollment = _find(EnrollmentItem, keys.enrollment(enrollment_id)) if enrollment_id else None
    if enrollment is None:
        raise EnrollmentNotFound(enrollment_id)
    return enrollment


# The lifecycle scheduler's reads.


@storage_errors_as_domain_errors
def scheduler_cursor() -> date | None:
    """Return the oldest UTC day the tick reads, or ``None`` when no tick has written one yet."""
    cursor = _find(SchedulerCursorItem, keys.scheduler_cursor())
    return date.fromisoformat(cursor.day) if cursor else None


@storage_errors_as_domain_errors
def due_record_keys(*, shard_key: str, until_iso: str) -> Iterator[tuple[str, str]]:
    """Yield ``(enrollment_id, sk)`` of the pending records of one ``due`` partition due at or before ``until_iso``.

    The key condition bounds the read: records due later are never read.
    """
    for record in LifecycleRecordItem.due.query(shard_key, LifecycleRecordItem.due_at <= until_iso):
        yield record.id, record.sk


@storage_errors_as_domain_errors
def lifecycle_record_find(enrollment_id: str, event: str) -> LifecycleRecordItem | None:
    """Return the lifecycle record of ``event`` of an enrollment, or ``None``."""
    return _find(LifecycleRecordItem, keys.schedule(enrollment_id, event))


FAILURE_PAGE_SIZE = 50


@storage_errors_as_domain_errors
def lifecycle_failure_find(failure_sk: str) -> LifecycleFailureItem | None:
    """Return the failure with this sort key (``<failed_at>#<enrollment_id>#<event>``), or ``None``."""
    return _find(LifecycleFailureItem, keys.lifecycle_failure_of_sk(failure_sk)) if failure_sk else None


@storage_errors_as_domain_errors
def lifecycle_failure_list(
    *, tenant_id: str | None = None, cursor: str | None = None, page_size: int = FAILURE_PAGE_SIZE
) -> tuple[list[LifecycleFailureItem], str | None]:
    """Return a page of lifecycle records that gave up, newest first, and the cursor of the next page (or ``None``).

    A company's come from the ``failures_by_tenant`` index, all of them from their own
    partition. Raise ``InvalidCursor`` for a cursor of another list.
    """
    query_id = f"lifecycle_failures|{tenant_id}"
    position = decode_cursor(cursor, query_id)
    if tenant_id:
        results = LifecycleFailureItem.by_tenant.query(
            keys.company_failures(tenant_id),
            scan_index_forward=False,
            page_size=page_size + 1,
            last_evaluated_key=position,
        )
    else:
        results = LifecycleFailureItem.query(
            keys.LIFECYCLE_FAILURES,
            scan_index_forward=False,
            consistent_read=True,
            page_size=page_size + 1,
            last_evaluated_key=position,
        )
    # No filter expression of ours: every row read is a failure, so the read budget is never the limit.
    raws, next_position, _complete = index_page(results.page_iter, page_size=page_size, max_scanned=page_size * 10)
    items = [LifecycleFailureItem.from_raw_data(raw) for raw in raws]
    return items, encode_cursor(query_id, next_position) if next_position is not None else None


# Enrollment list --------------------------------------------------------------

ENROLLMENT_PAGE_SIZE = 50
# Rows a list page may read before a filter expression (status, or company and
# course on a person's search) has filled it; see ``enrollments.pagination``.
ENROLLMENT_LIST_MAX_SCANNED = 2000


def _sort_key(raw: dict) -> str:
    return raw["tenant_sk"]["S"]


@storage_errors_as_domain_errors
def enrollment_list(
    *,
    tenant_id: str | None = None,
    course_id: str | None = None,
    status: str | None = None,
    email: str | None = None,
    cpf: str | None = None,
    name: list[str] | None = None,
    cursor: str | None = None,
    page_size: int = ENROLLMENT_PAGE_SIZE,
    max_scanned: int = ENROLLMENT_LIST_MAX_SCANNED,
) -> Page:
    """Return a page of enrollments, newest first, from the index that fits the filters.

    ``email`` and ``cpf`` are normalised already (``validators``). A person's
    enrollments come from ``by_email`` or ``by_cpf``, the other filters applied to
    those few rows; ``name`` (words of ``rules.name_words``) searches by name, see
    ``_name_page``; otherwise company and course pick ``by_tenant_course``,
    ``by_tenant`` or ``by_course``, and no filter reads ``all_enrollments``, each
    partition's shards merged newest first; the status is a filter expression on whichever index. Raise ``InvalidCursor``
    for a cursor of another list.
    """
    if name:
        return _name_page(
            name,
            tenant_id=tenant_id,
            course_id=course_id,
            status=status,
            cursor=cursor,
            page_size=page_size,
            max_scanned=max_scanned,
        )
    conditions = []
    shards: list[str] = []
    if email or cpf:
        index, hash_key = (EnrollmentItem.by_email, email) if email else (EnrollmentItem.by_cpf, cpf)
        if tenant_id:
            conditions.append(EnrollmentItem.tenant_id == tenant_id)
        if course_id:
            conditions.append(EnrollmentItem.course.id == course_id)
    elif tenant_id and course_id:
        index, hash_key = EnrollmentItem.by_tenant_course, keys.tenant_course(tenant_id, course_id)
        shards = keys.tenant_course_shards(tenant_id, course_id)
    elif tenant_id:
        index, hash_key = EnrollmentItem.by_tenant, tenant_id
        shards = keys.tenant_shards(tenant_id)
    elif course_id:
        index, hash_key = EnrollmentItem.by_course, course_id
        shards = keys.course_shards(course_id)
    else:
        index, hash_key = EnrollmentItem.all_enrollments, None
        shards = keys.list_shards()
    if status:
        conditions.append(EnrollmentItem.status == status)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    index_name = index.Meta.index_name
    query_id = f"{index_name}|{hash_key}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)

    if shards:
        # A sharded partition (a company's, a course's, every enrollment's): each shard read newest first, merged.

        def shard_pages(shard):
            def pages(after, limit):
                return index.query(
                    shard,
                    range_key_condition=(EnrollmentItem.tenant_sk < after) if after else None,
                    filter_condition=filter_condition,
                    scan_index_forward=False,
                    page_size=limit,
                ).page_iter

            return pages

        raws, next_position, complete = merged_page(
            [shard_pages(shard) for shard in shards],
            sort_key=_sort_key,
            after=position,
            page_size=page_size,
            max_scanned=max_scanned,
        )
    else:
        pages = index.query(
            hash_key,
            filter_condition=filter_condition,
            scan_index_forward=False,
            page_size=page_size + 1,
            last_evaluated_key=position,
        ).page_iter
        raws, next_position, complete = index_page(pages, page_size=page_size, max_scanned=max_scanned)
    return Page(
        items=[EnrollmentItem.from_raw_data(raw) for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index_name,
    )


# The last Unicode character: every key starting with a prefix sorts at or before ``prefix + _LAST_CHARACTER``.
_LAST_CHARACTER = "\U0010ffff"


def _name_sort_key(raw: dict) -> str:
    return raw["name_sk"]["S"]


def _name_page(
    words: list[str],
    *,
    tenant_id: str | None,
    course_id: str | None,
    status: str | None,
    cursor: str | None,
    page_size: int,
    max_scanned: int,
) -> Page:
    """Return a page of the enrollments whose name has a word starting with each of ``words``.

    One word (``rules.name_lookup_word``) is looked up with ``begins_with`` in
    ``by_tenant_name`` (a company's) or ``by_name``; the course and the other words
    are a filter expression on the word items; their enrollments come in one
    BatchGet per DynamoDB page, and the status and the whole name are checked on
    them. Each of the word's ``NAME_INDEX_SHARDS`` partitions is read in ``name_sk``
    order and merged. Rows come by matched word, then newest first. An enrollment with two
    words starting with the looked-up prefix is shown at the first only, so no
    enrollment shows twice across pages.
    """
    lookup = name_lookup_word(words)
    if lookup is None:
        return Page(items=[], next_cursor=None, index=NameWordItem.by_name.Meta.index_name)
    if tenant_id:
        index, shards = NameWordItem.by_tenant_name, keys.tenant_name_shards(tenant_id, lookup)
    else:
        index, shards = NameWordItem.by_name, keys.name_shards(lookup)
    conditions = [NameWordItem.words.contains(f" {word}") for word in words if word != lookup]
    if course_id:
        conditions.append(NameWordItem.course_id == course_id)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    query_id = f"{index.Meta.index_name}|{' '.join(words)}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)
    found: dict[str, EnrollmentItem] = {}

    def keep(raws: list[dict]) -> list[dict]:
        wanted = {keys.enrollment(raw["id"]["S"]) for raw in raws}
        enrollments = {item.id: item for item in EnrollmentItem.batch_get(wanted)}
        kept = []
        for raw in raws:
            enrollment = enrollments.get(raw["id"]["S"])
            if enrollment is None or (status and enrollment.status != status):
                continue
            if not name_matches(enrollment.user.name, words):
                continue
            word = keys.name_word_of_sk(raw["sk"]["S"])
            if word != min(
                (own for own in name_index_words(enrollment.user.name) if own.startswith(lookup)), default=word
            ):
                continue
            found[enrollment.id] = enrollment
            kept.append(raw)
        return kept

    def shard_pages(shard):
        def pages(after, limit):
            # After the cursor: from its key on (merged_page drops the row at it) to the prefix's last key.
            condition = (
                NameWordItem.name_sk.between(after, lookup + _LAST_CHARACTER)
                if after
                else NameWordItem.name_sk.startswith(lookup)
            )
            return index.query(shard, condition, filter_condition=filter_condition, page_size=limit).page_iter

        return pages

    raws, next_position, complete = merged_page(
        [shard_pages(shard) for shard in shards],
        sort_key=_name_sort_key,
        after=position,
        page_size=page_size,
        max_scanned=max_scanned,
        descending=False,
        keep=keep,
    )
    return Page(
        items=[found[raw["id"]["S"]] for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index.Meta.index_name,
    )


@storage_errors_as_domain_errors
def company_enrollments(tenant_id: str, *, attributes: list[str] | None = None) -> Iterator[EnrollmentItem]:
    """Yield every enrollment of a company, in every course, newest first: its ``by_tenant`` shards merged.

    It reads them all (reports and maintenance); ``attributes`` reads only those of each.
    """
    shards = [
        EnrollmentItem.by_tenant.query(shard, scan_index_forward=False, attributes_to_get=attributes).page_iter
        for shard in keys.tenant_shards(tenant_id)
    ]
    for raw in merged_rows(shards, sort_key=_sort_key):
        yield EnrollmentItem.from_raw_data(raw)

"""Reads of one enrollment: its item, or every item of its partition by role; and of a few at once."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    AuditEventItem,
    CanceledDateItem,
    CancelPolicyItem,
    DeduplicationWindowItem,
    EnrollmentItem,
    LifecycleRecordItem,
    LockMetadataItem,
    MainItem,
    ParentVacancyItem,
)
from ..exceptions import EnrollmentNotFound
from .items import _find


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


@storage_errors_as_domain_errors
def enrollments_by_id(enrollment_ids: Iterable[str]) -> dict[str, EnrollmentItem]:
    """Return the enrollments of ``enrollment_ids`` that exist, by id: one BatchGet per hundred ids.

    For pages that name a few enrollments (a selection, a page of failures); an id that names
    nothing, or an item of another kind, is left out.
    """
    wanted = {
        key
        for enrollment_id in enrollment_ids
        if enrollment_id and keys.storable(key := keys.enrollment(enrollment_id))
    }
    if not wanted:
        return {}
    return {item.id: item for item in MainItem.batch_get(wanted) if isinstance(item, EnrollmentItem)}


@storage_errors_as_domain_errors
def enrollments_existing(enrollment_ids: Iterable[str]) -> set[str]:
    """Return which of ``enrollment_ids`` have their enrollment item, read consistently: a GetItem for one id, a
    BatchGet per hundred ids for more (their keys only).

    What the writers of an enrollment ask just before writing its side items (``services.side_items``): an
    enrollment written a moment ago by another process is seen.
    """
    wanted = {
        key
        for enrollment_id in enrollment_ids
        if enrollment_id and keys.storable(key := keys.enrollment(enrollment_id))
    }
    if len(wanted) == 1:
        [key] = wanted
        return {key.pk} if _find(EnrollmentItem, key) is not None else set()
    found = MainItem.batch_get(wanted, consistent_read=True, attributes_to_get=["id", "sk", "kind"]) if wanted else []
    return {item.id for item in found if isinstance(item, EnrollmentItem)}

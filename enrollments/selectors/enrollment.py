"""Reads of one enrollment: its item, or every item of its partition by role; and of a few at once."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import rules
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
    """Every item of one enrollment, each by its role; ``audit`` holds its ``ENROLLED`` event whether stored or not
    (``enrolled_event``), oldest first."""

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
    if not any(event.action == rules.ENROLLED_ACTION for event in partition.audit):
        partition.audit.insert(0, enrolled_event(enrollment))
    return partition


# The computed event's key sorts before any event stored in the same microsecond (their suffix is random hex).
_ENROLLED_SUFFIX = "000000"


def enrolled_event(enrollment: EnrollmentItem) -> AuditEventItem:
    """Return the ``ENROLLED`` audit event of ``enrollment``, made from the item: when it was enrolled, by whom,
    from where, and the certificate it renews, as ``services.enroll`` stored it before issue 23.

    Not stored: an enrollment that has a stored one (a staff member's, whose line in "Recent actions" is that
    item, or any enrollment written before) shows that one instead (``enrollment_partition``).
    """
    return AuditEventItem(
        *keys.audit_event(enrollment.id, at_iso=enrollment.created_at, suffix=_ENROLLED_SUFFIX),
        created_at=enrollment.created_at,
        action=rules.ENROLLED_ACTION,
        author=enrollment.created_by,
        source=enrollment.source,
        detail=rules.renewal_detail(enrollment.renews) if enrollment.renews else None,
        # Never written: it needs no place in the recent-actions indexes.
        _user_instantiated=False,
    )


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

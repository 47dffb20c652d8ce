"""Reads of the automatic renewals waiting for a seat ("Renovações pendentes"): one company's partition
(``keys.renewals_pending``), one course's with ``begins_with``. No Scan.

``renewals_pending`` and ``renewals_pending_counts`` are what other pages and emails read (the company's pending
list, the compliance digest's pending count per course).
"""

from collections import Counter

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import RenewalPendingItem


def _soonest_first(item: RenewalPendingItem) -> tuple:
    return item.certificate_expires_at, item.user.name.lower(), item.renewed_id


@storage_errors_as_domain_errors
def renewals_pending(tenant_id: str, *, course_id: str | None = None) -> list[RenewalPendingItem]:
    """Return the company's pending renewals (of one course, with ``course_id``), the soonest expiry first: the
    order seats go to them in."""
    partition = keys.renewals_pending(tenant_id)
    if course_id is None:
        found = RenewalPendingItem.query(partition, consistent_read=True)
    else:
        prefix = keys.renewals_pending_of_course(course_id)
        found = RenewalPendingItem.query(partition, RenewalPendingItem.sk.startswith(prefix), consistent_read=True)
    return sorted(found, key=_soonest_first)


@storage_errors_as_domain_errors
def renewals_pending_counts(tenant_id: str) -> dict[str, int]:
    """Return how many of the company's people wait for a seat to be renewed, per course id."""
    found = RenewalPendingItem.query(
        keys.renewals_pending(tenant_id), consistent_read=True, attributes_to_get=["kind", "course_id"]
    )
    return dict(Counter(item.course_id for item in found))


@storage_errors_as_domain_errors
def renewals_pending_exist(tenant_id: str, course_id: str) -> bool:
    """Return whether anyone of the company waits for a seat of the course (one item read at most)."""
    prefix = keys.renewals_pending_of_course(course_id)
    found = RenewalPendingItem.query(
        keys.renewals_pending(tenant_id), RenewalPendingItem.sk.startswith(prefix), limit=1, consistent_read=True
    )
    return next(iter(found), None) is not None

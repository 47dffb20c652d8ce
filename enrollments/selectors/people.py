"""Reads of people: users by email, CPF owners, deduplication locks and active enrollments, one or in BatchGets."""

from collections.abc import Iterable

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveEnrollmentsItem,
    CpfOwnerItem,
    LockItem,
    UserItem,
)
from .items import _find


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

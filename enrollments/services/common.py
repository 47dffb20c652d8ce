"""Pieces every service shares: the acting author, the audit event and the check of a short text's length."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import number_format

from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.models import ActiveEnrollmentsItem, AuditEventItem, AuthorAttribute, EnrollmentItem
from ..dynamo.transactions import Transaction
from ..exceptions import InvalidEnrollmentData


@dataclass(frozen=True)
class Author:
    """Who acts: a staff member, an import job, the scheduler, the course player."""

    id: str
    name: str
    email: str | None = None
    # A staff member in the back office (``from_user``): what they do shows in "Recent actions".
    staff: bool = False

    @classmethod
    def from_user(cls, user) -> "Author":
        name = user.get_full_name() or user.get_username()
        return cls(id=str(user.pk), name=name, email=user.email or None, staff=True)

    def as_attribute(self) -> AuthorAttribute:
        return AuthorAttribute(id=self.id, name=self.name, email=self.email, staff=self.staff or None)


SYSTEM = Author(id="system", name="Scheduler")


def short_text(
    value: str | None, *, max_chars: int, field: str, message: Callable[[int], str], required: bool = True
) -> str | None:
    """Return ``value`` without surrounding spaces (``None`` when empty and not ``required``).

    Empty when ``required``, or longer than ``max_chars``, raises ``InvalidEnrollmentData`` on ``field`` with
    ``message(max_chars)``: an ``ngettext`` of the limit as ``%(max)s``, which is written grouped (100.000).
    """
    text = (value or "").strip()
    if (required and not text) or len(text) > max_chars:
        raise InvalidEnrollmentData(
            message(max_chars) % {"max": number_format(max_chars, force_grouping=True)}, field=field
        )
    return text or None


def audit_event(
    *,
    enrollment_id: str,
    at,
    action: str,
    author: Author,
    reason: str | None = None,
    source: str | None = None,
    detail: str | None = None,
) -> AuditEventItem:
    """Return the audit item of one change, to be written in the change's own transaction."""
    # The random suffix keeps two events of the same microsecond apart.
    return AuditEventItem(
        *keys.audit_event(enrollment_id, at_iso=to_iso(at), suffix=secrets.token_hex(3)),
        created_at=to_iso(at),
        action=action,
        author=author.as_attribute(),
        reason=reason,
        source=source,
        detail=detail,
    )


def leave_active(tx: Transaction, enrollment: EnrollmentItem) -> None:
    """Take the enrollment out of its person's active enrollments in its course, in the transaction that ends it.

    Harmless when it is not there (a completed enrollment canceled later, one written before the set existed).
    """
    active = ActiveEnrollmentsItem(*keys.active_enrollments(user_id=enrollment.user.id, course_id=enrollment.course.id))
    tx.update(active, [ActiveEnrollmentsItem.enrollment_ids.delete({enrollment.id})])

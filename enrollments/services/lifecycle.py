"""Lifecycle records: the scheduled emails and effects of an enrollment (the rules of which are in ``rules``)."""

from datetime import datetime

from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem, PersonAttribute
from ..rules import RECORD_PENDING, RENEWAL_WINDOW, renewal_window_start


def lifecycle_record(*, enrollment: EnrollmentItem, event: str, due_at: datetime, now: datetime) -> LifecycleRecordItem:
    """Return a pending lifecycle record of ``enrollment`` for ``event``, in the ``due`` index."""
    return LifecycleRecordItem(
        *keys.schedule(enrollment.id, event),
        created_at=to_iso(now),
        event=event,
        due_at=to_iso(due_at),
        scheduled_for=to_iso(due_at),
        state=RECORD_PENDING,
        attempts=0,
        recipient=PersonAttribute(
            id=enrollment.user.id, name=enrollment.user.name, email=enrollment.user.email, cpf=enrollment.user.cpf
        ),
        course_name=enrollment.course.name,
        tenant_id=enrollment.tenant_id,
        due_shard=keys.due_shard(enrollment_id=enrollment.id, event=event, due_at=due_at),
    )


def renewal_window_record(
    *, enrollment: EnrollmentItem, certificate_expires_at: datetime, window_days: int, now: datetime
) -> LifecycleRecordItem:
    """Return the pending ``renewal_window`` record of a certificate: due when its renewal window opens
    (``window_days`` before it expires), or at ``now`` when the window is already open (the tick's cursor may have
    moved past that day); ``scheduled_for`` keeps the window's start."""
    opens = renewal_window_start(certificate_expires_at, window_days)
    record = lifecycle_record(enrollment=enrollment, event=RENEWAL_WINDOW, due_at=max(opens, now), now=now)
    record.scheduled_for = to_iso(opens)
    return record

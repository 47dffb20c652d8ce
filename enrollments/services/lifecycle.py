"""Lifecycle records: the scheduled emails and effects of an enrollment (the rules of which are in ``rules``)."""

from datetime import datetime

from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem, PersonAttribute
from ..rules import RECORD_PENDING


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

"""Lifecycle records: the scheduled emails and effects of an enrollment."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings

from ..clock import to_iso
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem, PersonAttribute

SCHEDULE_PREFIX = "schedules#"

REMINDER_NO_ACCESS_3_DAYS = "reminder_no_access_3_days"
ACCESS_PERIOD_REMINDER_30_DAYS = "access_period_reminder_30_days"
COURSE_EXPIRED = "course_expired"
NO_ACTIVITY_7_DAYS = "no_activity_7_days"
CERT_EXPIRATION_REMINDER_30_DAYS = "cert_expiration_reminder_30_days"
COURSE_ARCHIVED = "course_archived"

EVENTS = (
    REMINDER_NO_ACCESS_3_DAYS,
    ACCESS_PERIOD_REMINDER_30_DAYS,
    COURSE_EXPIRED,
    NO_ACTIVITY_7_DAYS,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    COURSE_ARCHIVED,
)

PENDING = "PENDING"
SENDING = "SENDING"
SENT = "SENT"
SKIPPED = "SKIPPED"
FAILED = "FAILED"


def schedule_key(event: str) -> str:
    return SCHEDULE_PREFIX + event


def due_shard(*, enrollment_id: str, event: str, due_at: datetime) -> str:
    """Return the ``due`` index partition of a record: its UTC day and a shard from a hash of its key."""
    digest = hashlib.md5(f"{enrollment_id}{schedule_key(event)}".encode()).hexdigest()
    shard = int(digest[:8], 16) % settings.LIFECYCLE_DUE_SHARDS
    return f"{to_iso(due_at)[:10]}#{shard}"


def enrollment_schedule(*, access_period_days: int, enrolled_at: datetime) -> dict[str, datetime]:
    """Return the events scheduled at enrollment and when each is due."""
    access_ends = enrolled_at + timedelta(days=access_period_days)
    schedule = {REMINDER_NO_ACCESS_3_DAYS: enrolled_at + timedelta(days=3)}
    # A 30-day reminder only makes sense when the access period is longer than 30 days.
    if access_period_days > 30:
        schedule[ACCESS_PERIOD_REMINDER_30_DAYS] = access_ends - timedelta(days=30)
    schedule[COURSE_EXPIRED] = access_ends
    return schedule


def lifecycle_record(*, enrollment: EnrollmentItem, event: str, due_at: datetime, now: datetime) -> LifecycleRecordItem:
    """Return a pending lifecycle record of ``enrollment`` for ``event``."""
    return LifecycleRecordItem(
        id=enrollment.id,
        sk=schedule_key(event),
        created_at=to_iso(now),
        event=event,
        due_at=to_iso(due_at),
        scheduled_for=to_iso(due_at),
        state=PENDING,
        attempts=0,
        recipient=PersonAttribute(
            id=enrollment.user.id, name=enrollment.user.name, email=enrollment.user.email, cpf=enrollment.user.cpf
        ),
        course_name=enrollment.course.name,
        tenant_id=enrollment.tenant_id,
        due_shard=due_shard(enrollment_id=enrollment.id, event=event, due_at=due_at),
    )

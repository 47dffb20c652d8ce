"""Record a learner's completion of a course.

Minimal version written with the back office (issue 4) so staff can record a
completion from the detail page; the scheduler's issue owns progress (first
access, activity, completion) and its fuller version replaces this one.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo.models import CancelPolicyItem, EnrollmentItem, LifecycleRecordItem
from ..exceptions import InvalidEnrollmentData, NotCompletable
from .common import Author, audit_event
from .enrollment import COMPLETED, IN_PROGRESS, PENDING
from .lifecycle import (
    ACCESS_PERIOD_REMINDER_30_DAYS,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    COURSE_ARCHIVED,
    COURSE_EXPIRED,
    NO_ACTIVITY_7_DAYS,
    REMINDER_NO_ACCESS_3_DAYS,
    lifecycle_record,
    schedule_key,
)
from .transactions import Transaction, TransactionFailed

# Records of the access period: a completion ends it.
_ACCESS_PERIOD_EVENTS = {REMINDER_NO_ACCESS_3_DAYS, ACCESS_PERIOD_REMINDER_30_DAYS, COURSE_EXPIRED, NO_ACTIVITY_7_DAYS}


def record_completion(*, enrollment_id: str, certificate_expires_at: datetime, author: Author) -> EnrollmentItem:
    """Mark an enrollment COMPLETED with its certificate's expiry, in one DynamoDB transaction.

    Removes the access period's lifecycle records and the cancel policy, and
    schedules the certificate's 30-day reminder (when still ahead) and its archive.
    """
    now = clock.now()
    if certificate_expires_at.tzinfo is None or certificate_expires_at <= now:
        raise InvalidEnrollmentData(_("The certificate must expire in the future."), field="certificate_expires_at")
    for _attempt in range(settings.ENROLL_SEAT_ATTEMPTS):
        partition = selectors.enrollment_partition(enrollment_id)
        enrollment = partition.enrollment
        if enrollment.status not in (PENDING, IN_PROGRESS):
            raise NotCompletable(
                _("Enrollment %(id)s is %(status)s: only a pending or in-progress enrollment can be completed.")
                % {"id": enrollment_id, "status": enrollment.status}
            )
        now_iso = to_iso(now)
        tx = Transaction()
        tx.update(
            enrollment,
            [EnrollmentItem.status.set(COMPLETED), EnrollmentItem.completed_at.set(now_iso),
             EnrollmentItem.certificate_expires_at.set(to_iso(certificate_expires_at)), EnrollmentItem.updated_at.set(now_iso)],
            condition=EnrollmentItem.status == enrollment.status,
            name="enrollment",
        )
        for record in partition.schedules:
            if record.event in _ACCESS_PERIOD_EVENTS:
                tx.delete(record)
        if partition.cancel_policy is not None:
            tx.delete(partition.cancel_policy, condition=CancelPolicyItem.sk.exists())
        schedule = {COURSE_ARCHIVED: certificate_expires_at}
        reminder = certificate_expires_at - timedelta(days=30)
        if reminder > now:
            schedule[CERT_EXPIRATION_REMINDER_30_DAYS] = reminder
        existing = {record.sk for record in partition.schedules}
        for event, due_at in schedule.items():
            if schedule_key(event) not in existing:
                tx.put(lifecycle_record(enrollment=enrollment, event=event, due_at=due_at, now=now),
                       condition=LifecycleRecordItem.sk.does_not_exist())
        tx.put(audit_event(enrollment_id=enrollment_id, at=now, action="COMPLETED", author=author,
                           detail=f"certificate_expires_at={to_iso(certificate_expires_at)}"))
        try:
            tx.commit()
        except TransactionFailed:
            # A concurrent change (first access, a cancel) won: read again and decide.
            now = clock.now()
            continue
        enrollment.status = COMPLETED
        enrollment.completed_at = now_iso
        enrollment.certificate_expires_at = to_iso(certificate_expires_at)
        return enrollment
    raise NotCompletable(_("Someone changed enrollment %(id)s at the same moment; try again.") % {"id": enrollment_id})

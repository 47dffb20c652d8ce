"""Cancel an enrollment: its records and lock go, its seat goes back to the order."""

import uuid
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    CanceledDateItem,
    CancelPolicyItem,
    EnrollmentItem,
    GeneratedItem,
    LifecycleRecordItem,
    LockItem,
    OrderItem,
    ParentVacancyItem,
    VacancyItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import (
    ConcurrentChange,
    InvalidEnrollmentData,
    NotCancelable,
)
from ..rules import (
    CANCELED,
    SEAT_ROLLBACK,
    cancel_notice_schedule,
    cancel_refusal,
)
from .common import Author, audit_event, leave_active
from .enrollment_events import ENROLLMENT_CANCELED, put_enrollment_events
from .lifecycle import keep_due, scheduled_records
from .seats import seats_arrived


@storage_errors_as_domain_errors
def cancel(
    *,
    enrollment_id: str,
    reason: str,
    author: Author,
    notify_learner: bool = True,
    source: str | None = None,
    tell_seats: bool = True,
) -> EnrollmentItem:
    """Cancel an enrollment, in one DynamoDB transaction.

    Marks it CANCELED, records who canceled and why, removes every lifecycle record
    it has and the lock it holds, and gives its seat back to the order. With
    ``notify_learner``, a cancel notice to the learner is due at once. ``source`` goes
    on the audit event (a bulk cancel names its job: its retry knows its own cancels). A seat given back is told
    to ``seats.seats_arrived`` (people waiting for one are renewed), unless ``tell_seats`` is false: a bulk cancel
    tells once per course at the end of each chunk.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEnrollmentData(_("A cancel needs a reason."), field="reason")
    for _attempt in attempts(settings.ENROLL_SEAT_ATTEMPTS, first_pause=0.005):
        partition = selectors.enrollment_partition(enrollment_id)
        enrollment = partition.enrollment
        refusal = cancel_refusal(partition)
        if refusal:
            raise NotCancelable(refusal)
        try:
            _cancel_transaction(
                partition, reason=reason, author=author, now=clock.now(), notify_learner=notify_learner, source=source
            ).commit()
        except TransactionFailed as failure:
            if failure.failed & {"order", "generated_item"}:
                raise NotCancelable(
                    _("The order of enrollment %(id)s's seat no longer exists, so the seat cannot be returned.")
                    % {"id": enrollment_id}
                ) from None
            # A concurrent change (another cancel, a first access) won: read again and decide.
            continue
        enrollment.status = CANCELED
        if tell_seats and partition.parent_vacancy is not None:
            seats_arrived(tenant_id=enrollment.tenant_id, course_id=enrollment.course.id)
        return enrollment
    raise ConcurrentChange()


def _cancel_transaction(
    partition: selectors.EnrollmentPartition,
    *,
    reason: str,
    author: Author,
    now: datetime,
    notify_learner: bool,
    source: str | None = None,
) -> Transaction:
    enrollment = partition.enrollment
    now_iso = to_iso(now)
    tx = Transaction()
    tx.update(
        enrollment,
        [
            EnrollmentItem.status.set(CANCELED),
            EnrollmentItem.canceled_at.set(now_iso),
            EnrollmentItem.updated_at.set(now_iso),
        ],
        condition=EnrollmentItem.status == enrollment.status,
        name="enrollment",
    )
    tx.put(
        CanceledDateItem(
            *keys.canceled_date(enrollment.id), created_at=now_iso, author=author.as_attribute(), reason=reason
        ),
        condition=CanceledDateItem.sk.does_not_exist(),
        name="canceled_date",
    )
    tx.delete(partition.cancel_policy, condition=CancelPolicyItem.sk.exists(), name="cancel_policy")
    for record in partition.schedules:
        tx.delete(record)
    leave_active(tx, enrollment)
    schedule = cancel_notice_schedule(canceled_at=now) if notify_learner else {}
    notices = scheduled_records(enrollment=enrollment, schedule=schedule, now=now)
    for record in notices:
        # A cancel happens once (the status condition above), so no earlier notice can be in the way.
        tx.put(record, condition=LifecycleRecordItem.sk.does_not_exist())
    # Every record goes: the notice (with its own entry) is all that stays pending.
    changes = {record.sk: None for record in partition.schedules}
    changes.update({record.sk: schedule[record.event] for record in notices})
    keep_due(tx, partition.schedules, changes=changes, now=now)
    if partition.lock_metadata is not None:
        tx.delete(partition.lock_metadata)
        # The lock may have expired and been taken by a later enrollment: only remove our own.
        lock = selectors.lock_find(partition.lock_metadata.hash)
        if lock is not None and lock.enrollment_id == enrollment.id:
            tx.delete(lock, condition=LockItem.enrollment_id == enrollment.id)
    vacancy = partition.parent_vacancy
    if vacancy is not None:
        tx.delete(vacancy, condition=ParentVacancyItem.sk.exists(), name="parent_vacancy")
        seat = keys.vacancy(enrollment.tenant_id, order_id=vacancy.order_id, seat_id=str(uuid.uuid4()))
        tx.put(
            VacancyItem(*seat, created_at=now_iso, course_id=enrollment.course.id, order_id=vacancy.order_id),
            condition=VacancyItem.sk.does_not_exist(),
            name="seat",
        )
        tx.check(OrderItem, *keys.order(vacancy.order_id), condition=OrderItem.order_id.exists(), name="order")
        generated = GeneratedItem(*selectors.seat_use_key(vacancy))
        tx.update(
            generated,
            [GeneratedItem.status.set(SEAT_ROLLBACK), GeneratedItem.updated_at.set(now_iso)],
            condition=GeneratedItem.sk.exists(),
            name="generated_item",
        )
    tx.put(
        audit_event(enrollment_id=enrollment.id, at=now, action="CANCELED", author=author, reason=reason, source=source)
    )
    put_enrollment_events(
        tx, ENROLLMENT_CANCELED, enrollment, occurred_at=now_iso, status=CANCELED, canceled_at=now_iso, reason=reason
    )
    return tx

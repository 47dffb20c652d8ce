"""Progress from the course player: first access, activity, completion.

Each call is one DynamoDB transaction with its audit event, and idempotent: the
same event twice (same kind, same ``occurred_at``) changes nothing the second time,
and an activity older than the last one recorded changes nothing either.
"""

from datetime import UTC, datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import clock, labels, rules, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import CancelPolicyItem, EnrollmentItem, LifecycleRecordItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange, InvalidEnrollmentData, InvalidTransition
from ..rules import (
    ACCESS_PERIOD_REMINDER_30_DAYS,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    CERTIFICATE_REMINDER_DAYS,
    COMPLETED,
    COURSE_ARCHIVED,
    COURSE_EXPIRED,
    IN_PROGRESS,
    NO_ACTIVITY_7_DAYS,
    NO_ACTIVITY_DAYS,
    PENDING,
    REMINDER_NO_ACCESS_3_DAYS,
    completion_refusal,
)
from .common import Author, audit_event, leave_active
from .enrollment_events import ENROLLMENT_COMPLETED, put_enrollment_events
from .lifecycle import keep_due, lifecycle_record, renewal_window_record

COURSE_PLAYER = Author(id="course_player", name="Course player")
# How far ahead of our clock a reported time may be (the player's clock drifts).
CLOCK_SKEW = timedelta(minutes=5)
# Nothing the player reports happened before this: an earlier time is a clock reset to 1970, not progress.
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
# A certificate valid for longer is a typo (year 2999); it would also push schedules towards year 9999.
CERTIFICATE_MAX_YEARS = 100
_TRIES = 5


def _occurred(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise InvalidEnrollmentData(_("occurred_at needs a time zone."), field="occurred_at")
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidEnrollmentData(_("occurred_at is in the future."), field="occurred_at")
    if occurred_at < EARLIEST_EVENT:
        raise InvalidEnrollmentData(
            _("occurred_at cannot be before %(earliest)s.") % {"earliest": to_iso(EARLIEST_EVENT)}, field="occurred_at"
        )
    return occurred_at


def _certificate_horizon(now: datetime) -> datetime:
    """Return the latest expiry a certificate may have: ``CERTIFICATE_MAX_YEARS`` from ``now`` (Feb 29 on Feb 28)."""
    try:
        return now.replace(year=now.year + CERTIFICATE_MAX_YEARS)
    except ValueError:
        return now.replace(year=now.year + CERTIFICATE_MAX_YEARS, day=28)


def _not_before_now(due_at: datetime, now: datetime) -> datetime:
    """Never schedule into the past: the tick's cursor may already have moved past that day."""
    return max(due_at, now)


def _pending_record(enrollment: EnrollmentItem, event: str, due_at: datetime, now: datetime) -> LifecycleRecordItem:
    record = lifecycle_record(enrollment=enrollment, event=event, due_at=_not_before_now(due_at, now), now=now)
    # The email is named after the moment it was meant for, even when that moment has passed.
    record.scheduled_for = to_iso(due_at)
    return record


def _keep_due(tx: Transaction, records: list[LifecycleRecordItem], *, ended=(), put=(), now: datetime) -> None:
    """Hand the enrollment's ``due`` entry on (``lifecycle.keep_due``) past the records ``tx`` deletes (``ended``)
    and the ones it puts (``put``, each in the index)."""
    changes = {record.sk: None for record in ended}
    changes.update({record.sk: clock.from_iso(record.due_at) for record in put})
    keep_due(tx, records, changes=changes, now=now)


def _local_date(iso: str) -> str:
    """Return a stored UTC time as the date staff and learners read, in ``TIME_ZONE``."""
    return formats.date_format(timezone.localtime(clock.from_iso(iso)), "SHORT_DATE_FORMAT")


def _closed(enrollment: EnrollmentItem, action: str) -> InvalidTransition:
    return InvalidTransition(
        _("Enrollment %(id)s is %(status)s: cannot record %(action)s.")
        % {"id": enrollment.id, "status": labels.label(labels.STATUSES, enrollment.status).lower(), "action": action}
    )


def _retrying(change):
    """Run ``change()`` (read, decide, commit) again when a concurrent change won the race."""
    for _attempt in attempts(_TRIES):
        try:
            return change()
        except TransactionFailed:
            continue
    raise ConcurrentChange()


@storage_errors_as_domain_errors
def record_access(
    *, enrollment_id: str, author: Author = COURSE_PLAYER, occurred_at: datetime | None = None, source: str = "api"
) -> EnrollmentItem:
    """Record the learner's first access: IN_PROGRESS, no more no-access reminder or refundable cancel.

    Schedules ``no_activity_7_days``. A later access changes nothing.
    """

    def change() -> EnrollmentItem:
        now = clock.now()
        at = _occurred(occurred_at, now)
        partition = selectors.enrollment_partition(enrollment_id)
        enrollment = partition.enrollment
        if enrollment.status in (IN_PROGRESS, COMPLETED):
            return enrollment
        if enrollment.status != PENDING:
            raise _closed(enrollment, _("an access"))
        at_iso, now_iso = to_iso(at), to_iso(now)
        tx = Transaction()
        tx.update(
            enrollment,
            [
                EnrollmentItem.status.set(IN_PROGRESS),
                EnrollmentItem.started_at.set(at_iso),
                EnrollmentItem.last_activity_at.set(at_iso),
                EnrollmentItem.updated_at.set(now_iso),
            ],
            condition=EnrollmentItem.status == PENDING,
            name="enrollment",
        )
        gone = LifecycleRecordItem(*keys.schedule(enrollment_id, REMINDER_NO_ACCESS_3_DAYS))
        tx.delete(gone)
        if partition.cancel_policy is not None:
            tx.delete(CancelPolicyItem(*keys.cancel_policy(enrollment_id)))
        no_activity = _pending_record(enrollment, NO_ACTIVITY_7_DAYS, at + timedelta(days=NO_ACTIVITY_DAYS), now)
        tx.put(no_activity)
        _keep_due(tx, partition.schedules, ended=[gone], put=[no_activity], now=now)
        tx.put(
            audit_event(
                enrollment_id=enrollment_id,
                at=now,
                action="ACCESSED",
                author=author,
                source=source,
                detail=f"occurred at {at_iso}",
            )
        )
        tx.commit()
        enrollment.status, enrollment.started_at, enrollment.last_activity_at = IN_PROGRESS, at_iso, at_iso
        return enrollment

    return _retrying(change)


@storage_errors_as_domain_errors
def record_activity(
    *, enrollment_id: str, author: Author = COURSE_PLAYER, occurred_at: datetime | None = None, source: str = "api"
) -> EnrollmentItem:
    """Record the learner's activity: ``no_activity_7_days`` moves to 7 days after it.

    An activity no newer than the last one recorded (the same event again, or one
    that arrived late) changes nothing, and neither does activity after completion.
    """

    def change() -> EnrollmentItem:
        now = clock.now()
        at = _occurred(occurred_at, now)
        enrollment = selectors.enrollment_get(enrollment_id)
        if enrollment.status == COMPLETED:
            return enrollment
        if enrollment.status == PENDING:
            raise InvalidTransition(
                _("Enrollment %(id)s has not been accessed yet: record the access first.") % {"id": enrollment_id}
            )
        if enrollment.status != IN_PROGRESS:
            raise _closed(enrollment, _("activity"))
        at_iso, now_iso = to_iso(at), to_iso(now)
        previous = enrollment.last_activity_at
        if previous and at_iso <= previous:
            return enrollment
        tx = Transaction()
        tx.update(
            enrollment,
            [EnrollmentItem.last_activity_at.set(at_iso), EnrollmentItem.updated_at.set(now_iso)],
            condition=(EnrollmentItem.status == IN_PROGRESS)
            & (
                EnrollmentItem.last_activity_at == previous
                if previous
                else EnrollmentItem.last_activity_at.does_not_exist()
            ),
            name="enrollment",
        )
        # A fresh pending record, whatever the old one was: a learner who comes back and stops again is reminded again.
        no_activity = _pending_record(enrollment, NO_ACTIVITY_7_DAYS, at + timedelta(days=NO_ACTIVITY_DAYS), now)
        tx.put(no_activity)
        # The old one (replaced, later) may have been the record holding the enrollment's ``due`` entry.
        _keep_due(tx, selectors.lifecycle_records(enrollment_id), put=[no_activity], now=now)
        tx.put(
            audit_event(
                enrollment_id=enrollment_id,
                at=now,
                action="ACTIVITY",
                author=author,
                source=source,
                detail=f"occurred at {at_iso}",
            )
        )
        tx.commit()
        enrollment.last_activity_at = at_iso
        return enrollment

    return _retrying(change)


@storage_errors_as_domain_errors
def record_completion(
    *,
    enrollment_id: str,
    certificate_expires_at: datetime,
    author: Author = COURSE_PLAYER,
    occurred_at: datetime | None = None,
    source: str = "api",
) -> EnrollmentItem:
    """Record the completion: COMPLETED with a certificate expiring at ``certificate_expires_at``.

    Removes the access-period records and the no-activity one; schedules the
    certificate reminder (when the certificate is valid for more than 30 days),
    the archive at its expiry and the renewal window (the course's, as the catalog
    has it now: when a company that renews automatically enrolls the person again).
    The same completion again changes nothing.
    """
    if certificate_expires_at is None or certificate_expires_at.tzinfo is None:
        raise InvalidEnrollmentData(
            _("certificate_expires_at needs a date and time with a time zone."), field="certificate_expires_at"
        )

    def change() -> EnrollmentItem:
        now = clock.now()
        at = _occurred(occurred_at, now)
        if certificate_expires_at <= at:
            raise InvalidEnrollmentData(
                _("The certificate must expire after the completion."), field="certificate_expires_at"
            )
        if certificate_expires_at > _certificate_horizon(now):
            raise InvalidEnrollmentData(
                ngettext(
                    "The certificate cannot expire more than %(years)d year from now.",
                    "The certificate cannot expire more than %(years)d years from now.",
                    CERTIFICATE_MAX_YEARS,
                )
                % {"years": CERTIFICATE_MAX_YEARS},
                field="certificate_expires_at",
            )
        enrollment = selectors.enrollment_get(enrollment_id)
        expires_iso = to_iso(certificate_expires_at)
        if enrollment.status == COMPLETED:
            if enrollment.certificate_expires_at == expires_iso:
                return enrollment
            raise InvalidTransition(
                _("Enrollment %(id)s is already completed, with a certificate expiring on %(date)s.")
                % {"id": enrollment_id, "date": _local_date(enrollment.certificate_expires_at)}
            )
        if completion_refusal(enrollment):
            raise _closed(enrollment, _("a completion"))
        window_days = rules.renewal_window_days(selectors.course_get(enrollment.course.id))
        at_iso, now_iso = to_iso(at), to_iso(now)
        tx = Transaction()
        tx.update(
            enrollment,
            [
                EnrollmentItem.status.set(COMPLETED),
                EnrollmentItem.completed_at.set(at_iso),
                EnrollmentItem.certificate_expires_at.set(expires_iso),
                EnrollmentItem.updated_at.set(now_iso),
            ],
            condition=EnrollmentItem.status == enrollment.status,
            name="enrollment",
        )
        records = selectors.lifecycle_records(enrollment_id)
        ended = [ACCESS_PERIOD_REMINDER_30_DAYS, COURSE_EXPIRED, NO_ACTIVITY_7_DAYS]
        if enrollment.status == PENDING:
            ended.append(REMINDER_NO_ACCESS_3_DAYS)
            tx.delete(CancelPolicyItem(*keys.cancel_policy(enrollment_id)))
        gone = [LifecycleRecordItem(*keys.schedule(enrollment_id, event)) for event in ended]
        for record in gone:
            tx.delete(record)
        leave_active(tx, enrollment)
        reminder_at = certificate_expires_at - timedelta(days=CERTIFICATE_REMINDER_DAYS)
        put = (
            [_pending_record(enrollment, CERT_EXPIRATION_REMINDER_30_DAYS, reminder_at, now)]
            if reminder_at > at
            else []
        )
        put.append(_pending_record(enrollment, COURSE_ARCHIVED, certificate_expires_at, now))
        put.append(
            renewal_window_record(
                enrollment=enrollment, certificate_expires_at=certificate_expires_at, window_days=window_days, now=now
            )
        )
        for record in put:
            tx.put(record)
        _keep_due(tx, records, ended=gone, put=put, now=now)
        tx.put(
            audit_event(
                enrollment_id=enrollment_id,
                at=now,
                action="COMPLETED",
                author=author,
                source=source,
                detail=f"occurred at {at_iso}, certificate expires at {expires_iso}",
            )
        )
        put_enrollment_events(
            tx,
            ENROLLMENT_COMPLETED,
            enrollment,
            occurred_at=at_iso,
            status=COMPLETED,
            completed_at=at_iso,
            certificate_expires_at=expires_iso,
        )
        tx.commit()
        enrollment.status, enrollment.completed_at, enrollment.certificate_expires_at = COMPLETED, at_iso, expires_iso
        return enrollment

    return _retrying(change)

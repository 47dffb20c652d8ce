"""Send a failed lifecycle email again: its record back to PENDING, due now, with a full set of tries.

One transaction makes the record PENDING in the ``due`` index (condition: still the FAILED
record this failure describes), deletes the failure (condition: still there) so it leaves the
list, checks the enrollment's status and writes the audit event. A double click, or two
operators at once, send it again once: the second finds the failure gone. The next tick hands
the record out and a worker claims and sends it exactly once, as any due record.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, LifecycleFailureItem, LifecycleRecordItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import ConcurrentChange, EnrollmentNotFound, InvalidTransition
from ..rules import CANCEL_NOTICE, CANCELED, RECORD_FAILED, RECORD_PENDING
from .common import Author, audit_event
from .lifecycle import keep_due

# What sending a failure again came to.
RESENT = "resent"
ALREADY_RESENT = "already_resent"  # the failure left the list before: sent again by someone else, or a second click

_TRIES = 5
# Failures one "send all again" handles; the rest stay listed for the next press.
RESEND_ALL_LIMIT = 200


@dataclass
class ResendReport:
    """What sending a company's failures again did: how many went back, and each refusal with its reason."""

    resent: int = 0
    refused: list[tuple[LifecycleFailureItem, str]] = field(default_factory=list)
    more: bool = False


def _refusal(failure: LifecycleFailureItem, enrollment: EnrollmentItem | None, record) -> str | None:
    """Return why ``failure`` cannot be sent again, or ``None`` when it can."""
    if enrollment is None:
        return _("The enrollment no longer exists, so this email cannot be sent again.")
    if enrollment.status == CANCELED and failure.event != CANCEL_NOTICE:
        return _(
            "The enrollment was canceled after this email failed: the scheduler would skip it, so it is not sent again."
        )
    if record is None:
        return _(
            "This email is no longer scheduled (the enrollment moved on since it failed), so it is not sent again."
        )
    if record.state != RECORD_FAILED or record.updated_at != failure.created_at:
        return _("This email was scheduled again after this failure; a later failure of it is listed on its own.")
    return None


def _resend_transaction(
    failure: LifecycleFailureItem,
    record: LifecycleRecordItem,
    records: list[LifecycleRecordItem],
    enrollment: EnrollmentItem,
    author: Author,
) -> Transaction:
    now = clock.now()
    now_iso = to_iso(now)
    tx = Transaction()
    tx.update(
        record,
        [
            LifecycleRecordItem.state.set(RECORD_PENDING),
            # Due now, in today's partition of the ``due`` index: the next tick hands it out.
            LifecycleRecordItem.due_at.set(now_iso),
            LifecycleRecordItem.due_shard.set(keys.due_shard(enrollment_id=record.id, event=record.event, due_at=now)),
            # A full set of tries again (the scheduler fails a record after LIFECYCLE_MAX_ATTEMPTS claims), counted
            # from here: ``attempts`` itself keeps growing, so a worker from before the resend can write nothing.
            LifecycleRecordItem.attempts_before_resend.set(record.attempts),
            LifecycleRecordItem.lease_expires_at.remove(),
            LifecycleRecordItem.updated_at.set(now_iso),
        ],
        # Still the FAILED record this failure describes: its failure wrote both with the same time.
        condition=(LifecycleRecordItem.state == RECORD_FAILED) & (LifecycleRecordItem.updated_at == failure.created_at),
        name="record",
    )
    keep_due(tx, records, changes={record.sk: now}, now=now)
    tx.delete(failure, condition=LifecycleFailureItem.sk.exists(), name="failure")
    tx.check(
        EnrollmentItem,
        *keys.enrollment(enrollment.id),
        condition=EnrollmentItem.status == enrollment.status,
        name="enrollment",
    )
    tx.put(
        audit_event(
            enrollment_id=record.id,
            at=now,
            action="LIFECYCLE_RESENT",
            author=author,
            source="staff",
            detail=record.event,
        )
    )
    return tx


def _resend(failure_sk: str, *, author: Author, failure: LifecycleFailureItem | None = None) -> str:
    for attempt in attempts(_TRIES, first_pause=0.02):
        if failure is None or attempt:
            failure = selectors.lifecycle_failure_find(failure_sk)
        if failure is None:
            return ALREADY_RESENT
        try:
            enrollment = selectors.enrollment_get(failure.enrollment_id)
        except EnrollmentNotFound:
            enrollment = None
        records = selectors.lifecycle_records(failure.enrollment_id) if enrollment else []
        record = next((record for record in records if record.event == failure.event), None)
        refusal = _refusal(failure, enrollment, record)
        if refusal:
            if selectors.lifecycle_failure_find(failure_sk) is None:
                return ALREADY_RESENT  # Sent again between our two reads: the record shows that resend.
            raise InvalidTransition(refusal)
        try:
            _resend_transaction(failure, record, records, enrollment, author).commit()
        except TransactionFailed:
            continue  # Sent again by someone else, canceled or changed meanwhile: read again and say which.
        return RESENT
    raise ConcurrentChange()


@storage_errors_as_domain_errors
def lifecycle_failure_resend(*, failure_sk: str, author: Author) -> str:
    """Send the failed email of ``failure_sk`` again; return RESENT, or ALREADY_RESENT when it left the list before.

    Raise ``InvalidTransition`` naming why it cannot be sent again (the enrollment was
    canceled, the email is no longer scheduled or was scheduled again since).
    """
    return _resend(failure_sk, author=author)


@storage_errors_as_domain_errors
def lifecycle_failures_resend(*, tenant_id: str, author: Author, limit: int = RESEND_ALL_LIMIT) -> ResendReport:
    """Send every failed email of a company again, each in its own transaction, up to ``limit`` of them.

    Those that cannot be sent again stay listed, each with its reason; ``more`` says that
    failures beyond ``limit`` remain. Running it twice sends nothing twice.
    """
    report = ResendReport()
    cursor = None
    while True:
        failures, cursor = selectors.lifecycle_failure_list(tenant_id=tenant_id, cursor=cursor)
        for failure in failures:
            if report.resent + len(report.refused) >= limit:
                report.more = True
                return report
            try:
                outcome = _resend(failure.sk, author=author, failure=failure)
            except InvalidTransition as refusal:
                report.refused.append((failure, refusal.message))
            else:
                report.resent += outcome == RESENT
        if cursor is None:
            return report

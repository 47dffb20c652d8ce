"""Process one due lifecycle record: claim it, decide, send its email, mark it.

A worker first claims the record with a conditional update: it must be pending and
due, or claimed by a worker whose lease has run out. The claim moves ``due_at`` to
the lease's end (the record stays in the ``due`` index), so a worker that dies
mid-send leaves a record that is due again once its lease expires, and a tick never
hands out a record that a live worker holds. ``attempts`` counts claims and doubles
as the fencing token: every later write requires the attempt it claimed.

After the send, one transaction marks the record SENT (out of the index), applies
its effect on the enrollment and writes the audit event. A worker killed between
send and mark costs one more send with the same Message-ID, never a lost email.
"""

import logging
import smtplib
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from pynamodb.exceptions import UpdateError

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, LifecycleFailureItem, LifecycleRecordItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import EnrollmentNotFound, StorageUnavailable
from ..rules import (
    EXPIRED,
    RECORD_FAILED,
    RECORD_PENDING,
    RECORD_SENDING,
    RECORD_SENT,
    RECORD_SKIPPED,
    Decision,
    decide,
)
from ..send_errors import classify
from .common import SYSTEM, audit_event, leave_active
from .emails import PermanentSendError, lifecycle_email, message_id, send_error_text, send_lifecycle_email

logger = logging.getLogger(__name__)

# What processing one record came to.
OUTCOME_SENT = "sent"
OUTCOME_SKIPPED = "skipped"
OUTCOME_RETRY = "retry"
OUTCOME_FAILED = "failed"
OUTCOME_NOT_CLAIMED = "not_claimed"  # not due, taken by another worker, already done, or gone
OUTCOME_LOST = "lost"  # the claim ran out, or a progress event replaced the record, before the mark
OUTCOME_ERROR = "error"  # an unexpected error (a bug, data the code cannot read): tried again after the lease

_MARK_TRIES = 4


def lifecycle_records_process(*, keys: list) -> Counter:
    """Process each ``(enrollment_id, sk)`` of a batch; return how many came to each outcome.

    A record that raises an unexpected error is logged and counted as ERROR, and the batch
    goes on: the record keeps its claim, comes back when the lease ends, and is FAILED once
    ``LIFECYCLE_MAX_ATTEMPTS`` claims are spent. ``StorageUnavailable`` stops the batch for the
    task to retry it: the records already processed are claimed or done, so none runs twice.
    """
    outcomes = Counter()
    for enrollment_id, sk in keys:
        try:
            outcome = lifecycle_record_process(enrollment_id=enrollment_id, sk=sk)
        except StorageUnavailable:
            raise
        except Exception:
            logger.exception(
                "lifecycle record %s %s could not be processed; tried again after its lease", enrollment_id, sk
            )
            outcome = OUTCOME_ERROR
        outcomes[outcome] += 1
    return outcomes


@storage_errors_as_domain_errors
def lifecycle_record_process(*, enrollment_id: str, sk: str) -> str:
    """Claim one record, send its email if the rules say so, and mark it; return the outcome.

    Safe to call any number of times for the same record, at once or one after
    another: only a claim lets a call go on, and a claimed record is sent once.
    """
    record = _claim(enrollment_id=enrollment_id, sk=sk, now=clock.now())
    if record is None:
        return OUTCOME_NOT_CLAIMED
    if _tries(record) > settings.LIFECYCLE_MAX_ATTEMPTS:
        # Every earlier claim died (killed, timed out) or raised before it could write an outcome.
        error = record.last_error or f"no attempt finished in {_tries(record) - 1} tries (worker lost or timed out)"
        return _fail(record, error=error)
    try:
        return _process_claimed(record)
    except StorageUnavailable:
        raise
    except Exception as error:
        # The claim stays (the record is due again when its lease ends); the FAILED it may end in names this error.
        _note_error(record, error=f"{type(error).__name__}: {error}")
        raise


def _process_claimed(record: LifecycleRecordItem) -> str:
    try:
        enrollment = selectors.enrollment_get(record.id)
    except EnrollmentNotFound:
        return _write_skip(record, reason="the enrollment no longer exists")
    decision = decide(record, enrollment, now=clock.now())
    if not decision.send:
        return _write_skip(record, reason=decision.skip_reason)
    try:
        message = lifecycle_email(record, enrollment)
    except StorageUnavailable:
        raise  # Reading the company's language failed: transient, the task tries again.
    except Exception as error:  # A template or data bug: trying again would only repeat it.
        logger.exception("lifecycle email %s of %s could not be rendered", record.event, record.id)
        return _fail(record, error=f"could not render the email: {type(error).__name__}: {error}")
    try:
        send_lifecycle_email(message)
    except PermanentSendError as error:
        return _fail(record, error=str(error))
    except (smtplib.SMTPException, OSError) as error:
        return _retry_or_fail(record, error=send_error_text(error))
    return _mark_sent(record, enrollment, decision)


def _tries(record: LifecycleRecordItem) -> int:
    """Return the claims of the record since it was last scheduled or sent again by staff."""
    return record.attempts - (record.attempts_before_resend or 0)


def _claimed_by_us(record: LifecycleRecordItem):
    return (LifecycleRecordItem.state == RECORD_SENDING) & (LifecycleRecordItem.attempts == record.attempts)


def _note_error(record: LifecycleRecordItem, *, error: str) -> None:
    """Write ``error`` as the claimed record's ``last_error``, leaving its state and lease as they are."""
    try:
        record.update(
            actions=[*_error_actions(error), LifecycleRecordItem.updated_at.set(clock.now_iso())],
            condition=_claimed_by_us(record),
        )
    except UpdateError as failure:
        if failure.cause_response_code != "ConditionalCheckFailedException":  # else: no longer ours, nothing to say
            raise StorageUnavailable(str(failure.cause or failure)) from failure


def _error_actions(error: str) -> list:
    """Return the actions that write ``error`` as the record's ``last_error``, with its cause."""
    return [LifecycleRecordItem.last_error.set(error), LifecycleRecordItem.last_error_cause.set(classify(error))]


def _claim(*, enrollment_id: str, sk: str, now: datetime) -> LifecycleRecordItem | None:
    now_iso = to_iso(now)
    lease_end = now + timedelta(seconds=settings.LIFECYCLE_LEASE_SECONDS)
    record = LifecycleRecordItem(id=enrollment_id, sk=sk)
    try:
        record.update(
            actions=[
                LifecycleRecordItem.state.set(RECORD_SENDING),
                LifecycleRecordItem.attempts.add(1),
                LifecycleRecordItem.lease_expires_at.set(to_iso(lease_end)),
                # Due again when the lease ends: a dead worker's record comes back by itself.
                LifecycleRecordItem.due_at.set(to_iso(lease_end)),
                LifecycleRecordItem.due_shard.set(
                    keys.due_shard(enrollment_id=enrollment_id, event=keys.schedule_event(sk), due_at=lease_end)
                ),
                LifecycleRecordItem.updated_at.set(now_iso),
                # Records written without it keep their first due time, which names the email on every attempt.
                LifecycleRecordItem.scheduled_for.set(LifecycleRecordItem.scheduled_for | LifecycleRecordItem.due_at),
            ],
            # Pending and due, or claimed with a lease that ran out (its due_at is the lease's end).
            condition=(
                LifecycleRecordItem.state.is_in(RECORD_PENDING, RECORD_SENDING)
                & LifecycleRecordItem.due_shard.exists()
                & (LifecycleRecordItem.due_at <= now_iso)
            ),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise StorageUnavailable(str(error.cause or error)) from error
    return record


def _record_done(record: LifecycleRecordItem, state: str, now_iso: str) -> list:
    """Return the actions that take a record out of the ``due`` index in ``state``."""
    return [
        LifecycleRecordItem.state.set(state),
        # Back to the time it was scheduled for: the lease's end or a retry's time mean nothing any more.
        LifecycleRecordItem.due_at.set(record.scheduled_for or record.due_at),
        LifecycleRecordItem.updated_at.set(now_iso),
        LifecycleRecordItem.due_shard.remove(),
        LifecycleRecordItem.lease_expires_at.remove(),
    ]


class _EnrollmentChanged(Exception):
    """The enrollment's status is no longer the one the decision was made on."""


def _commit_outcome(build, *, record: LifecycleRecordItem, outcome: str) -> str:
    """Commit the transaction ``build()`` returns; return ``outcome``, or LOST when the claim no longer holds."""
    for attempt in attempts(_MARK_TRIES, first_pause=0.05):
        try:
            build().commit()
            return outcome
        except TransactionFailed as failure:
            if "record" in failure.failed:
                logger.warning(
                    "lifecycle record %s %s: claim %s no longer held, %s not written",
                    record.id,
                    record.sk,
                    record.attempts,
                    outcome,
                )
                return OUTCOME_LOST
            if "enrollment" in failure.failed:
                raise _EnrollmentChanged from failure
            # Otherwise a concurrent transaction on the same items: try again.
        except StorageUnavailable:
            if attempt == _MARK_TRIES - 1:
                raise
    raise StorageUnavailable(f"could not write the outcome of {record.id} {record.sk}")


def _mark_sent(record: LifecycleRecordItem, enrollment: EnrollmentItem, decision: Decision) -> str:
    mid = message_id(record)
    state = {"enrollment": enrollment, "decision": decision}

    def build() -> Transaction:
        now = clock.now()
        now_iso = to_iso(now)
        current, effect = state["enrollment"], state["decision"].effect
        tx = Transaction()
        tx.update(
            record,
            _record_done(record, RECORD_SENT, now_iso)
            + [LifecycleRecordItem.sent_at.set(now_iso), LifecycleRecordItem.message_id.set(mid)],
            condition=_claimed_by_us(record),
            name="record",
        )
        detail = f"{record.event} email {mid}"
        if effect:
            stamp = EnrollmentItem.expired_at if effect == EXPIRED else EnrollmentItem.archived_at
            tx.update(
                current,
                [EnrollmentItem.status.set(effect), stamp.set(now_iso), EnrollmentItem.updated_at.set(now_iso)],
                condition=EnrollmentItem.status == current.status,
                name="enrollment",
            )
            if effect == EXPIRED:
                leave_active(tx, current)
            tx.put(
                audit_event(
                    enrollment_id=record.id, at=now, action=effect, author=SYSTEM, source="scheduler", detail=detail
                )
            )
        else:
            tx.put(
                audit_event(
                    enrollment_id=record.id,
                    at=now,
                    action="LIFECYCLE_SENT",
                    author=SYSTEM,
                    source="scheduler",
                    detail=detail,
                )
            )
        return tx

    for _attempt in attempts(_MARK_TRIES, first_pause=0.05):
        try:
            return _commit_outcome(build, record=record, outcome=OUTCOME_SENT)
        except _EnrollmentChanged:
            # The email is out either way: read the enrollment again and decide only its effect anew.
            fresh = selectors.enrollment_get(record.id)
            redo = decide(record, fresh, now=clock.now())
            state["enrollment"], state["decision"] = (
                fresh,
                Decision(send=True, effect=redo.effect if redo.send else None),
            )
    # StorageUnavailable, as _commit_outcome's: the task retries it (autoretry_for), while ConcurrentChange would
    # count the record as an unexpected error of the batch.
    raise StorageUnavailable(f"could not mark {record.id} {record.sk} sent")


def _write_skip(record: LifecycleRecordItem, *, reason: str) -> str:
    def build() -> Transaction:
        now = clock.now()
        tx = Transaction()
        tx.update(
            record,
            _record_done(record, RECORD_SKIPPED, to_iso(now)) + [LifecycleRecordItem.skip_reason.set(reason)],
            condition=_claimed_by_us(record),
            name="record",
        )
        tx.put(
            audit_event(
                enrollment_id=record.id,
                at=now,
                action="LIFECYCLE_SKIPPED",
                author=SYSTEM,
                reason=reason,
                source="scheduler",
                detail=record.event,
            )
        )
        return tx

    return _commit_outcome(build, record=record, outcome=OUTCOME_SKIPPED)


def retry_delay(attempts: int) -> timedelta:
    """Return how long a record waits after its ``attempts``-th failed send: doubling, capped."""
    seconds = settings.LIFECYCLE_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS))


def _retry_or_fail(record: LifecycleRecordItem, *, error: str) -> str:
    if _tries(record) >= settings.LIFECYCLE_MAX_ATTEMPTS:
        return _fail(record, error=error)

    def build() -> Transaction:
        now = clock.now()
        retry_at = now + retry_delay(_tries(record))
        tx = Transaction()
        tx.update(
            record,
            [
                LifecycleRecordItem.state.set(RECORD_PENDING),
                LifecycleRecordItem.due_at.set(to_iso(retry_at)),
                LifecycleRecordItem.due_shard.set(
                    keys.due_shard(enrollment_id=record.id, event=record.event, due_at=retry_at)
                ),
                *_error_actions(error),
                LifecycleRecordItem.lease_expires_at.remove(),
                LifecycleRecordItem.updated_at.set(to_iso(now)),
            ],
            condition=_claimed_by_us(record),
            name="record",
        )
        tx.put(
            audit_event(
                enrollment_id=record.id,
                at=now,
                action="LIFECYCLE_RETRY",
                author=SYSTEM,
                reason=error,
                source="scheduler",
                detail=f"{record.event} attempt {_tries(record)}, next at {to_iso(retry_at)}",
            )
        )
        return tx

    logger.warning(
        "lifecycle email %s of %s failed (attempt %s), will retry: %s", record.event, record.id, _tries(record), error
    )
    return _commit_outcome(build, record=record, outcome=OUTCOME_RETRY)


def _fail(record: LifecycleRecordItem, *, error: str) -> str:
    def build() -> Transaction:
        now = clock.now()
        now_iso = to_iso(now)
        tx = Transaction()
        tx.update(
            record,
            _record_done(record, RECORD_FAILED, now_iso) + _error_actions(error),
            condition=_claimed_by_us(record),
            name="record",
        )
        tx.put(
            LifecycleFailureItem(
                *keys.lifecycle_failure(failed_at=now_iso, enrollment_id=record.id, event=record.event),
                created_at=now_iso,
                enrollment_id=record.id,
                event=record.event,
                attempts=_tries(record),
                last_error=error,
                last_error_cause=classify(error),
                recipient_email=record.recipient.email,
                tenant_id=record.tenant_id,
            )
        )
        tx.put(
            audit_event(
                enrollment_id=record.id,
                at=now,
                action="LIFECYCLE_FAILED",
                author=SYSTEM,
                reason=error,
                source="scheduler",
                detail=f"{record.event} after {_tries(record)} attempts",
            )
        )
        return tx

    logger.error(
        "lifecycle email %s of %s FAILED after %s attempts: %s", record.event, record.id, _tries(record), error
    )
    return _commit_outcome(build, record=record, outcome=OUTCOME_FAILED)

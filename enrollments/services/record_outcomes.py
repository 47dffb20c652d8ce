"""Write what processing a claimed lifecycle record came to: skipped, done (the work of an event without email),
retried later or failed. Each outcome is one transaction with its audit event, on condition that the claim still
holds (state SENDING with the claimed ``attempts``, the fencing token); ``services.delivery`` claims and sends.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.models import LifecycleFailureItem, LifecycleRecordItem, MainItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import StorageUnavailable
from ..rules import RECORD_FAILED, RECORD_PENDING, RECORD_SENT, RECORD_SKIPPED
from ..send_errors import classify
from . import claims
from .claims import claimed_by_us, doubling_delay, tries
from .common import SYSTEM, audit_event
from .lifecycle import DUE_PART, keep_due

logger = logging.getLogger(__name__)

# What processing one record came to.
OUTCOME_SENT = "sent"
OUTCOME_SKIPPED = "skipped"
OUTCOME_RETRY = "retry"
OUTCOME_FAILED = "failed"
OUTCOME_NOT_CLAIMED = "not_claimed"  # not due, taken by another worker, already done, or gone
OUTCOME_LOST = "lost"  # the claim ran out, or a progress event replaced the record, before the mark
# An unexpected error (a bug, data the code cannot read): tried again after the lease (``claims.process_each``).
OUTCOME_ERROR = claims.OUTCOME_ERROR
OUTCOME_DONE = "done"  # the work of an event without email (a renewal) is done
OUTCOME_LATER = "later"  # the work of an event without email is due again later

MARK_TRIES = 4
# More tries when only the hand-on of the ``due`` entry lost a race (``commit_outcome``).
DUE_TRIES = 16


def error_actions(error: str) -> list:
    """Return the actions that write ``error`` as the record's ``last_error``, with its cause."""
    return [LifecycleRecordItem.last_error.set(error), LifecycleRecordItem.last_error_cause.set(classify(error))]


def record_done(record: LifecycleRecordItem, state: str, now_iso: str) -> list:
    """Return the actions that take a record out of the ``due`` index in ``state``."""
    return [
        LifecycleRecordItem.state.set(state),
        # Back to the time it was scheduled for: the lease's end or a retry's time mean nothing any more.
        LifecycleRecordItem.due_at.set(record.scheduled_for or record.due_at),
        LifecycleRecordItem.updated_at.set(now_iso),
        LifecycleRecordItem.due_shard.remove(),
        LifecycleRecordItem.lease_expires_at.remove(),
    ]


def _due_again(record: LifecycleRecordItem, at: datetime) -> list:
    """Return the actions that make a claimed record PENDING again, due at ``at``."""
    return [
        LifecycleRecordItem.state.set(RECORD_PENDING),
        LifecycleRecordItem.due_at.set(to_iso(at)),
        LifecycleRecordItem.due_shard.set(keys.due_shard(enrollment_id=record.id, event=record.event, due_at=at)),
        LifecycleRecordItem.lease_expires_at.remove(),
    ]


def hand_on(
    tx: Transaction, record: LifecycleRecordItem, *, now: datetime, due_again_at: datetime | None = None
) -> None:
    """Keep the enrollment's ``due`` entry (``lifecycle.keep_due``) once ``tx`` writes the claimed record's outcome:
    out of the index, or due again at ``due_again_at``. Reads the records afresh: every try of an outcome builds it
    again (``commit_outcome``)."""
    keep_due(tx, selectors.lifecycle_records(record.id), changes={record.sk: due_again_at}, now=now)


class EnrollmentChanged(Exception):
    """The enrollment's status is no longer the one the decision was made on."""


def commit_outcome(build: Callable[[], Transaction], *, record: LifecycleRecordItem, outcome: str) -> str:
    """Commit the transaction ``build()`` returns; return ``outcome``, or LOST when the claim no longer holds.

    A failed ``enrollment`` part raises ``EnrollmentChanged``; any other failure is a concurrent change, tried
    again; out of tries (or of DynamoDB), ``StorageUnavailable``, which the task retries.
    """
    conflicts = outages = 0
    for _attempt in attempts(MARK_TRIES + DUE_TRIES, first_pause=0.05):
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
                raise EnrollmentChanged from failure
            # Otherwise a concurrent transaction on the same items: try again. Only the hand-on's part failing (a
            # sibling record changed since read: ``build`` reads them again) has tries of its own, so that a busy
            # enrollment cannot leave an email sent and unmarked, to be sent again after the lease.
            if failure.failed - {DUE_PART}:
                conflicts += 1
            if conflicts >= MARK_TRIES:
                break
        except StorageUnavailable:
            outages += 1
            if outages >= MARK_TRIES:
                raise
    raise StorageUnavailable(f"could not write the outcome of {record.id} {record.sk}")


def write_skip(record: LifecycleRecordItem, *, reason: str) -> str:
    """Mark the claimed record SKIPPED for ``reason``, with its audit event."""

    def build() -> Transaction:
        now = clock.now()
        tx = Transaction()
        tx.update(
            record,
            record_done(record, RECORD_SKIPPED, to_iso(now)) + [LifecycleRecordItem.skip_reason.set(reason)],
            condition=claimed_by_us(record),
            name="record",
        )
        hand_on(tx, record, now=now)
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

    return commit_outcome(build, record=record, outcome=OUTCOME_SKIPPED)


@dataclass(frozen=True)
class WorkDone:
    """What the work of an event without email (``services.delivery.register_record_work``) came to, for the
    record's mark: ``state`` SENT (done) or SKIPPED (nothing to do: ``reason``), or PENDING again at ``due_again_at``;
    the audit event's ``action``, ``reason`` and ``detail``; ``puts``, items written in the same transaction."""

    state: str
    action: str
    detail: str = ""
    reason: str | None = None
    puts: tuple[MainItem, ...] = ()
    due_again_at: datetime | None = None


def mark_work(record: LifecycleRecordItem, done: WorkDone) -> str:
    """Write ``done`` over the claimed record, with its audit event and its ``puts``, in one transaction.

    A record due again counts its tries afresh from there (``attempts_before_resend``), like one sent again.
    """

    def build() -> Transaction:
        now = clock.now()
        now_iso = to_iso(now)
        if done.due_again_at is not None:
            actions = _due_again(record, done.due_again_at) + [
                LifecycleRecordItem.scheduled_for.set(to_iso(done.due_again_at)),
                LifecycleRecordItem.attempts_before_resend.set(record.attempts),
                LifecycleRecordItem.updated_at.set(now_iso),
            ]
        else:
            actions = record_done(record, done.state, now_iso)
            if done.reason:
                actions.append(LifecycleRecordItem.skip_reason.set(done.reason))
        tx = Transaction()
        tx.update(record, actions, condition=claimed_by_us(record), name="record")
        hand_on(tx, record, now=now, due_again_at=done.due_again_at)
        for item in done.puts:
            tx.put(item)
        tx.put(
            audit_event(
                enrollment_id=record.id,
                at=now,
                action=done.action,
                author=SYSTEM,
                reason=done.reason,
                source="scheduler",
                detail=done.detail or record.event,
            )
        )
        return tx

    outcome = OUTCOME_LATER if done.due_again_at else OUTCOME_DONE if done.state == RECORD_SENT else OUTCOME_SKIPPED
    return commit_outcome(build, record=record, outcome=outcome)


def retry_delay(attempts: int) -> timedelta:
    """Return how long a record (or a digest) waits after its ``attempts``-th failed send: doubling, capped."""
    return doubling_delay(
        attempts,
        first_seconds=settings.LIFECYCLE_RETRY_BACKOFF_SECONDS,
        max_seconds=settings.LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS,
    )


def retry_or_fail(record: LifecycleRecordItem, *, error: str) -> str:
    """Make the claimed record PENDING again after its backoff, or FAILED once its tries are spent."""
    if tries(record) >= settings.LIFECYCLE_MAX_ATTEMPTS:
        return fail(record, error=error)

    def build() -> Transaction:
        now = clock.now()
        retry_at = now + retry_delay(tries(record))
        tx = Transaction()
        tx.update(
            record,
            _due_again(record, retry_at) + [*error_actions(error), LifecycleRecordItem.updated_at.set(to_iso(now))],
            condition=claimed_by_us(record),
            name="record",
        )
        hand_on(tx, record, now=now, due_again_at=retry_at)
        tx.put(
            audit_event(
                enrollment_id=record.id,
                at=now,
                action="LIFECYCLE_RETRY",
                author=SYSTEM,
                reason=error,
                source="scheduler",
                detail=f"{record.event} attempt {tries(record)}, next at {to_iso(retry_at)}",
            )
        )
        return tx

    logger.warning(
        "lifecycle email %s of %s failed (attempt %s), will retry: %s", record.event, record.id, tries(record), error
    )
    return commit_outcome(build, record=record, outcome=OUTCOME_RETRY)


def fail(record: LifecycleRecordItem, *, error: str) -> str:
    """Mark the claimed record FAILED, list it with the failed emails and write the audit event."""

    def build() -> Transaction:
        now = clock.now()
        now_iso = to_iso(now)
        tx = Transaction()
        tx.update(
            record,
            record_done(record, RECORD_FAILED, now_iso) + error_actions(error),
            condition=claimed_by_us(record),
            name="record",
        )
        hand_on(tx, record, now=now)
        tx.put(
            LifecycleFailureItem(
                *keys.lifecycle_failure(failed_at=now_iso, enrollment_id=record.id, event=record.event),
                created_at=now_iso,
                enrollment_id=record.id,
                event=record.event,
                attempts=tries(record),
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
                detail=f"{record.event} after {tries(record)} attempts",
            )
        )
        return tx

    logger.error("lifecycle email %s of %s FAILED after %s attempts: %s", record.event, record.id, tries(record), error)
    return commit_outcome(build, record=record, outcome=OUTCOME_FAILED)

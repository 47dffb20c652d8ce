"""Process one due lifecycle record: claim it, decide, send its email (or do its work), mark it.

A worker first claims the record with a conditional update: it must be pending and
due, or claimed by a worker whose lease has run out. The claim moves ``due_at`` to
the lease's end (the record stays in the ``due`` index), so a worker that dies
mid-send leaves a record that is due again once its lease expires, and a tick never
hands out a record that a live worker holds. ``attempts`` counts claims and doubles
as the fencing token: every later write requires the attempt it claimed.

After the send, one transaction marks the record SENT (out of the index), applies
its effect on the enrollment and writes the audit event. A worker killed between
send and mark costs one more send with the same Message-ID, never a lost email.

An event that sends no email (the renewal window) has an effect done by work another
app registers (``register_record_work``); its outcome is marked the same way
(``record_outcomes.mark_work``). The other outcomes are written by ``record_outcomes``.
"""

import logging
import smtplib
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem
from ..dynamo.transactions import Transaction, attempts
from ..exceptions import EnrollmentNotFound, StorageUnavailable
from ..rules import EXPIRED, RECORD_PENDING, RECORD_SENT, Decision, decide
from .claims import claim, process_each, update_claimed
from .common import SYSTEM, audit_event, leave_active
from .emails import PermanentSendError, lifecycle_email, message_id, send_error_text, send_lifecycle_email
from .record_outcomes import (
    MARK_TRIES,
    OUTCOME_DONE,
    OUTCOME_FAILED,
    OUTCOME_LATER,
    OUTCOME_NOT_CLAIMED,
    OUTCOME_RETRY,
    OUTCOME_SENT,
    OUTCOME_SKIPPED,
    EnrollmentChanged,
    WorkDone,
    claimed_by_us,
    commit_outcome,
    error_actions,
    fail,
    hand_on,
    mark_work,
    record_done,
    retry_or_fail,
    tries,
    write_skip,
)

logger = logging.getLogger(__name__)

# The work of each effect without email (``rules.RENEW``), registered by the app that owns it when it is ready.
RecordWork = Callable[[LifecycleRecordItem, EnrollmentItem], WorkDone]
_work: dict[str, RecordWork] = {}


def register_record_work(effect: str, work: RecordWork) -> None:
    """Make ``work(record, enrollment)`` what firing a record whose decision is ``effect`` (without email) does.

    The work runs once per claim and returns what it did (``record_outcomes.WorkDone``), which is written over the
    record in one transaction; it must be safe to run again for the same record (a claim that ran out).
    """
    _work[effect] = work


# Outcomes whose mark handed the enrollment's ``due`` entry on (``services.lifecycle``).
_HANDED_ON = (OUTCOME_SENT, OUTCOME_SKIPPED, OUTCOME_FAILED, OUTCOME_RETRY, OUTCOME_DONE, OUTCOME_LATER)


def lifecycle_records_process(*, keys: list) -> Counter:
    """Process each ``(enrollment_id, sk)`` of a batch; return how many came to each outcome.

    A record that holds the enrollment's ``due`` entry hands it on when it is marked (``services.lifecycle``): when
    the record handed it is due already, it is processed next in the same batch, as if the tick had found it, so an
    enrollment's records overdue together go out together, in order, in one tick.

    A record that raises an unexpected error is logged and counted as ERROR, and the batch
    goes on: the record keeps its claim, comes back when the lease ends, and is FAILED once
    ``LIFECYCLE_MAX_ATTEMPTS`` claims are spent. ``StorageUnavailable`` stops the batch for the
    task to retry it: the records already processed are claimed or done, so none runs twice.
    """
    queue = deque(tuple(key) for key in keys)
    seen = set(queue)

    def process(enrollment_id: str, sk: str) -> str:
        outcome = lifecycle_record_process(enrollment_id=enrollment_id, sk=sk)
        if outcome in _HANDED_ON:
            for key in _due_now(enrollment_id):
                if key not in seen:
                    seen.add(key)
                    queue.append(key)
        return outcome

    def batch():
        while queue:
            yield queue.popleft()

    return process_each(batch(), process, what="lifecycle record", log=logger)


def _due_now(enrollment_id: str) -> list[tuple[str, str]]:
    """Return the keys of the enrollment's records due now in today's ``due`` partitions, earliest first: the one a
    mark just handed the entry to when its time had come (a tick that ran late, or two records due close together)
    is there, in today's partition. Only today's: what the tick would hand out, never a record its cursor left."""
    now_iso = clock.now_iso()
    due = [
        record
        for record in selectors.lifecycle_records(enrollment_id)
        if record.state == RECORD_PENDING
        and record.due_shard
        and keys.due_day(record.due_shard) == now_iso[:10]
        and record.due_at <= now_iso
    ]
    return [(record.id, record.sk) for record in sorted(due, key=lambda record: (record.due_at, record.sk))]


@storage_errors_as_domain_errors
def lifecycle_record_process(*, enrollment_id: str, sk: str) -> str:
    """Claim one record, send its email if the rules say so, and mark it; return the outcome.

    Safe to call any number of times for the same record, at once or one after
    another: only a claim lets a call go on, and a claimed record is sent once.
    """
    record = _claim(enrollment_id=enrollment_id, sk=sk, now=clock.now())
    if record is None:
        return OUTCOME_NOT_CLAIMED
    if tries(record) > settings.LIFECYCLE_MAX_ATTEMPTS:
        # Every earlier claim died (killed, timed out) or raised before it could write an outcome.
        error = record.last_error or f"no attempt finished in {tries(record) - 1} tries (worker lost or timed out)"
        return fail(record, error=error)
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
        return write_skip(record, reason="the enrollment no longer exists")
    decision = decide(record, enrollment, now=clock.now())
    if not decision.send and decision.effect is not None:
        work = _work.get(decision.effect)
        if work is None:
            raise LookupError(f"no work registered for the effect {decision.effect} of {record.event}")
        return mark_work(record, work(record, enrollment))
    if not decision.send:
        return write_skip(record, reason=decision.skip_reason)
    try:
        message = lifecycle_email(record, enrollment)
    except StorageUnavailable:
        raise  # Reading the company's language failed: transient, the task tries again.
    except Exception as error:  # A template or data bug: trying again would only repeat it.
        logger.exception("lifecycle email %s of %s could not be rendered", record.event, record.id)
        return fail(record, error=f"could not render the email: {type(error).__name__}: {error}")
    try:
        send_lifecycle_email(message)
    except PermanentSendError as error:
        return fail(record, error=str(error))
    except (smtplib.SMTPException, OSError) as error:
        return retry_or_fail(record, error=send_error_text(error))
    return _mark_sent(record, enrollment, decision)


def _note_error(record: LifecycleRecordItem, *, error: str) -> None:
    """Write ``error`` as the claimed record's ``last_error``, leaving its state and lease as they are (a claim no
    longer ours has nothing to say)."""
    update_claimed(record, [*error_actions(error), LifecycleRecordItem.updated_at.set(clock.now_iso())])


def _claim(*, enrollment_id: str, sk: str, now: datetime) -> LifecycleRecordItem | None:
    lease_end = now + timedelta(seconds=settings.LIFECYCLE_LEASE_SECONDS)
    return claim(
        LifecycleRecordItem(id=enrollment_id, sk=sk),
        now=now,
        lease_end=lease_end,
        also=(
            LifecycleRecordItem.due_shard.set(
                keys.due_shard(enrollment_id=enrollment_id, event=keys.schedule_event(sk), due_at=lease_end)
            ),
            # Records written without it keep their first due time, which names the email on every attempt.
            LifecycleRecordItem.scheduled_for.set(LifecycleRecordItem.scheduled_for | LifecycleRecordItem.due_at),
        ),
        # Only a record still in the ``due`` index: a done one has lost its shard.
        condition=LifecycleRecordItem.due_shard.exists(),
    )


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
            record_done(record, RECORD_SENT, now_iso)
            + [LifecycleRecordItem.sent_at.set(now_iso), LifecycleRecordItem.message_id.set(mid)],
            condition=claimed_by_us(record),
            name="record",
        )
        hand_on(tx, record, now=now)
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

    for _attempt in attempts(MARK_TRIES, first_pause=0.05):
        try:
            return commit_outcome(build, record=record, outcome=OUTCOME_SENT)
        except EnrollmentChanged:
            # The email is out either way: read the enrollment again and decide only its effect anew.
            fresh = selectors.enrollment_get(record.id)
            redo = decide(record, fresh, now=clock.now())
            state["enrollment"], state["decision"] = (
                fresh,
                Decision(send=True, effect=redo.effect if redo.send else None),
            )
    # StorageUnavailable, as commit_outcome's: the task retries it (autoretry_for), while ConcurrentChange would
    # count the record as an unexpected error of the batch.
    raise StorageUnavailable(f"could not mark {record.id} {record.sk} sent")

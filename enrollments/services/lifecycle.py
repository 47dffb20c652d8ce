"""Lifecycle records: the scheduled emails and effects of an enrollment (the rules of which are in ``rules``).

**The ``due`` invariant.** The earliest pending record of an enrollment (PENDING or SENDING, by ``due_at``) holds a
``due`` index entry (``due_shard``). Other pending records may hold one too, but need not: a record without one
fires once it is the earliest and has been handed the entry. So an enrollment enters the index once
(``scheduled_records``: only the earliest record of its schedule), not once per record, and every transaction that
ends, deletes or moves a record hands the entry on in the same transaction (``keep_due``). A path that only adds a
record with its own entry keeps the invariant without reading the others.

A claim (``services.delivery``) moves its record's ``due_at`` to the lease's end and keeps its entry: a record of the
same enrollment due before then waits for that claim's outcome, whose mark hands the entry on.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from .. import selectors
from ..clock import from_iso, to_iso
from ..dynamo import keys
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem, PersonAttribute
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..rules import RECORD_PENDING, RECORD_SENDING, RENEWAL_WINDOW, renewal_window_start

# The name of the part ``keep_due`` adds to a transaction: its failure means a concurrent change, read again.
DUE_PART = "due"


def lifecycle_record(
    *, enrollment: EnrollmentItem, event: str, due_at: datetime, now: datetime, in_due: bool = True
) -> LifecycleRecordItem:
    """Return a pending lifecycle record of ``enrollment`` for ``event``; in the ``due`` index unless ``in_due`` is
    false (the invariant above says which may be left out)."""
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
        due_shard=keys.due_shard(enrollment_id=enrollment.id, event=event, due_at=due_at) if in_due else None,
    )


def scheduled_records(
    *, enrollment: EnrollmentItem, schedule: Mapping[str, datetime], now: datetime
) -> list[LifecycleRecordItem]:
    """Return the pending records of ``schedule`` (event: due time) for a new enrollment: only the earliest in the
    ``due`` index, the others handed the entry in turn (``keep_due``)."""
    if not schedule:
        return []
    first = min(schedule, key=lambda event: (schedule[event], keys.schedule(enrollment.id, event).sk))
    return [
        lifecycle_record(enrollment=enrollment, event=event, due_at=due_at, now=now, in_due=event == first)
        for event, due_at in schedule.items()
    ]


def keep_due(
    tx: Transaction,
    records: Iterable[LifecycleRecordItem],
    *,
    changes: Mapping[str, datetime | None],
    now: datetime,
) -> None:
    """Add to ``tx`` what keeps the enrollment's earliest pending record in the ``due`` index once ``tx`` is written.

    ``records``: the enrollment's records as read (one consistent Query, ``selectors.lifecycle_records``);
    ``changes``: the sort key of each record ``tx`` writes, with the time it is due at in the index afterwards, or
    ``None`` when ``tx`` deletes it or ends it (out of the index). Among the records left pending the earliest gets,
    unless ``tx`` writes it, either a SET of ``due_shard`` on condition it is still the PENDING record read (in the
    shard of ``max(due_at, now)``: the tick's cursor may have moved past its own day; ``scheduled_for`` stays and
    names the email), or a check that it still holds its entry. Either failing (part ``DUE_PART``) means a
    concurrent change: the caller reads again and retries.
    """
    pending = [
        (from_iso(record.due_at), record.sk, record)
        for record in records
        if record.state in (RECORD_PENDING, RECORD_SENDING) and record.sk not in changes
    ]
    written = [(due_at, sk, None) for sk, due_at in changes.items() if due_at is not None]
    if not pending and not written:
        return
    _due_at, _sk, earliest = min(pending + written, key=lambda entry: entry[:2])
    if earliest is None:
        return  # ``tx`` writes it, with its entry.
    if earliest.due_shard:
        tx.check(
            LifecycleRecordItem,
            earliest.id,
            earliest.sk,
            condition=LifecycleRecordItem.due_shard.exists(),
            name=DUE_PART,
        )
        return
    at = max(from_iso(earliest.due_at), now)
    tx.update(
        earliest,
        [
            LifecycleRecordItem.due_shard.set(
                keys.due_shard(enrollment_id=earliest.id, event=earliest.event, due_at=at)
            ),
            LifecycleRecordItem.due_at.set(to_iso(at)),
            LifecycleRecordItem.scheduled_for.set(LifecycleRecordItem.scheduled_for | earliest.due_at),
        ],
        # Still pending and unclaimed since read: a claim in between would have moved ``due_at`` to its lease.
        condition=(LifecycleRecordItem.state == RECORD_PENDING) & (LifecycleRecordItem.attempts == earliest.attempts),
        name=DUE_PART,
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


# Tries of ``ensure_due`` against concurrent changes of the enrollment's records.
_ENSURE_TRIES = 4


def ensure_due(enrollment_id: str, *, now: datetime) -> None:
    """Give the enrollment's earliest pending record its ``due`` entry if it lacks it (``keep_due`` with no change):
    for a writer that may have replaced records without reading them (a twin's side items, ``side_items``)."""
    for _attempt in attempts(_ENSURE_TRIES, first_pause=0.01):
        tx = Transaction()
        keep_due(tx, selectors.lifecycle_records(enrollment_id), changes={}, now=now)
        if not len(tx):
            return
        try:
            tx.commit()
            return
        except TransactionFailed:
            continue  # changed meanwhile: read again

"""The scheduler's tick: find the lifecycle records that are due and hand them out in batches.

A tick reads the sparse ``due`` index only, one partition per shard per UTC day,
from the cursor (the oldest day that may still hold pending records) up to today,
with ``due_at <= now`` in the key condition: its reads grow with the records due,
never with the table, and records due later are never read.

The cursor moves past a day only once a tick found nothing pending in it. A day
whose records were handed out but not yet marked (a worker is slow, a task was
lost) is read again by the next tick, so nothing handed out is ever stranded.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from pynamodb.exceptions import PutError

from .. import selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import SchedulerCursorItem

logger = logging.getLogger(__name__)

RecordKey = tuple[str, str]
Dispatch = Callable[[list[RecordKey]], object]


@dataclass
class TickReport:
    """What one tick did."""

    now: datetime
    first_day: date
    last_day: date
    partitions_read: int = 0
    records_found: int = 0
    batches: int = 0
    cursor_before: date | None = None
    cursor_after: date | None = None
    results: list = field(default_factory=list)


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@storage_errors_as_domain_errors
def lifecycle_tick(*, now: datetime, dispatch: Dispatch, batch_size: int | None = None) -> TickReport:
    """Hand every pending record due at ``now`` to ``dispatch``, in batches of ``(enrollment_id, sk)``.

    ``dispatch`` enqueues a batch for a worker (the beat task) or processes it in
    place (the management command); whatever it returns is kept in the report.
    Handing a record out twice is harmless: a worker claims a record before it sends.
    """
    batch_size = batch_size or settings.LIFECYCLE_BATCH_SIZE
    if now.tzinfo is None:
        raise ValueError("The tick needs an aware datetime.")
    today = now.astimezone(UTC).date()
    cursor = selectors.scheduler_cursor()
    first = min(cursor or today - timedelta(days=settings.LIFECYCLE_CURSOR_FALLBACK_DAYS), today)
    report = TickReport(now=now, first_day=first, last_day=today, cursor_before=cursor)
    until = to_iso(now)
    oldest_pending: date | None = None
    batch: list[RecordKey] = []
    for day in _days(first, today):
        for shard in range(settings.LIFECYCLE_DUE_SHARDS):
            report.partitions_read += 1
            for key in selectors.due_record_keys(shard_key=keys.due_partition(day.isoformat(), shard), until_iso=until):
                oldest_pending = oldest_pending or day
                report.records_found += 1
                batch.append(key)
                if len(batch) == batch_size:
                    report.results.append(dispatch(batch))
                    report.batches += 1
                    batch = []
    if batch:
        report.results.append(dispatch(batch))
        report.batches += 1
    report.cursor_after = _advance_cursor(cursor, oldest_pending or today, now=now)
    logger.info(
        "lifecycle tick at %s: read %s partitions (%s..%s), handed out %s records in %s batches",
        until,
        report.partitions_read,
        first,
        today,
        report.records_found,
        report.batches,
    )
    return report


def _advance_cursor(cursor: date | None, day: date, *, now: datetime) -> date | None:
    """Move the cursor forward to ``day``; never back, so an older tick cannot undo a newer one."""
    if cursor is not None and day <= cursor:
        return cursor
    item = SchedulerCursorItem(*keys.scheduler_cursor(), day=day.isoformat(), updated_at=to_iso(now))
    try:
        item.save(condition=SchedulerCursorItem.day.does_not_exist() | (SchedulerCursorItem.day < day.isoformat()))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # A concurrent tick moved it at least as far.
        return selectors.scheduler_cursor()
    return day


@storage_errors_as_domain_errors
def lifecycle_cursor_set(*, day: date, now: datetime) -> None:
    """Point the cursor at ``day``, back or forward: the next tick reads from there (operations only)."""
    SchedulerCursorItem(*keys.scheduler_cursor(), day=day.isoformat(), updated_at=to_iso(now)).save()

"""The lifecycle scheduler's reads: its cursor, the due records of a ``due`` partition, one record."""

from collections.abc import Iterator
from datetime import date

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    LifecycleRecordItem,
    SchedulerCursorItem,
)
from .items import _find


@storage_errors_as_domain_errors
def scheduler_cursor() -> date | None:
    """Return the oldest UTC day the tick reads, or ``None`` when no tick has written one yet."""
    cursor = _find(SchedulerCursorItem, keys.scheduler_cursor())
    return date.fromisoformat(cursor.day) if cursor else None


@storage_errors_as_domain_errors
def due_record_keys(*, shard_key: str, until_iso: str) -> Iterator[tuple[str, str]]:
    """Yield ``(enrollment_id, sk)`` of the pending records of one ``due`` partition due at or before ``until_iso``.

    The key condition bounds the read: records due later are never read.
    """
    for record in LifecycleRecordItem.due.query(shard_key, LifecycleRecordItem.due_at <= until_iso):
        yield record.id, record.sk


@storage_errors_as_domain_errors
def lifecycle_records(enrollment_id: str) -> list[LifecycleRecordItem]:
    """Return every lifecycle record of an enrollment, as stored now: one consistent Query of its partition."""
    return list(
        LifecycleRecordItem.query(
            enrollment_id, LifecycleRecordItem.sk.startswith(keys.SCHEDULE_PREFIX), consistent_read=True
        )
    )


@storage_errors_as_domain_errors
def lifecycle_record_find(enrollment_id: str, event: str) -> LifecycleRecordItem | None:
    """Return the lifecycle record of ``event`` of an enrollment, or ``None``."""
    return _find(LifecycleRecordItem, keys.schedule(enrollment_id, event))

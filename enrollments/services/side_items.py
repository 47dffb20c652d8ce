"""Side items of an enrollment: items it must have whenever it exists, that need no atomicity with it.

Every item of a TransactWriteItems costs twice a plain write, in the table and in its indexes. An item
the enrollment only needs to *have* (nothing decides on it in the same instant) goes before the
transaction, with plain BatchWrites: the name search's word items (``name_index``), the tenant
metadata ``metadata#tenant`` and the lifecycle records that hold no ``due`` entry (``services.lifecycle``: only
the earliest record of an enrollment is in the index, and it goes in the transaction; the others wait, unseen by
the scheduler, until a transaction hands them the entry, so one written early fires nothing).
The writers of an enrollment (``enroll``, an import's ``enroll_many``) go through three steps, each here:

1. ``enrollment_side_items``: build them, for an enrollment about to be written at ``now`` (its ``created_at``);
   ``services.enroll.enrollment_side`` adds the records, built as its transaction builds them.
2. ``put_side_items`` (many, an import's rows) or ``put_side_item`` (one): read the enrollment items ``0``
   consistently (one BatchGet per hundred rows, one GetItem for one), and put the side items of those that
   do not exist yet, 25 to a BatchWrite; unprocessed items are sent again, pausing longer each time, until
   written, or the write raises ``StorageUnavailable`` and the enrollment fails before its transaction.
   A row whose enrollment exists writes nothing here: its transaction is refused as before
   (``EnrollmentAlreadyExists``: a re-run), and its stored side items stay as they are.
3. ``side_items_settled``: run the transaction; when it is refused (a domain error) and side items were put,
   settle them: the enrollment does not exist, so they are deleted; or it exists (a twin with the same id
   won), so its side items that are a pure function of it (``derived``) are put back from the stored
   enrollment, the ``stateful`` ones are left as they are, and its records' ``due`` entry is made sure of.

Side items come in two sorts: ``derived``, a pure function of the enrollment (words, tenant metadata), and
``stateful``, items that change after they are written (the lifecycle records). Only the existence read keeps a
re-run from overwriting a stored stateful item (a state, an attempt counter): it is written only for an
enrollment that does not exist.

The race left is two runs of the same enrollment id at the same instant (a retried request, a chunk
delivered twice): both read "missing", both put, one transaction wins, the other is refused
(``EnrollmentAlreadyExists``). The items stored may then be the loser's, put after the winner's; they equal
the winner's up to ``now`` (a few milliseconds apart: the words' sort key, every ``created_at``, the records'
due times), which is harmless, and the loser's settle puts the winner's derived items back. A record of the
loser replaces the winner's only within one round trip of the loser's read: the winner's records are pending
and days from due then, so the only change it could undo is a ``due`` entry handed on in that instant (the
welcome sent within milliseconds of its enrollment), which the loser's settle gives back
(``lifecycle.ensure_due``). A refusal the winner causes (its seat, its active enrollment, its lock, its CPF
claim) is seen only once the winner's transaction is written, enrollment included, so the loser's settle finds it
and keeps its items. Only a twin refused for a reason of its own while the winner's transaction is still in
flight would read "missing" and delete the winner's items (words then lack until ``manage.py index_names``,
``metadata#tenant`` and the later records for good): no writer of this back office sends such twins (an
import's chunk runs under its lease, ``enroll`` ids are a uuid4 or one form's or request's key, and both twins
of a double click meet the same conditions).

A crash between the BatchWrite and the transaction leaves side items under an id that never gets its
enrollment. They are harmless: the name search reads each word's enrollment and drops words without one, and
``metadata#tenant`` is only read with its enrollment (``selectors.enrollment_partition`` raises
``EnrollmentNotFound`` for a partition without the enrollment item; nothing else reads it).
"""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.batches import batch_write
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, MainItem, TenantMetadataItem
from ..exceptions import EnrollmentError, EnrollmentNotFound, StorageUnavailable
from .lifecycle import ensure_due
from .name_index import enrollment_name_words


@dataclass(frozen=True)
class SideItems:
    """The side items of one enrollment about to be written at ``now`` (its ``created_at``).

    ``written`` says whether ``put_side_items`` put them (``False``: not yet, or the enrollment existed).
    """

    enrollment_id: str
    now: datetime
    derived: tuple[MainItem, ...]
    stateful: tuple[MainItem, ...] = ()
    written: bool = False

    @property
    def items(self) -> tuple[MainItem, ...]:
        return self.derived + self.stateful


def enrollment_side_items(
    *,
    enrollment_id: str,
    name: str,
    tenant_id: str,
    tenant_name: str,
    course_id: str,
    now: datetime,
    stateful: tuple[MainItem, ...] = (),
) -> SideItems:
    """Return the side items of an enrollment of the person ``name`` into a company's course, made at ``now``, with
    the ``stateful`` ones its writer built (``services.enroll.enrollment_side``: its lifecycle records that hold no
    ``due`` entry)."""
    derived = _derived(
        enrollment_id=enrollment_id,
        name=name,
        tenant_id=tenant_id,
        tenant_name=tenant_name,
        course_id=course_id,
        created_at=to_iso(now),
    )
    return SideItems(enrollment_id=enrollment_id, now=now, derived=tuple(derived), stateful=tuple(stateful))


def stored_side_items(enrollment: EnrollmentItem) -> list[MainItem]:
    """Return the derived side items a stored enrollment has (``enrollment_side_items`` at its ``created_at``)."""
    return _derived(
        enrollment_id=enrollment.id,
        name=enrollment.user.name,
        tenant_id=enrollment.tenant_id,
        tenant_name=enrollment.tenant_name,
        course_id=enrollment.course.id,
        created_at=enrollment.created_at,
    )


def _derived(
    *, enrollment_id: str, name: str, tenant_id: str, tenant_name: str, course_id: str, created_at: str
) -> list[MainItem]:
    words = enrollment_name_words(
        enrollment_id=enrollment_id, name=name, tenant_id=tenant_id, course_id=course_id, created_at=created_at
    )
    tenant = TenantMetadataItem(
        *keys.tenant_metadata(enrollment_id), created_at=created_at, tenant_id=tenant_id, name=tenant_name
    )
    return [*words, tenant]


@storage_errors_as_domain_errors
def put_side_items(sides: list[SideItems], *, threads: int = 1) -> list[SideItems]:
    """Put the side items of the enrollments that do not exist yet; return ``sides`` with ``written`` set.

    One consistent read of the enrollments (a BatchGet per hundred), then BatchWrites of 25 items,
    ``threads`` at a time (an import's chunk puts its rows' side items at once, no round trip more a row).
    """
    existing = selectors.enrollments_existing(side.enrollment_id for side in sides)
    return _put(sides, existing=existing, threads=threads)


@storage_errors_as_domain_errors
def put_side_item(side: SideItems, *, new: bool = False) -> SideItems:
    """Put one enrollment's side items unless it exists (one GetItem); with ``new``, the caller made the id
    just now (a fresh uuid4: nothing can exist under it), so nothing is read."""
    existing = set() if new else selectors.enrollments_existing([side.enrollment_id])
    [put] = _put([side], existing=existing, threads=1)
    return put


def _put(sides: list[SideItems], *, existing: set[str], threads: int) -> list[SideItems]:
    put = [side if side.enrollment_id in existing else dataclasses.replace(side, written=True) for side in sides]
    batch_write(puts=[item for side in put if side.written for item in side.items], threads=threads)
    return put


@contextmanager
def side_items_settled(side: SideItems) -> Iterator[None]:
    """Run the enrollment's transaction; when it raises a domain error (refused), ``settle_side_items`` and
    re-raise."""
    try:
        yield
    except EnrollmentError:
        settle_side_items(side)
        raise


def settle_side_items(side: SideItems) -> None:
    """After an enrollment was refused, leave its partition's side items as the stored enrollment's.

    Nothing to do when none were put (the enrollment existed already). Otherwise, without the enrollment, every
    side item put is deleted; with it (a twin with the same id was written), its derived side items are put
    back from it (which also gives back the words' first ``name_sk``), derived ones it does not have (another
    name's words) deleted, and stateful ones left as they are. When DynamoDB does not answer, they stay: see
    the module's docstring for why leftovers are harmless.
    """
    if not side.written:
        return
    try:
        _settle(side)
    except StorageUnavailable:
        pass  # the caller's own error is the one to raise


@storage_errors_as_domain_errors
def _settle(side: SideItems) -> None:
    try:
        stored = selectors.enrollment_get(side.enrollment_id)
    except EnrollmentNotFound:
        batch_write(deletes=side.items)
        return
    own = stored_side_items(stored)
    kept = {item.key for item in own}
    batch_write(puts=own, deletes=[item for item in side.derived if item.key not in kept])
    if side.stateful:
        # Ours may have replaced the twin's records after a mark handed one the ``due`` entry: hand it back.
        ensure_due(side.enrollment_id, now=clock.now())

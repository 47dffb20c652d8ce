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
3. ``side_items_settled``: run the transaction; when it is refused (a domain error other than DynamoDB not
   answering) and side items were put, settle them: the enrollment does not exist, so this run's words are
   deleted, and every other side item too when the writer made the id just now (``fresh``: no twin can
   come); or it exists (a twin with the same id won), so its side items that are a pure function of it
   (``derived``) are put back from the stored enrollment, the ``stateful`` ones are left as they are, and its
   records' ``due`` entry is made sure of.

Side items come in two sorts: ``derived``, a pure function of the enrollment (words, tenant metadata), and
``stateful``, items that change after they are written (the lifecycle records). Only the existence read keeps a
re-run from overwriting a stored stateful item (a state, an attempt counter): it is written only for an
enrollment that does not exist.

Twins are two runs of one enrollment id (a retried request, an import's chunk run twice, which the job's
sweep and Celery's redelivery allow): both may read "missing" and put, one transaction at most wins, the
other is refused (``EnrollmentAlreadyExists``, or its own reason: no seat left once the winner's row took
it). The items stored under the shared keys may then be the loser's, put after the winner's; they equal the
winner's up to ``now`` (the loser's instant: the records' due times and every ``created_at`` later by as
long as the runs lie apart), which is harmless. The words are the exception, keyed by that instant: the
loser's settle deletes its own, and the name search keeps only a word whose instant is its enrollment's
(``selectors.name_search``). A loser refused after the winner wrote puts the winner's derived items back and
makes sure of the ``due`` entry (``lifecycle.ensure_due``: a hand-on the loser's records replaced); one
refused before leaves the records and the tenant metadata for the winner, since for an id it did not make
it cannot know whether a twin is still to write.

A crash between the BatchWrite and the transaction, a refusal that leaves them, or DynamoDB not answering,
leaves side items under an id that may never get its enrollment, or get it from a later run at another
instant. They are harmless: the name search drops words without their enrollment or of another instant,
records without a ``due`` entry never fire, and records and ``metadata#tenant`` are only read with their
enrollment (``selectors.enrollment_partition`` raises ``EnrollmentNotFound`` for a partition without the
enrollment item); a later run of the id puts its own over them. What they cost is their storage: about 1.6 KB
for a refused row of an import.
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
from ..dynamo.models import EnrollmentItem, MainItem, NameWordItem, TenantMetadataItem
from ..exceptions import EnrollmentError, EnrollmentNotFound, StorageUnavailable
from .lifecycle import ensure_due
from .name_index import enrollment_name_words


@dataclass(frozen=True)
class SideItems:
    """The side items of one enrollment about to be written at ``now`` (its ``created_at``).

    ``written`` says whether ``put_side_items`` put them (``False``: not yet, or the enrollment existed); ``fresh``,
    that the id was made just now by the writer (a uuid4: no other run can write it).
    """

    enrollment_id: str
    now: datetime
    derived: tuple[MainItem, ...]
    stateful: tuple[MainItem, ...] = ()
    written: bool = False
    fresh: bool = False

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
    return dataclasses.replace(put, fresh=new)


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
    except StorageUnavailable:
        raise  # whether the transaction was written is unknown: leave the side items (harmless either way)
    except EnrollmentError:
        settle_side_items(side)
        raise


def settle_side_items(side: SideItems) -> None:
    """After an enrollment was refused, leave its partition's side items as the stored enrollment's.

    Nothing to do when none were put (the enrollment existed already). Otherwise, without the enrollment: for a
    fresh id every side item put is deleted, for another only this run's words (a twin run may still write the
    enrollment and need the rest); with it (a twin with the same id was written), its derived side items are
    put back from it (which also gives back the words' first ``name_sk``), derived ones it does not have
    (another name's words) deleted, and stateful ones left as they are, their ``due`` entry made sure of. When
    DynamoDB does not answer, they stay: see the module's docstring for why leftovers are harmless.
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
        # A fresh id is this run's alone: everything goes. Another id may have a twin run whose transaction is
        # still to come (a chunk run twice), and whose records and tenant metadata ours replaced under the same
        # keys: only this run's words go (their keys hold its instant), the rest stays for the twin. Left alone
        # they are harmless: a record without a ``due`` entry never fires, and neither is read but with its
        # enrollment.
        batch_write(
            deletes=side.items if side.fresh else [item for item in side.derived if isinstance(item, NameWordItem)]
        )
        return
    own = stored_side_items(stored)
    kept = {item.key for item in own}
    batch_write(puts=own, deletes=[item for item in side.derived if item.key not in kept])
    if side.stateful:
        # Ours may have replaced the twin's records after a mark handed one the ``due`` entry: hand it back.
        ensure_due(side.enrollment_id, now=clock.now())

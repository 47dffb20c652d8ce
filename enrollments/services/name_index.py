"""The name search's index: the word items of an enrollment, written just before it, and their backfill.

The word items are not part of the enrollment's transaction: they are put with one BatchWrite
before it (a plain write costs half a transactional one), so every enrollment that exists has its
words. Each is one table write and one index entry: its key serves the global search, its
``by_tenant_name`` entry a company's (``keys.name_word``). Words whose enrollment was never written
are harmless, since the search reads each word's enrollment and drops those that are missing;
``settle_name_words`` deletes them when the enrollment is refused. Every word's key follows from
its enrollment (``name_word_items``): nothing here queries for them.
"""

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from .. import selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, NameWordItem
from ..exceptions import EnrollmentError, EnrollmentNotFound, StorageUnavailable
from ..rules import name_index_words, name_words

# Longest ``words`` attribute kept: names are at most a few hundred characters.
_WORDS_CHARS = 1000


def name_word_items(enrollment: EnrollmentItem) -> list[NameWordItem]:
    """Return the word items of an enrollment: see ``enrollment_name_words``."""
    return enrollment_name_words(
        enrollment_id=enrollment.id,
        name=enrollment.user.name,
        tenant_id=enrollment.tenant_id,
        course_id=enrollment.course.id,
        created_at=enrollment.created_at,
    )


def enrollment_name_words(
    *, enrollment_id: str, name: str, tenant_id: str, course_id: str, created_at: str
) -> list[NameWordItem]:
    """Return the word items of an enrollment: one per word of ``rules.name_index_words`` of the person's name.

    Each is keyed by its word (``keys.name_word``: the global search's partition and order) and sits
    in ``by_tenant_name``, and carries the course and every word of the name for the search's
    filter. ``enroll``, imports, the backfill and the benchmark all build them here.
    """
    spaced = "".join(f" {word}" for word in name_words(name))[:_WORDS_CHARS]
    return [
        NameWordItem(
            *keys.name_word(word, created_at=created_at, enrollment_id=enrollment_id),
            created_at=created_at,
            tenant_id=tenant_id,
            course_id=course_id,
            words=spaced,
            **keys.name_word_index_keys(
                word=word, tenant_id=tenant_id, created_at=created_at, enrollment_id=enrollment_id
            ),
        )
        for word in name_index_words(name)
    ]


@dataclass(frozen=True)
class EnrollmentWords:
    """The word items of an enrollment about to be written, and the instant the enrollment is written with (its
    ``created_at``, part of each word's ``name_sk``)."""

    enrollment_id: str
    now: datetime
    items: list[NameWordItem]


def enrollment_words(
    *, enrollment_id: str, name: str, tenant_id: str, course_id: str, now: datetime
) -> EnrollmentWords:
    """Return the word items an enrollment made at ``now`` will have (``enrollment_name_words``)."""
    items = enrollment_name_words(
        enrollment_id=enrollment_id, name=name, tenant_id=tenant_id, course_id=course_id, created_at=to_iso(now)
    )
    return EnrollmentWords(enrollment_id=enrollment_id, now=now, items=items)


# Items of one BatchWriteItem request: DynamoDB's limit.
_BATCH_ITEMS = 25


@storage_errors_as_domain_errors
def put_name_words(items: list[NameWordItem], *, threads: int = 1) -> None:
    """Put word items with BatchWrite (no transaction), before the enrollments they name are committed.

    With ``threads``, requests of 25 items go that many at a time (an import's chunk puts its rows' words at once).
    """
    groups = [items[start : start + _BATCH_ITEMS] for start in range(0, len(items), _BATCH_ITEMS)]
    if threads > 1 and len(groups) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(groups))) as executor:
            list(executor.map(_put, groups))
    else:
        for group in groups:
            _put(group)


def _put(items: list[NameWordItem]) -> None:
    with NameWordItem.batch_write() as batch:
        for item in items:
            batch.save(item)


@contextmanager
def name_words_settled(enrollment_id: str, written: list[NameWordItem]) -> Iterator[None]:
    """Run the enrollment's writing; when it raises a domain error (refused), ``settle_name_words`` and re-raise."""
    try:
        yield
    except EnrollmentError:
        settle_name_words(enrollment_id, written)
        raise


def settle_name_words(enrollment_id: str, written: list[NameWordItem]) -> None:
    """After an enrollment was refused, leave the words of ``enrollment_id`` as the stored enrollment's.

    The enrollment may exist all the same (written by an earlier run with the same id): those of
    its own words the refused ones overwrote (same word, same instant) are put back; the others
    written are deleted. When DynamoDB does not answer, they stay: words without their enrollment
    are skipped by the search.
    """
    try:
        _settle(enrollment_id, written)
    except StorageUnavailable:
        pass  # the caller's own error is the one to raise


@storage_errors_as_domain_errors
def _settle(enrollment_id: str, written: list[NameWordItem]) -> None:
    try:
        stored = selectors.enrollment_get(enrollment_id)
    except EnrollmentNotFound:
        stored = None
    own = {_key(item): item for item in name_word_items(stored)} if stored is not None else {}
    with NameWordItem.batch_write() as batch:
        for item in written:
            if _key(item) in own:
                batch.save(own[_key(item)])
            else:
                batch.delete(item)


def _key(item: NameWordItem) -> keys.Key:
    return keys.Key(item.id, item.sk)


def legacy_name_word_keys(enrollment: EnrollmentItem) -> list[keys.Key]:
    """Return the keys the enrollment's words had before issue 23 (``keys.legacy_name_word``), stored or not."""
    return [keys.legacy_name_word(enrollment.id, word) for word in name_index_words(enrollment.user.name)]


# Enrollments moved at a time: their legacy keys (at most 8 each) go in BatchGets of 100, their words in BatchWrites.
_ENROLLMENTS_A_ROUND = 100


@dataclass(frozen=True)
class NamesIndexed:
    """What ``enrollment_names_index`` did: enrollments whose words it wrote, and those whose legacy words it moved."""

    enrollments: int
    moved: int


@storage_errors_as_domain_errors
def enrollment_names_index(*, tenant_ids: Iterable[str] | None = None) -> NamesIndexed:
    """Write the word items of every enrollment of these companies (all: every company) and delete their legacy ones.

    For enrollments written before the name search existed, and for those whose words are in the
    layout before issue 23 (the enrollment's partition and ``by_name``): each company's enrollments
    are read from ``by_tenant`` (no Scan), their legacy word items looked up by key (BatchGet) and
    deleted once their words are put in the current layout (BatchWrite), so a search finds them
    throughout. Putting the same items again changes nothing, so a second run is harmless.
    """
    companies = list(tenant_ids) if tenant_ids is not None else [company.id for company in selectors.company_list()]
    indexed = moved = 0
    for tenant_id in companies:
        enrollments = iter(selectors.company_enrollments(tenant_id))
        while group := list(islice(enrollments, _ENROLLMENTS_A_ROUND)):
            legacy = list(
                NameWordItem.batch_get([key for enrollment in group for key in legacy_name_word_keys(enrollment)])
            )
            with NameWordItem.batch_write() as batch:
                for enrollment in group:
                    for item in name_word_items(enrollment):
                        batch.save(item)
            # Deleted only once the new words are in: a search never misses the enrollment.
            with NameWordItem.batch_write() as batch:
                for item in legacy:
                    batch.delete(item)
            indexed += len(group)
            moved += len({item.id for item in legacy})
    return NamesIndexed(enrollments=indexed, moved=moved)

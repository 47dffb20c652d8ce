"""The name search's index: the word items of an enrollment, written just before it, and their backfill.

The word items are not part of the enrollment's transaction: they are side items of the enrollment
(``services.side_items``), put with BatchWrite before it (a plain write costs half a transactional one),
so every enrollment that exists has its words. Each is one table write and one index entry: its key
serves the global search, its ``by_tenant_name`` entry a company's (``keys.name_word``). Words whose
enrollment was never written are harmless, since the search reads each word's enrollment and drops
those that are missing; ``side_items`` deletes them when the enrollment is refused. Every word's key
follows from its enrollment (``name_word_items``): nothing here queries for them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from .. import selectors
from ..dynamo import keys
from ..dynamo.batches import batch_write
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, NameWordItem
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


def put_name_words(items: list[NameWordItem], *, threads: int = 1) -> None:
    """Put word items with BatchWrite (no transaction): ``dynamo.batches.batch_write``.

    Enrollments put theirs as side items (``services.side_items``), which also settles a refused one's.
    """
    batch_write(puts=items, threads=threads)


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

"""The name search's index: the word items of an enrollment, written just before it, and their backfill.

The word items are not part of the enrollment's transaction: they are side items of the enrollment
(``services.side_items``), put with BatchWrite before it (a plain write costs half a transactional one,
in the table and in both name indexes), so every enrollment that exists has its words. Words whose
enrollment was never written are harmless, since the search reads each word's enrollment and drops
those that are missing; ``side_items`` deletes them when the enrollment is refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .. import selectors
from ..clock import to_iso
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

    Each sits in the enrollment's partition (``name#<word>``) and in the ``by_name`` and
    ``by_tenant_name`` indexes, and carries the course and every word of the name for
    the search's filter. ``enroll``, imports, the backfill and the benchmark all build them here.
    """
    spaced = "".join(f" {word}" for word in name_words(name))[:_WORDS_CHARS]
    return [
        NameWordItem(
            *keys.name_word(enrollment_id, word),
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


def put_name_words(items: list[NameWordItem], *, threads: int = 1) -> None:
    """Put word items with BatchWrite (no transaction): ``dynamo.batches.batch_write``.

    Enrollments put theirs as side items (``services.side_items``), which also settles a refused one's.
    """
    batch_write(puts=items, threads=threads)


@storage_errors_as_domain_errors
def enrollment_names_index(*, tenant_ids: Iterable[str] | None = None) -> int:
    """Write the word items of every enrollment of these companies (all: every company); return how many enrollments.

    For enrollments written before the name search existed. Each company's enrollments are read from ``by_tenant`` (no Scan) and their
    word items put with BatchWrite; putting the same items again changes nothing, so a second
    run is harmless.
    """
    companies = list(tenant_ids) if tenant_ids is not None else [company.id for company in selectors.company_list()]
    indexed = 0
    for tenant_id in companies:
        with NameWordItem.batch_write() as batch:
            for enrollment in selectors.company_enrollments(tenant_id):
                for item in name_word_items(enrollment):
                    batch.save(item)
                indexed += 1
    return indexed

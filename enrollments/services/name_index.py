"""The name search's index: the word items of an enrollment, written with it, and their backfill."""

from collections.abc import Iterable

from .. import selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, NameWordItem
from ..rules import name_index_words, name_words

# Longest ``words`` attribute kept: names are at most a few hundred characters.
_WORDS_CHARS = 1000


def name_word_items(enrollment: EnrollmentItem) -> list[NameWordItem]:
    """Return the word items of an enrollment: one per word of ``rules.name_index_words`` of the person's name.

    Each sits in the enrollment's partition (``name#<word>``) and in the ``by_name`` and
    ``by_tenant_name`` indexes, and carries the course and every word of the name for
    the search's filter. ``enroll``, imports, the backfill and the benchmark all build them here.
    """
    spaced = "".join(f" {word}" for word in name_words(enrollment.user.name))[:_WORDS_CHARS]
    return [
        NameWordItem(
            *keys.name_word(enrollment.id, word),
            created_at=enrollment.created_at,
            tenant_id=enrollment.tenant_id,
            course_id=enrollment.course.id,
            words=spaced,
            **keys.name_word_index_keys(
                word=word, tenant_id=enrollment.tenant_id, created_at=enrollment.created_at, enrollment_id=enrollment.id
            ),
        )
        for word in name_index_words(enrollment.user.name)
    ]


@storage_errors_as_domain_errors
def enrollment_names_index(*, tenant_ids: Iterable[str] | None = None) -> int:
    """Write the word items of every enrollment of these companies (all: every company); return how many enrollments.

    For enrollments written before the name search existed. Each company's enrollments
    are read from ``by_tenant`` (no Scan) and their word items put with BatchWrite;
    putting the same items again changes nothing, so a second run is harmless.
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

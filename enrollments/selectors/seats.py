"""Reads of a company's free seats (over its seat partitions) and of a seat's use."""

import random
from collections import Counter

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    GeneratedItem,
    ParentVacancyItem,
    VacancyItem,
)


def _seat_partitions(tenant_id: str) -> list[str]:
    """Return the company's seat partitions (``keys.vacancies``) from a random one on, so takers spread over them."""
    partitions = keys.vacancies(tenant_id)
    first = random.randrange(len(partitions))
    return partitions[first:] + partitions[:first]


@storage_errors_as_domain_errors
def free_seats(*, tenant_id: str, course_id: str, limit: int = 50) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course at a company, from its seat partitions in turn."""
    return free_seats_from(tenant_id=tenant_id, course_id=course_id, start=None, limit=limit)


@storage_errors_as_domain_errors
def seats_left(*, tenant_id: str, course_id: str) -> int:
    """Return how many free seats of a course a company has (a count of each seat partition)."""
    return sum(
        VacancyItem.count(partition, filter_condition=VacancyItem.course_id == course_id, consistent_read=True)
        for partition in keys.vacancies(tenant_id)
    )


@storage_errors_as_domain_errors
def seats_left_by_course(*, tenant_id: str) -> dict[str, int]:
    """Return how many free seats a company has, per course id (one query of each seat partition)."""
    counts: Counter = Counter()
    for partition in keys.vacancies(tenant_id):
        seats = VacancyItem.query(partition, consistent_read=True, attributes_to_get=["course_id", "kind"])
        counts.update(seat.course_id for seat in seats)
    return dict(counts)


@storage_errors_as_domain_errors
def free_seats_from(*, tenant_id: str, course_id: str, start: str | None, limit: int) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course, from sort key ``start`` on and then from the beginning.

    Seat keys end in a random uuid: concurrent chunks starting at random keys (and at
    a random one of the seat partitions) take different seats instead of all fighting
    over the first ones. Without ``start``, from the beginning.
    """
    of_course = VacancyItem.course_id == course_id
    found: list[VacancyItem] = []
    for partition in _seat_partitions(tenant_id):
        for range_condition in (VacancyItem.sk >= start, VacancyItem.sk < start) if start else (None,):
            seats = VacancyItem.query(
                partition,
                range_condition,
                filter_condition=of_course,
                consistent_read=True,
                page_size=limit - len(found),
            )
            for seat in seats:
                found.append(seat)
                if len(found) >= limit:
                    return found
    return found


@storage_errors_as_domain_errors
def seat_use_key(parent: ParentVacancyItem) -> keys.Key:
    """Return the key of the seat use (``GeneratedItem``) of the enrollment that took ``parent``'s seat.

    Enroll records the use's partition on the parent item. A parent written before that has
    none: its use is in one of the order's partitions (shard 0 before the shards), found by one
    BatchGet. When no partition holds it, the key it would have now (a cancel then finds no use).
    """
    key = keys.generated_item(parent.order_id, parent.id)
    if parent.use_pk:
        return keys.Key(parent.use_pk, key.sk)
    candidates = [(partition, key.sk) for partition in keys.order_use_partitions(parent.order_id)]
    found = next(iter(GeneratedItem.batch_get(candidates, consistent_read=True)), None)
    return keys.Key(found.order_id, found.sk) if found is not None else key

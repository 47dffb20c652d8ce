"""Builders of catalog data for tests: every call makes fresh ids, so tests never share data."""

import random
import uuid

from enrollments.dynamo import keys
from enrollments.dynamo.models import GeneratedItem, MainItem, NameWordItem
from enrollments.services import Author, Person, company_create, course_create, order_create

STAFF = Author(id="1", name="Staff Member", email="staff@example.com")


def id_of(name: str) -> str:
    """Return the enrollment id a test names ``name``: always the same uuid, the format URLs accept."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-id/{name}"))


def make_company(*, billing: str = "prepaid", name: str | None = None):
    return company_create(name=name or f"Company {uuid.uuid4().hex[:6]}", billing=billing)


def make_course(*, access_period_days: int = 90, certificate_validity_days: int = 365, name: str | None = None):
    return course_create(
        name=name or f"Course {uuid.uuid4().hex[:6]}",
        access_period_days=access_period_days,
        certificate_validity_days=certificate_validity_days,
    )


def make_order(company, course, seats: int):
    return order_create(tenant_id=company.id, course_id=course.id, seats=seats, author=STAFF)


def make_cpf(*, prefix: str = "", formatted: bool = True) -> str:
    """Return a valid CPF no other test holds (one person per CPF): random digits after ``prefix``, then the
    two check digits; ``000.000.000-00`` unless not ``formatted``."""
    digits = [int(d) for d in prefix] + [random.randrange(10) for _ in range(9 - len(prefix))]
    for length in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(length + 1, 1, -1), strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    text = "".join(map(str, digits))
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}" if formatted else text


def make_person(**overrides) -> Person:
    token = uuid.uuid4().hex[:10]
    values = {"name": f"Person {token}", "email": f"person.{token}@example.com", "cpf": None}
    values.update(overrides)
    return Person(**values)


def order_uses(order) -> list[GeneratedItem]:
    """Return every seat use (``GeneratedItem``) of an order, from each of its shards."""
    return [item for partition in keys.order_use_partitions(order.order_id) for item in GeneratedItem.query(partition)]


def seat_items(company) -> set[tuple[str, str]]:
    """Return the keys of every free seat item of a company, from each seat partition."""
    return {(item.id, item.sk) for partition in keys.vacancies(company.id) for item in MainItem.query(partition)}


def make_cnpj(*, formatted: bool = True) -> str:
    """Return a valid CNPJ no other test holds (one company per CNPJ): 12 random digits, then the two check
    digits; ``00.000.000/0000-00`` unless not ``formatted``."""
    digits = [random.randrange(10) for _ in range(12)]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(d * w for d, w in zip(digits, weights, strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    text = "".join(map(str, digits))
    return f"{text[:2]}.{text[2:5]}.{text[5:8]}/{text[8:12]}-{text[12:]}" if formatted else text


def stored_name_words(enrollment_id: str, word: str) -> list[NameWordItem]:
    """Return the items of ``word`` that name ``enrollment_id`` in the name search's partitions, whatever their time
    and shard (consistent reads): what an enrollment wrote or left. Give a word few other tests use."""
    return [
        item
        for partition in keys.name_shards(word)
        for item in NameWordItem.query(partition, NameWordItem.sk.startswith(f"{word}#"), consistent_read=True)
        if keys.name_of_sort_key(item.sk)[1] == enrollment_id
    ]

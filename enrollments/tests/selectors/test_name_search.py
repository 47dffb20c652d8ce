"""The list's name search: word prefixes of a name, case and accents ignored, from the name indexes with cursor pages."""

import uuid

import pytest

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import NameWordItem
from enrollments.exceptions import InvalidCursor
from enrollments.rules import name_words
from enrollments.services import cancel, enroll
from enrollments.services.name_index import name_word_items
from enrollments.tests.factories import STAFF, make_company, make_course, make_person


def _unique() -> str:
    """Return a word of letters no other test uses, so that searches of the shared table see this test's people."""
    return "".join(chr(ord("a") + int(digit, 16) % 26) for digit in uuid.uuid4().hex[:10])


def _search(text: str, **filters) -> list[str]:
    """Return the ids of every page of a name search, following the cursors."""
    ids, cursor, seen = [], None, set()
    while True:
        page = selectors.enrollment_list(name=name_words(text), cursor=cursor, **filters)
        assert page.index in ("names", "by_tenant_name")
        ids.extend(item.id for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return ids
        assert cursor not in seen, "the cursor does not advance"
        seen.add(cursor)


@pytest.fixture(scope="module")
def people():
    """People with accented names at two companies in two courses; one canceled."""
    family = _unique()
    company, other = make_company(billing="postpaid"), make_company(billing="postpaid")
    course_a, course_b = make_course(), make_course()

    def enroll_as(name, *, at=company, course=course_a):
        return enroll(tenant_id=at.sk, course_id=course.id, user=make_person(name=name), author=STAFF)

    made = {
        "joao": enroll_as(f"João da Silva {family}"),
        "maria": enroll_as(f"Maria Conceição {family}"),
        "joana": enroll_as(f"JOANA d'Arc {family}", course=course_b),
        "elsewhere": enroll_as(f"Joãozinho Pereira {family}", at=other),
    }
    cancel(enrollment_id=made["joana"].id, reason="Test", author=STAFF)
    return {"family": family, "company": company, "other": other, "course_a": course_a, "course_b": course_b, **made}


def test_name_search__accents_and_case_ignored__finds_joao_by_joao_and_concei(people):
    family = people["family"]

    assert set(_search(f"joao {family}")) == {people["joao"].id, people["elsewhere"].id}
    assert _search(f"CONCEI {family}") == [people["maria"].id]
    assert _search(f"Conceição {family}") == [people["maria"].id]


def test_name_search__a_prefix_of_any_word__finds_by_the_last_name_too(people):
    found = _search(people["family"][:6])

    assert set(found) == {people[key].id for key in ("joao", "maria", "joana", "elsewhere")}
    assert len(found) == len(set(found)), "an enrollment shows once"


def test_name_search__two_words__every_word_must_start_a_word_of_the_name(people):
    family = people["family"]

    assert _search(f"silva {family}") == [people["joao"].id]
    assert _search(f"jo {family[:4]} perei") == [people["elsewhere"].id]
    assert _search(f"maria silva {family}") == []


def test_name_search__within_one_company__only_its_people(people):
    found = _search(f"jo {people['family']}", tenant_id=people["company"].sk)

    assert set(found) == {people["joao"].id, people["joana"].id}
    assert selectors.enrollment_list(name=["jo"], tenant_id=people["company"].sk).index == "by_tenant_name"


def test_name_search__with_course_and_status__both_apply(people):
    family = people["family"]

    assert _search(family, course_id=people["course_b"].sk) == [people["joana"].id]
    assert _search(family, status="CANCELED") == [people["joana"].id]
    assert _search(family, course_id=people["course_a"].sk, status="CANCELED") == []
    assert set(_search(family, tenant_id=people["company"].sk, course_id=people["course_a"].sk, status="PENDING")) == {
        people["joao"].id,
        people["maria"].id,
    }


def test_name_search__particles_and_one_letter_words__not_indexed_but_checked(people):
    items = name_word_items(people["joao"])

    assert sorted(keys.name_of_sort_key(item.sk)[0] for item in items) == sorted(["joao", "silva", people["family"]])
    assert len(list(NameWordItem.batch_get([(item.id, item.sk) for item in items]))) == 3
    assert _search(f"da silva {people['family']}") == [people["joao"].id]
    assert _search(f"d silva {people['family']}") == [people["joao"].id]


def test_name_search__more_than_a_page__cursor_pages_each_enrollment_once_newest_first():
    family = _unique()
    company, course = make_company(billing="postpaid"), make_course()
    made = [
        enroll(tenant_id=company.id, course_id=course.id, user=make_person(name=f"Ana {family} {n}"), author=STAFF)
        for n in range(7)
    ]
    # A name with two words of the prefix shows once, at the first of them.
    twice = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"{family} {family}x"), author=STAFF
    )

    pages = []
    cursor = None
    while True:
        page = selectors.enrollment_list(name=[family], cursor=cursor, page_size=3, tenant_id=company.id)
        pages.append([item.id for item in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break

    found = [enrollment_id for page in pages for enrollment_id in page]
    assert [len(page) for page in pages] == [3, 3, 2]
    # By matched word, then newest first: every word is the family name, so newest first.
    assert found == [twice.id] + [e.id for e in reversed(made)]


def test_name_search__a_cursor_of_another_search__refused(people):
    page = selectors.enrollment_list(name=[people["family"]], page_size=1)

    with pytest.raises(InvalidCursor):
        selectors.enrollment_list(name=["maria"], cursor=page.next_cursor, page_size=1)


def test_name_search__reads_the_name_partitions_of_the_prefix_only(people):
    """No Scan: every row the search reads comes from the ``names#<first two letters>`` partitions (its shards)."""
    page = selectors.enrollment_list(name=[people["family"]])
    expected = {
        keys.name_of_sort_key(item.sk)[1]
        for shard in keys.name_shards(people["family"])
        for item in NameWordItem.query(shard, NameWordItem.sk.startswith(people["family"]))
    }

    assert {item.id for item in page.items} == expected
    assert page.index == "names"

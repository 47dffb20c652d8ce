"""The enrollment list: which index serves each filter, and cursor pagination over it."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.exceptions import InvalidCursor
from enrollments.services import cancel, enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_person


def valid_cpf(seed: int) -> str:
    """Return a valid CPF (11 digits) built from ``seed``."""
    digits = [int(c) for c in f"{seed:09d}"[-9:]]
    for _ in range(2):
        weight = len(digits) + 1
        rest = sum(d * (weight - i) for i, d in enumerate(digits)) * 10 % 11
        digits.append(0 if rest == 10 else rest)
    return "".join(map(str, digits))


@pytest.fixture(scope="module")
def listed():
    """120 enrollments of one company: 80 in course A, 40 in course B; 5 of A canceled; plus one elsewhere."""
    company, other_company = make_company(billing="postpaid"), make_company(billing="postpaid")
    course_a, course_b = make_course(), make_course()

    def one(n):
        course = course_a if n < 80 else course_b
        return enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    with ThreadPoolExecutor(max_workers=6) as pool:
        enrollments = list(pool.map(one, range(120)))
    canceled = [e.id for e in enrollments[:5]]
    for enrollment_id in canceled:
        cancel(enrollment_id=enrollment_id, reason="Test", author=STAFF)
    person = make_person(cpf=valid_cpf(123456789))
    elsewhere = enroll(tenant_id=other_company.id, course_id=course_a.sk, user=person, author=STAFF)
    return {
        "company": company,
        "other_company": other_company,
        "course_a": course_a,
        "course_b": course_b,
        "enrollments": enrollments,
        "canceled": canceled,
        "elsewhere": elsewhere,
        "person": person,
    }


def _walk(**filters):
    """Return every page of a list, following the cursors; fail when a cursor comes back (the walk would not end).

    The table is shared by the whole run, so how many pages a list without filters has depends on the other tests.
    """
    pages, cursor, seen = [], None, set()
    while True:
        page = selectors.enrollment_list(cursor=cursor, **filters)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages
        assert cursor not in seen, "the cursor does not advance"
        seen.add(cursor)


def _ids(pages):
    return [item.id for page in pages for item in page.items]


def _newest_first(enrollments):
    return [e.id for e in sorted(enrollments, key=lambda e: e.tenant_sk, reverse=True)]


def test_enrollment_list__120_of_a_company_page_size_50__three_pages_nothing_repeated_or_lost(listed):
    pages = _walk(tenant_id=listed["company"].sk, page_size=50)

    assert [len(page.items) for page in pages] == [50, 50, 20]
    assert {page.index for page in pages} == {"by_tenant"}
    assert _ids(pages) == _newest_first(listed["enrollments"])


def test_enrollment_list__company_and_course__reads_the_tenant_course_index(listed):
    pages = _walk(tenant_id=listed["company"].sk, course_id=listed["course_b"].sk, page_size=15)

    assert [len(page.items) for page in pages] == [15, 15, 10]
    assert {page.index for page in pages} == {"by_tenant_course"}
    assert _ids(pages) == _newest_first(listed["enrollments"][80:])


def test_enrollment_list__course_only__reads_the_course_index_across_companies(listed):
    pages = _walk(course_id=listed["course_a"].sk, page_size=50)

    assert {page.index for page in pages} == {"by_course"}
    assert _ids(pages) == _newest_first(listed["enrollments"][:80] + [listed["elsewhere"]])


def test_enrollment_list__status__filters_the_company_index_query(listed):
    pages = _walk(tenant_id=listed["company"].sk, status="CANCELED", page_size=50)

    assert {page.index for page in pages} == {"by_tenant"}
    assert sorted(_ids(pages)) == sorted(listed["canceled"])
    assert all(item.status == "CANCELED" for page in pages for item in page.items)


def test_enrollment_list__read_budget_reached__short_pages_still_lose_and_repeat_nothing(listed):
    pages = _walk(tenant_id=listed["company"].sk, status="CANCELED", page_size=50, max_scanned=30)

    assert any(not page.complete for page in pages)
    assert sorted(_ids(pages)) == sorted(listed["canceled"])


def test_enrollment_list__no_filter__merges_every_shard_newest_first(listed):
    pages = _walk(page_size=50)
    ids = _ids(pages)
    sort_keys = [item.tenant_sk for page in pages for item in page.items]

    assert {page.index for page in pages} == {"all_enrollments"}
    assert len(ids) == len(set(ids))
    assert sort_keys == sorted(sort_keys, reverse=True)
    assert set(_newest_first(listed["enrollments"])) <= set(ids)
    assert all(len(page.items) == 50 for page in pages[:-1])


def test_enrollment_list__no_filter_with_status_and_small_budget__merge_loses_and_repeats_nothing(listed):
    pages = _walk(status="CANCELED", page_size=2, max_scanned=40)
    ids = _ids(pages)

    assert len(ids) == len(set(ids))
    assert set(listed["canceled"]) <= set(ids)
    assert all(item.status == "CANCELED" for page in pages for item in page.items)


def test_company_enrollments__every_shard_to_the_end__merged_newest_first_like_the_list(listed):
    # The same shard merge as the list's pages (pagination.merged_rounds), read to the end without a budget.
    every = list(selectors.company_enrollments(listed["company"].sk))
    projected = list(selectors.company_enrollments(listed["company"].sk, attributes=["id", "sk", "kind", "tenant_sk"]))

    assert [item.id for item in every] == _newest_first(listed["enrollments"])
    assert [item.id for item in projected] == [item.id for item in every]
    assert {item.status for item in projected} == {None}


@override_settings(ENROLLMENT_LIST_SHARDS=1)
def test_list_shard__one_shard__every_enrollment_in_shard_zero():
    assert keys.list_shard("anything") == "enrollments#0"


def test_enrollment_list__email__reads_the_email_index_and_applies_other_filters(listed):
    person_email = listed["enrollments"][100].user.email

    found = selectors.enrollment_list(email=person_email)
    other_company = selectors.enrollment_list(email=person_email, tenant_id=listed["other_company"].sk)

    assert found.index == "by_email" and [item.id for item in found.items] == [listed["enrollments"][100].id]
    assert other_company.items == [] and other_company.next_cursor is None


def test_enrollment_list__cpf__reads_the_sparse_cpf_index(listed):
    found = selectors.enrollment_list(cpf=listed["person"].cpf)

    assert found.index == "by_cpf"
    assert [item.id for item in found.items] == [listed["elsewhere"].id]


def test_enrollment_list__cursor_of_another_list__raises_invalid_cursor(listed):
    page = selectors.enrollment_list(tenant_id=listed["company"].sk, page_size=10)

    with pytest.raises(InvalidCursor):
        selectors.enrollment_list(tenant_id=listed["other_company"].sk, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        selectors.enrollment_list(tenant_id=listed["company"].sk, cursor=page.next_cursor[:-2] + "xx")


def test_seats_left_by_course__counts_free_seats_per_course():
    from enrollments.tests.factories import make_order

    company, course_a, course_b = make_company(), make_course(), make_course()
    make_order(company, course_a, seats=3)
    make_order(company, course_b, seats=2)
    enroll(tenant_id=company.id, course_id=course_a.sk, user=make_person(), author=STAFF)

    assert selectors.seats_left_by_course(tenant_id=company.id) == {course_a.sk: 2, course_b.sk: 2}

"""One contract for a missing item: ``<item>_get`` raises its NotFound error, ``<item>_find`` answers None;
and a storage error leaves every selector as ``StorageUnavailable``."""

import uuid

import pytest

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.exceptions import (
    CompanyNotFound,
    CourseNotFound,
    EnrollmentNotFound,
    ImportJobNotFound,
    InvalidEnrollmentData,
    StorageUnavailable,
)
from enrollments.imports import selectors as import_selectors
from enrollments.tests.factories import make_company, make_course


def test_company_get__unknown_id__raises_company_not_found_naming_the_field():
    with pytest.raises(CompanyNotFound) as raised:
        selectors.company_get("no-such-company")

    # Forms and imports catch it as bad input, on the company field.
    assert isinstance(raised.value, InvalidEnrollmentData) and raised.value.field == "tenant_id"
    assert raised.value.message == "There is no company no-such-company."


def test_course_get__unknown_id__raises_course_not_found_naming_the_field():
    with pytest.raises(CourseNotFound) as raised:
        selectors.course_get("no-such-course")

    assert isinstance(raised.value, InvalidEnrollmentData) and raised.value.field == "course_id"


def test_get__existing_items__returns_them():
    company, course = make_company(), make_course()

    assert selectors.company_get(company.id).name == company.name
    assert selectors.course_get(course.id).name == course.name


@pytest.mark.parametrize(
    ("get", "error"),
    [
        (selectors.enrollment_get, EnrollmentNotFound),
        (selectors.enrollment_partition, EnrollmentNotFound),
        (import_selectors.import_job_get, ImportJobNotFound),
        (selectors.company_get, CompanyNotFound),
        (selectors.course_get, CourseNotFound),
    ],
)
def test_get__missing_or_empty_id__raises_not_found(get, error):
    for missing in (str(uuid.uuid4()), ""):
        with pytest.raises(error):
            get(missing)


def test_find__missing_items__answers_none():
    assert selectors.user_find(f"nobody.{uuid.uuid4().hex}@example.com") is None
    assert selectors.lock_find(keys.lock_hash(user_id="nobody", course_id="nothing")) is None
    assert selectors.order_find(str(uuid.uuid4())) is None
    assert selectors.lifecycle_record_find(str(uuid.uuid4()), "course_expired") is None


@pytest.mark.parametrize(
    "read",
    [
        lambda: selectors.company_get("any"),
        lambda: selectors.user_find("a@example.com"),
        lambda: selectors.company_list(),
        lambda: selectors.seats_left(tenant_id="t", course_id="c"),
        lambda: selectors.enrollment_list(),
        lambda: selectors.users_by_email(["a@example.com"]),
        # Generators read while they are iterated: the translation covers that too.
        lambda: list(selectors.due_record_keys(shard_key="2026-01-01#0", until_iso="2026-01-02")),
        lambda: list(import_selectors.import_results("any")),
        lambda: import_selectors.import_job_list(),
    ],
)
def test_selectors__dynamodb_down__raise_storage_unavailable(dynamodb_down, read):
    with pytest.raises(StorageUnavailable):
        read()


def test_enrollment_get__key_of_another_kind_of_item__raises_enrollment_not_found(enrollment):
    # (user#<email>, "0") and (cpf#<digits>, "0") are the same key shape as an enrollment's, holding a person.
    user_key = keys.user(enrollment.user.email)

    with pytest.raises(EnrollmentNotFound):
        selectors.enrollment_get(user_key.pk)
    with pytest.raises(CompanyNotFound):
        selectors.company_get(f"../{enrollment.tenant_id}")  # no such sort key in the companies partition
    assert selectors.order_find(user_key.pk) is None


@pytest.mark.parametrize("length", [2049, 3001])
def test_item_reads__id_past_dynamodbs_key_size__not_found_not_storage_unavailable(length):
    long_id = "x" * length

    with pytest.raises(EnrollmentNotFound):
        selectors.enrollment_get(long_id)
    with pytest.raises(EnrollmentNotFound):
        selectors.enrollment_partition(long_id)
    with pytest.raises(CompanyNotFound):
        selectors.company_get(long_id)
    with pytest.raises(CourseNotFound):
        selectors.course_get(long_id)
    assert selectors.lifecycle_failure_find(long_id) is None
    assert selectors.user_find(long_id) is None


def test_company_and_course__id__is_their_own_id_and_the_stored_key_is_unchanged():
    company, course = make_company(), make_course()

    read_company, read_course = selectors.company_get(company.id), selectors.course_get(course.id)

    assert (read_company.id, read_course.id) == (company.id, course.id)
    assert read_company.key == keys.company(company.id) == ("companies", company.id)
    assert read_course.key == keys.course(course.id) == ("courses", course.id)
    # The table's hash key attribute keeps its name: items written before read the same.
    assert read_company.serialize()["id"] == {"S": "companies"}
    assert {item.id for item in selectors.company_list()} >= {company.id}

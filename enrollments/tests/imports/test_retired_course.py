"""A retired course takes no new enrollments through an import: rows naming it are invalid, as a default it is refused."""

import io

import pytest

from enrollments import selectors
from enrollments.exceptions import InvalidEnrollmentData
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.preview import import_preview
from enrollments.jobs import services as job_services
from enrollments.services.catalog import course_restore, course_retire
from enrollments.tests.factories import STAFF, make_company, make_course

pytestmark = pytest.mark.django_db


def _file(company, *courses):
    lines = ["name,email,course"] + [
        f"Person {i},p{i}.{company.id}@example.com,{course.id}" for i, course in enumerate(courses)
    ]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def test_preview__row_of_a_retired_course__invalid_naming_the_course_other_rows_go_on(frozen_clock):
    company, retired, open_course = make_company(billing="postpaid"), make_course(name="Old NR-10"), make_course()
    course_retire(course_id=retired.sk, author=STAFF)

    preview = import_preview(file=_file(company, retired, open_course), tenant_id=company.id)

    assert (preview.to_enroll, preview.invalid) == (1, 1)
    [row] = preview.problem_rows
    assert row.line == 2 and row.message == "The course Old NR-10 is retired: it takes no new enrollments."


def test_preview__retired_default_course__refused_naming_the_course_field(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    course_retire(course_id=course.id, author=STAFF)

    with pytest.raises(InvalidEnrollmentData) as raised:
        import_preview(file=_file(company, course), tenant_id=company.id, default_course_id=course.id)

    assert raised.value.field == "course_id" and "retired" in raised.value.message


def test_import_start__course_retired_after_the_preview__its_rows_are_not_enrolled(frozen_clock):
    company, retired, open_course = make_company(billing="postpaid"), make_course(), make_course()
    data = _file(company, retired, open_course).getvalue()
    assert import_preview(file=io.BytesIO(data), tenant_id=company.id).to_enroll == 2
    course_retire(course_id=retired.sk, author=STAFF)

    job = import_services.import_start(
        file=io.BytesIO(data), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)

    enrolled = {item.course.id for item in selectors.company_enrollments(company.id)}
    assert enrolled == {open_course.id}
    assert selectors.course_get(retired.sk).retired_at


def test_preview__restored_course__rows_enrolled_again(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    course_retire(course_id=course.id, author=STAFF)
    course_restore(course_id=course.id, author=STAFF)

    preview = import_preview(file=_file(company, course), tenant_id=company.id)

    assert (preview.to_enroll, preview.invalid) == (1, 0)

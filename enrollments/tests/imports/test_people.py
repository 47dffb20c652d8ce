"""Imports and the people already stored: one person per CPF, and active enrollments needing "enroll again"."""

import io

import pytest

from enrollments import selectors
from enrollments.imports import downloads
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.preview import import_preview
from enrollments.jobs import services as job_services
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_person

pytestmark = pytest.mark.django_db


def _file(rows) -> io.BytesIO:
    lines = ["name,email,cpf,course", *(",".join(row) for row in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


@pytest.fixture
def stored():
    """A postpaid company and a course where Maria (with a CPF) is enrolled, without a window."""
    company, course = make_company(billing="postpaid"), make_course()
    maria = make_person(name="Maria Souza", cpf=make_cpf())
    first = enroll(tenant_id=company.id, course_id=course.id, user=maria, author=STAFF)
    return company, course, maria, first


def _rows(stored, extra=()):
    company, course, maria, _first = stored
    stranger = make_person(name="Outra Pessoa")
    return [
        # Maria again, by email: active in the course.
        (maria.name, maria.email, "", course.id),
        # Maria's CPF under another email: refused, naming her.
        (stranger.name, stranger.email, maria.cpf, course.id),
        # Maria's email with another CPF: refused.
        (maria.name, maria.email, make_cpf(), make_course().sk),
        *extra,
    ]


def test_preview__cpf_of_another_person_and_active_enrollments__counted_apart_with_their_reasons(stored):
    company, course, maria, first = stored
    newcomer = make_person()
    cpf = make_cpf()
    rows = _rows(
        stored,
        extra=[
            (newcomer.name, newcomer.email, cpf, course.id),
            # The same CPF under a second email in the same file.
            ("Someone Else", make_person().email, cpf, course.id),
        ],
    )

    preview = import_preview(file=_file(rows), tenant_id=company.id)

    problems = {row.line: (row.status, row.message) for row in preview.problem_rows}
    assert (preview.to_enroll, preview.already_active, preview.invalid) == (1, 1, 3)
    assert problems[2][0] == "already_active" and first.id in problems[2][1]
    assert problems[3][0] == "invalid" and "Maria Souza" in problems[3][1] and maria.email in problems[3][1]
    assert problems[4][0] == "invalid" and "Maria Souza" in problems[4][1]
    assert problems[6] == (
        "invalid",
        f"Line 5 has this CPF with another email ({newcomer.email}): one person per CPF.",
    )


def test_preview__with_enroll_again__active_people_are_to_enroll_and_counted(stored):
    company, course, maria, _first = stored

    preview = import_preview(
        file=_file([(maria.name, maria.email, "", course.id)]), tenant_id=company.id, enroll_again=True
    )

    assert (preview.to_enroll, preview.already_active, preview.enrolled_again) == (1, 0, 1)


@pytest.mark.parametrize("again", [False, True])
def test_import__active_people_and_cpf_of_another_person__each_row_its_result(stored, again):
    company, course, maria, first = stored

    job = import_services.import_start(
        file=_file(_rows(stored)),
        file_name="people.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
        enroll_again=again,
    )
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)

    results = {row[0]: row for row in downloads.import_report_rows(job.job_id)}
    assert results[3][3] == "cpf_taken" and "Maria Souza" in results[3][5]
    assert results[4][3] == "cpf_mismatch"
    assert job.invalid == 2
    # Every row counted once, whichever result added to which counter.
    counts = downloads.job_progress(job)["counts"]
    assert sum(counts.values()) == job.rows_total == 3
    if again:
        assert results[2][3] == "enrolled" and job.enrolled == 1 and job.already_active == 0
        ids = selectors.active_enrollment_ids(user_id=first.user.id, course_id=course.id)
        assert ids == {first.id, results[2][4]}
    else:
        assert results[2][3:5] == ["already_active", first.id] and job.already_active == 1 and job.enrolled == 0

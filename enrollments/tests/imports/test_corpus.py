"""Every file of the corpus through preview and import: its per-row results, or its one message and nothing written."""

import csv
import io

import pytest

from enrollments import selectors
from enrollments.exceptions import ImportFileRefused
from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.preview import failed_rows_csv, import_preview
from enrollments.imports.rows import OK
from enrollments.jobs import services as job_services
from enrollments.jobs.states import DONE
from enrollments.tests.factories import STAFF, make_company, make_course

from .corpus import corpus

pytestmark = pytest.mark.django_db


def _samples():
    class Fake:
        id, name = "c", "n"

    return [sample.name for sample in corpus(Fake, Fake)]


@pytest.fixture
def catalog():
    return make_company(billing="postpaid"), make_course(), make_course()


def _sample(name, course, other):
    return next(sample for sample in corpus(course, other) if sample.name == name)


@pytest.mark.parametrize("name", list(_samples()))
def test_corpus__preview_and_import__give_each_row_its_result_or_refuse_the_file(frozen_clock, catalog, name):
    company, course, other = catalog
    sample = _sample(name, course, other)

    if sample.refused:
        for call in (
            lambda: import_preview(file=io.BytesIO(sample.data), file_name=f"{name}.csv", tenant_id=company.id),
            lambda: import_services.import_start(
                file=io.BytesIO(sample.data), file_name=f"{name}.csv", tenant_id=company.id, author=STAFF, enqueue=None
            ),
        ):
            with pytest.raises(ImportFileRefused) as raised:
                call()
            assert sample.refused in raised.value.message
        assert import_selectors.import_job_list(tenant_id=company.id) == []
        return

    preview = import_preview(file=io.BytesIO(sample.data), file_name=f"{name}.csv", tenant_id=company.id)
    problems = {row.line: row.status for row in preview.problem_rows}
    assert [(line, problems.get(line, OK)) for line, _ in sample.rows] == [
        (line, OK if result == "enrolled" else result) for line, result in sample.rows
    ]
    assert preview.rows_total == len(sample.rows) and preview.to_enroll == sum(r == "enrolled" for _, r in sample.rows)
    assert all(row.message for row in preview.problem_rows)

    job = import_services.import_start(
        file=io.BytesIO(sample.data), file_name=f"{name}.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)

    report = list(downloads.import_report_rows(job.job_id))
    assert [(line, result) for line, _n, _e, result, _id, _m in report] == sample.rows
    assert job.state == DONE and job.rows_done == job.rows_total == len(sample.rows)
    assert job.enrolled == sum(result == "enrolled" for _, result in sample.rows)
    for line, _n, _e, result, enrollment_id, message in report:
        if result == "enrolled":
            enrollment = selectors.enrollment_get(enrollment_id)
            assert enrollment.tenant_id == company.id and enrollment.source == f"csv:{job.job_id}"
            if line in sample.names:
                assert enrollment.user.name == sample.names[line]
            if line in sample.cpfs:
                assert enrollment.user.cpf == sample.cpfs[line]
        else:
            assert message


def test_corpus__formula_looking_values__are_neutralized_in_every_csv(frozen_clock, catalog):
    company, course, other = catalog
    sample = _sample("formula_looking_values", course, other)
    job = import_services.import_start(
        file=io.BytesIO(sample.data), file_name="f.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)

    rows = list(csv.reader(io.StringIO("".join(downloads.import_report_csv(job.job_id)).lstrip("\ufeff"))))

    assert rows[0] == ["line", "name", "email", "result", "enrollment id", "message", "result code"]
    assert [row[1] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+5511999",
        "'@SUM(A1)",
        "'-Dash",
    ]


def test_corpus__failed_rows_csv__fixed_and_uploaded_again__imports_the_fixed_rows(frozen_clock, catalog):
    company, course, other = catalog
    data = f"name,email,course\n=Bad Email,not-an-email,{course.id}\nGood,good@example.com,{course.id}\n".encode()
    preview = import_preview(file=io.BytesIO(data), tenant_id=company.id)
    failed = "".join(failed_rows_csv(preview))

    assert failed.startswith("\ufeffname,email,cpf,course,window days,line,error\r\n'=Bad Email,not-an-email,")
    fixed = failed.replace("not-an-email", "fixed@example.com").encode()
    again = import_preview(file=io.BytesIO(fixed), tenant_id=company.id)

    assert (again.rows_total, again.to_enroll, again.problem_rows) == (1, 1, [])
    job = import_services.import_start(
        file=io.BytesIO(fixed), file_name="fixed.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    [(line, name, email, result, enrollment_id, _)] = downloads.import_report_rows(
        job_services.job_run_inline(IMPORT, job_id=job.job_id).job_id
    )
    assert (name, email, result) == ("=Bad Email", "fixed@example.com", "enrolled")


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("IMPORT_MAX_ROWS", 2, "more than 2 rows"),
        ("IMPORT_MAX_BYTES", 40, "the limit is 40"),
    ],
)
def test_corpus__over_the_limits__refused_with_one_message(frozen_clock, catalog, settings, setting, value, message):
    company, course, _ = catalog
    setattr(settings, setting, value)
    data = "".join(["name,email,course\n"] + [f"P{i},p{i}@example.com,{course.id}\n" for i in range(3)]).encode()

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(data), tenant_id=company.id)

    assert message in raised.value.message


def test_corpus__no_course_column_and_no_default__refused_asking_for_one(frozen_clock, catalog):
    company, course, _ = catalog
    data = b"name,email\nAna,ana@example.com\n"

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(data), tenant_id=company.id)
    assert "Choose a default course" in raised.value.message

    preview = import_preview(file=io.BytesIO(data), tenant_id=company.id, default_course_id=course.id)
    assert preview.to_enroll == 1 and preview.courses[0].course_id == course.id

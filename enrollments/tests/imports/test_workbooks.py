""".xlsx workbooks through the same preview, job and report as CSV files: a corpus built here with openpyxl."""

import csv
import datetime
import io

import pytest

from enrollments import selectors
from enrollments.exceptions import ImportFileRefused
from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.preview import failed_rows_csv, import_preview
from enrollments.imports.workbooks import cell_text
from enrollments.jobs import services as job_services
from enrollments.jobs.states import DONE
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf
from enrollments.tests.imports.workbook_support import (
    ole_file,
    streamed_workbook,
    truncated,
    with_saved_formula_values,
    workbook,
)

pytestmark = pytest.mark.django_db

# Stored as numbers, as a spreadsheet keeps a CPF typed without punctuation: the second loses five zeros.
# One person per CPF: CPFs of this test run's own.
CPF = make_cpf(formatted=False)
ZEROS_CPF = make_cpf(prefix="00000", formatted=False)


@pytest.fixture
def catalog():
    return make_company(billing="postpaid"), make_course(), make_course()


def _people(course, company) -> bytes:
    """A workbook as HR sends one: a cover sheet first; on "Pessoas" a merged title row, a merged header cell,
    CPFs and a window stored as numbers, a date, a formula with its saved result, empty rows."""
    title = ["Funcionários para treinamento", None, None, None, None, None, None]
    header = ["Nome", "E-mail", None, "CPF", "Curso", "Janela (dias)", "Admissão"]
    admission = datetime.datetime(2024, 3, 5)
    rows = [
        title,
        header,
        ["Ana Lima", f"ana.{company.id}@example.com", None, int(CPF), course.id, 30.0, admission],
        [],
        ["Bia Souza", '=LOWER("BIA@EXAMPLE.COM")', None, int(ZEROS_CPF), course.id, None, admission],
        [None, None, None, None, None, None, None],
        ["Caio Dias", f"caio.{company.id}@example.com", None, 12345, course.id, admission, None],
        ["Dani Reis", "not-an-email", None, None, course.id, None, None],
    ]
    data = workbook(
        {"Capa": [["Lista enviada pelo RH"]], "Pessoas": rows},
        merged={"Capa": ["A1:C1"], "Pessoas": ["A1:G1", "B2:C2"]},
    )
    return with_saved_formula_values(data, {"B5": f"bia.{company.id}@example.com"}, sheet=2)


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "value, cpf, text",
    [
        (None, False, ""),
        ("  Ana ", False, "  Ana "),
        (30.0, False, "30"),
        (1.5, False, "1.5"),
        (7, False, "7"),
        (1234567890, True, "01234567890"),
        (1234567890.0, True, "01234567890"),
        (1234567890, False, "1234567890"),
        (123456789012, True, "123456789012"),
        (datetime.datetime(2024, 3, 5), False, "05/03/2024"),
        (datetime.datetime(2024, 3, 5, 14, 30), False, "05/03/2024 14:30"),
        (datetime.date(2024, 12, 31), False, "31/12/2024"),
        (True, False, "TRUE"),
    ],
)
def test_cell_text__each_kind_of_cell__reads_as_the_text_a_csv_would_hold(value, cpf, text):
    assert cell_text(value, cpf=cpf) == text


def test_workbook__named_sheet__previews_and_imports_with_sheet_row_numbers_and_cell_values(
    frozen_clock, catalog, tmp_path
):
    company, course, _other = catalog
    path = _write(tmp_path, "pessoas.xlsx", _people(course, company))

    with path.open("rb") as file:
        preview = import_preview(file=file, file_name=path.name, tenant_id=company.id, sheet="Pessoas")

    assert (preview.file.sheet, preview.file.header_row, preview.file.encoding) == ("Pessoas", 2, "xlsx")
    assert (preview.rows_total, preview.to_enroll, preview.invalid) == (4, 2, 2)
    problems = {row.line: row for row in preview.problem_rows}
    assert sorted(problems) == [7, 8]
    # The date in the window column reads as a CSV would hold it; the CPF of five digits kept as text as it was.
    assert problems[7].raw.window_days == "05/03/2024" and "05/03/2024" in problems[7].message
    assert problems[7].raw.cpf == "00000012345"
    failed = list(csv.reader(io.StringIO("".join(failed_rows_csv(preview)).lstrip("\ufeff"))))
    assert [row[-2] for row in failed[1:]] == ["7", "8"]

    with path.open("rb") as file:
        job = import_services.import_start(
            file=file, file_name=path.name, tenant_id=company.id, author=STAFF, enqueue=None, sheet="pessoas"
        )
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)

    assert (job.state, job.rows_total, job.enrolled, job.encoding) == (DONE, 4, 2, "xlsx")
    report = {
        line: (email, result, enrollment_id)
        for line, _n, email, result, enrollment_id, _m in downloads.import_report_rows(job.job_id)
    }
    assert {line: result for line, (_e, result, _id) in report.items()} == {
        3: "enrolled",
        5: "enrolled",
        7: "invalid",
        8: "invalid",
    }
    ana = selectors.enrollment_get(report[3][2])
    bia = selectors.enrollment_get(report[5][2])
    assert (ana.user.name, ana.user.cpf) == ("Ana Lima", CPF)
    # The formula reads as its saved result; the CPF stored as a number gets its leading zeros back.
    assert (bia.user.email, bia.user.cpf) == (f"bia.{company.id}@example.com", ZEROS_CPF)
    assert ZEROS_CPF.startswith("00000")


def test_workbook__no_sheet_named__reads_the_first_and_names_the_others(catalog, tmp_path):
    company, course, _other = catalog
    data = _people(course, company)

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(data), file_name="pessoas.xlsx", tenant_id=company.id)

    assert "no column for name/nome" in raised.value.message
    assert "This was the sheet “Capa”; the workbook also has “Pessoas”" in raised.value.message


def test_workbook__unknown_sheet_name__refused_naming_the_sheets(catalog):
    company, course, _other = catalog

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(_people(course, company)), tenant_id=company.id, sheet="Folha 3")

    assert raised.value.message == "The workbook has no sheet named “Folha 3”. Its sheets are: “Capa”, “Pessoas”."


def test_workbook__written_in_write_only_mode__imports_like_a_csv_of_the_same_rows(frozen_clock, catalog):
    company, course, _other = catalog
    rows = [[f"Pessoa {i}", f"p{i}.{company.id}@example.com", course.id] for i in range(5)]
    data = streamed_workbook(["name", "email", "course"], rows)

    job = import_services.import_start(
        file=io.BytesIO(data), file_name="export.xlsx", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)

    assert (job.state, job.enrolled) == (DONE, 5)
    assert [line for line, *_rest in downloads.import_report_rows(job.job_id)] == [2, 3, 4, 5, 6]


def _refused_samples():
    good = workbook({"Plan1": [["name", "email", "course"], ["Ana", "ana@example.com", "c"]]})
    return {
        "password_protected": (ole_file("EncryptedInfo", "EncryptedPackage"), "pessoas.xlsx", "password-protected"),
        "xls_renamed_xlsx": (ole_file("Workbook"), "pessoas.xlsx", "old Excel format (.xls)"),
        "ole_magic_alone": (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100, "p.csv", "password-protected"),
        "cut_short": (truncated(good), "pessoas.xlsx", "cannot be read as an Excel workbook"),
        "zip_header_then_garbage": (b"PK\x03\x04" + b"\x01" * 200, "pessoas.xlsx", "damaged or in another format"),
        "zip_without_a_workbook": (_plain_zip(), "pessoas.xlsx", "cannot be read as an Excel workbook"),
        "text_named_xlsx": (b"name,email,course\nAna,ana@example.com,c\n", "pessoas.xlsx", "damaged"),
        "empty_sheet": (workbook({"Vazia": []}), "pessoas.xlsx", "The sheet “Vazia” is empty."),
        "header_only": (workbook({"P": [["name", "email", "course"], [], [None]]}), "p.xlsx", "column names but no"),
        "repeated_column": (workbook({"P": [["nome", "name", "email"], ["A", "B", "c"]]}), "p.xlsx", "appears twice"),
    }


def _plain_zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(_refused_samples()))
def test_workbook__refused_file__one_message_and_nothing_written(catalog, name, tmp_path):
    company, course, _other = catalog
    data, file_name, words = _refused_samples()[name]
    path = _write(tmp_path, file_name, data)

    for call in (
        lambda file: import_preview(file=file, file_name=file_name, tenant_id=company.id, default_course_id=course.id),
        lambda file: import_services.import_start(
            file=file, file_name=file_name, tenant_id=company.id, author=STAFF, enqueue=None
        ),
    ):
        with path.open("rb") as file, pytest.raises(ImportFileRefused) as raised:
            call(file)
        assert words in raised.value.message
    assert import_selectors.import_job_list(tenant_id=company.id) == []


def test_workbook__unpacking_past_the_limit__refused_before_it_is_read(catalog, settings):
    company, course, _other = catalog
    # A million repeated letters (a cell holds at most 32,767) zip to a few kilobytes.
    rows = [[f"{i}" + "a" * 30_000, f"p{i}@example.com", course.id] for i in range(35)]
    data = workbook({"P": [["name", "email", "course"], *rows]})
    settings.IMPORT_MAX_BYTES = 100_000
    assert len(data) < settings.IMPORT_MAX_BYTES

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(data), file_name="bomb.xlsx", tenant_id=company.id)

    assert "The workbook unpacks to" in raised.value.message


def test_workbook__more_rows_than_the_limit__refused_as_a_csv_is(catalog, settings):
    company, course, _other = catalog
    settings.IMPORT_MAX_ROWS = 3
    rows = [[f"P{i}", f"p{i}@example.com", course.id] for i in range(4)]

    with pytest.raises(ImportFileRefused) as raised:
        import_preview(file=io.BytesIO(streamed_workbook(["name", "email", "course"], rows)), tenant_id=company.id)

    assert "more than 3 rows" in raised.value.message


def test_workbook__cell_far_right_of_the_known_columns__ignored(frozen_clock, catalog):
    company, course, _other = catalog
    row = ["Ana", f"ana.{company.id}@example.com", course.id] + [None] * 2000 + ["far"]

    preview = import_preview(file=io.BytesIO(workbook({"P": [["name", "email", "course"], row]})), tenant_id=company.id)

    assert (preview.rows_total, preview.to_enroll) == (1, 1)

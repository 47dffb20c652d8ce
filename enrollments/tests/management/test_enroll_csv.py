import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from enrollments import selectors
from enrollments.imports import selectors as import_selectors
from enrollments.tests.factories import make_company, make_course, make_cpf, make_order
from enrollments.tests.imports.workbook_support import workbook

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def people_file(tmp_path, frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    path = tmp_path / "people.csv"
    path.write_bytes(
        f"Nome;E-mail;CPF\nConceição;ana.{company.id}@example.com;{make_cpf()}\nBia;bia.{company.id}@example.com;\n"
        f"Caio;not-an-email;\nDani;dani.{company.id}@example.com;\n".encode("cp1252")
    )
    return company, course, path


def test_enroll_csv__dry_run__prints_what_would_happen_and_writes_nothing(people_file, capsys):
    company, course, path = people_file

    call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com", course=course.id, dry_run=True)

    out = capsys.readouterr().out
    assert "line 4: Invalid: not-an-email is not a valid email address." in out
    assert "1 seat short for" in out
    assert "(cp1252, “;”): 4 rows, 3 to enroll, 1 invalid, 0 duplicates in the file" in out
    assert "2 seats to use, 1 seat short. Nothing was written." in out
    assert (
        list(selectors.company_enrollments(company.id)) == []
        and import_selectors.import_job_list(tenant_id=company.id) == []
    )


def test_enroll_csv__import_in_portuguese__rows_and_report_say_each_result_in_portuguese_with_its_code(
    people_file, capsys, tmp_path
):
    company, course, path = people_file
    report = tmp_path / "relatorio.csv"

    with translation.override("pt-br"):
        call_command(
            "enroll_csv", str(path), tenant=company.id, author="staff@example.com", course=course.id, report=str(report)
        )

    out = capsys.readouterr().out
    assert "linha 4: not-an-email: Inválida: " in out
    assert f"linha 5: dani.{company.id}@example.com: Sem vaga: " in out
    rows = list(csv.reader(report.open(encoding="utf-8-sig"), delimiter=";"))
    assert rows[0][3::3] == ["resultado", "código do resultado"]
    assert [(row[3], row[6]) for row in rows[1:]] == [
        ("Matriculada", "enrolled"),
        ("Matriculada", "enrolled"),
        ("Inválida", "invalid"),
        ("Sem vaga", "no_vacancy_left"),
    ]


def test_enroll_csv__import__enrolls_prints_row_problems_and_totals_and_writes_the_report(
    people_file, capsys, tmp_path
):
    company, course, path = people_file
    report = tmp_path / "report.csv"

    call_command(
        "enroll_csv", str(path), tenant=company.id, author="Staff@Example.com", course=course.id, report=str(report)
    )

    captured = capsys.readouterr()
    assert "line 4: not-an-email: Invalid: not-an-email is not a valid email address." in captured.out
    assert (
        ": 4 of 4 rows: 2 enrolled, 0 already enrolled, 0 already active in the course, 1 without a seat, "
        "0 duplicates in the file, 1 invalid, 0 with other errors." in captured.out
    )
    assert "4/4 100%" in captured.err
    rows = list(csv.reader(report.open(encoding="utf-8-sig")))
    assert [(row[3], row[6]) for row in rows[1:]].count(("Enrolled", "enrolled")) == 2
    [job] = import_selectors.import_job_list(tenant_id=company.id)
    assert (job.author.id, job.author.email, job.state) == ("cli:staff@example.com", "staff@example.com", "DONE")
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_enroll_csv__same_file_again__refused_with_a_hint(people_file):
    company, course, path = people_file
    call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com", course=course.id)

    with pytest.raises(CommandError, match="already imported .* Pass --allow-same-file"):
        call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com", course=course.id)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"file": "missing.csv"}, "Cannot read"),
        ({"tenant": "no-such-company"}, "There is no company no-such-company."),
        ({"course": "no-such-course"}, "There is no course no-such-course."),
        ({"author": "nobody"}, "--author: nobody is not a valid email address."),
    ],
)
def test_enroll_csv__bad_arguments__one_message(people_file, tmp_path, change, message):
    company, course, path = people_file
    args = {"file": str(path), "tenant": company.id, "author": "staff@example.com", "course": course.id, **change}
    if args["file"] == "missing.csv":
        args["file"] = str(tmp_path / "missing.csv")

    with pytest.raises(CommandError, match=message):
        call_command("enroll_csv", args.pop("file"), **args)


@pytest.mark.slow
def test_enroll_csv__exit_status__0_when_read_with_row_errors_1_when_the_file_is_refused(people_file, tmp_path):
    company, course, path = people_file
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT": settings.DYNAMODB_ENDPOINT,
        "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120)

    def run(file):
        command = [
            sys.executable,
            "manage.py",
            "enroll_csv",
            str(file),
            "--tenant",
            company.id,
            "--author",
            "staff@example.com",
            "--course",
            course.id,
        ]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    refused, read = run(png), run(path)

    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        == "CommandError: This is not a CSV text file (it holds binary data, like an image or an .xlsx workbook): save the sheet as CSV and upload that."
    )
    assert read.returncode == 0, read.stderr
    assert "1 invalid" in read.stdout


@pytest.mark.slow
def test_enroll_csv__before_migrate__one_message_saying_to_migrate(people_file, tmp_path):
    company, course, path = people_file
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT": settings.DYNAMODB_ENDPOINT,
        "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}",
    }
    command = [sys.executable, "manage.py", "enroll_csv", str(path), "--tenant", company.id]
    command += ["--author", "staff@example.com", "--course", course.id]

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "manage.py migrate" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert list(selectors.company_enrollments(company.id)) == []


@pytest.mark.parametrize("no_welcome", [False, True])
def test_enroll_csv__welcome__by_default_each_enrolled_row_gets_one__none_with_no_welcome(
    tmp_path, lifecycle_time, mailoutbox, no_welcome
):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)
    path = tmp_path / "people.csv"
    path.write_text(f"nome;email\nAna;ana.{company.id}@example.com\nBia;bia.{company.id}@example.com\nCaio;nope\n")

    call_command(
        "enroll_csv", str(path), tenant=company.id, author="staff@example.com", course=course.id, no_welcome=no_welcome
    )

    [job] = import_selectors.import_job_list(tenant_id=company.id)
    assert (job.enrolled, job.invalid, job.welcome) == (2, 1, not no_welcome)
    lifecycle_time.tick(lifecycle_time.start)
    sent = sorted((m.to[0], m.extra_headers["X-Lifecycle-Event"]) for m in mailoutbox)
    expected = [(f"ana.{company.id}@example.com", "welcome"), (f"bia.{company.id}@example.com", "welcome")]
    assert sent == ([] if no_welcome else expected)


@pytest.mark.slow
def test_enroll_csv__no_welcome__in_the_help():
    out = subprocess.run(
        [sys.executable, "manage.py", "enroll_csv", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true"},
        check=True,
    ).stdout

    assert "--no-welcome" in out and "send no welcome email" in out


@pytest.fixture
def people_workbook(tmp_path, frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    rows = [
        ["Nome", "E-mail", "CPF", "Curso"],
        ["Ana", f"ana.{company.id}@example.com", int(make_cpf(formatted=False)), course.id],
        [],
        ["Caio", "not-an-email", None, course.id],
        ["Dani", f"dani.{company.id}@example.com", None, course.id],
    ]
    path = tmp_path / "pessoas.xlsx"
    path.write_bytes(workbook({"Capa": [["RH"]], "Pessoas": rows}))
    return company, course, path


def test_enroll_csv__xlsx_dry_run__names_the_sheet_read(people_workbook, capsys):
    company, _course, path = people_workbook

    call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com", sheet="Pessoas", dry_run=True)

    out = capsys.readouterr().out
    assert "line 4: Invalid: not-an-email is not a valid email address." in out
    assert "(xlsx, sheet “Pessoas”): 3 rows, 2 to enroll, 1 invalid" in out


def test_enroll_csv__xlsx_import__enrolls_the_named_sheet(people_workbook, capsys):
    company, course, path = people_workbook

    call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com", sheet="Pessoas")

    assert (
        "2 enrolled, 0 already enrolled, 0 already active in the course, 0 without a seat, 0 duplicates in the file, "
        "1 invalid" in capsys.readouterr().out
    )
    [job] = import_selectors.import_job_list(tenant_id=company.id)
    assert (job.state, job.enrolled, job.encoding) == ("DONE", 2, "xlsx")
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_enroll_csv__xlsx_without_the_sheet__one_message_naming_the_other_sheets(people_workbook):
    company, _course, path = people_workbook

    with pytest.raises(CommandError, match="This was the sheet “Capa”; the workbook also has “Pessoas”"):
        call_command("enroll_csv", str(path), tenant=company.id, author="staff@example.com")

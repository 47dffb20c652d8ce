import codecs
import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from enrollments import permissions
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.downloads import REPORT_HEADER
from enrollments.imports.kind import IMPORT
from enrollments.imports.parsing import WRITTEN_HEADERS
from enrollments.imports.preview import FAILED_ROWS_HEADER, import_preview
from enrollments.jobs import services as job_services
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    data = f"name,email,course\n@Evil,evil.{company.id}@example.com,{course.id}\nBad,bad,{course.id}\n".encode()
    started = import_services.import_start(
        file=io.BytesIO(data), file_name="a.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    return job_services.job_run_inline(IMPORT, job_id=started.job_id)


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user(username="viewer", password="pw-viewer-1", is_staff=True)
    user.groups.add(Group.objects.get(name=permissions.VIEWERS))
    client.force_login(user)
    return client


def test_progress_json__staff__returns_the_progress(staff_client, job):
    response = staff_client.get(reverse("admin:import_progress_json", args=[job.job_id]))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["processed"], body["total"], body["percent"], body["finished"]) == (
        "DONE",
        2,
        2,
        100,
        True,
    )
    assert body["counts"]["enrolled"] == 1 and body["counts"]["invalid"] == 1


def test_progress_json__not_staff__redirects_to_login(client, job):
    response = client.get(reverse("admin:import_progress_json", args=[job.job_id]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_progress_json__staff_without_the_view_permission__403(client, job):
    client.force_login(get_user_model().objects.create_user(username="nobody", password="pw-nobody-1", is_staff=True))

    assert client.get(reverse("admin:import_progress_json", args=[job.job_id])).status_code == 403


def test_progress_json__dynamodb_down__503_not_a_server_error(staff_client, job, dynamodb_down):
    assert staff_client.get(reverse("admin:import_progress_json", args=[job.job_id])).status_code == 503


def test_progress_json__unknown_job__404(staff_client, frozen_clock):
    assert (
        staff_client.get(
            reverse("admin:import_progress_json", args=["00000000-0000-0000-0000-000000000000"])
        ).status_code
        == 404
    )


def test_report_download__streams_the_neutralized_report(staff_client, job):
    response = staff_client.get(reverse("admin:import_report_download", args=[job.job_id]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[:4] + row[6:] for row in rows] == [
        ["line", "name", "email", "result", "result code"],
        ["2", "'@Evil", rows[1][2], "Enrolled", "enrolled"],
        ["3", "Bad", "bad", "Invalid", "invalid"],
    ]


def test_failed_rows_download__has_only_the_rows_not_enrolled(staff_client, job):
    response = staff_client.get(reverse("admin:import_failed_rows_download", args=[job.job_id]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "cpf", "course", "window days", "line", "error"]
    assert [(row[0], row[1], row[5]) for row in rows[1:]] == [("Bad", "bad", "3")]


# Chunks and results are stored compressed; those an import stored before as plain JSON read the same.


def _raw_rows(item) -> dict:
    """Return the ``rows`` attribute of ``item`` as DynamoDB holds it (``{"B": ...}`` or ``{"S": ...}``)."""
    raw = type(item)._get_connection().get_item(item.id, item.sk, consistent_read=True)["Item"]
    return raw["rows"]


def _store_as_before(items) -> None:
    """Write ``items`` again as before compression: ``rows`` a plain JSON string, as ``JSONAttribute`` stored it."""
    for item in items:
        attributes = item.serialize()
        hash_key, range_key = attributes.pop("id")["S"], attributes.pop("sk")["S"]
        attributes["rows"] = {"S": json.dumps(item.rows)}
        type(item)._get_connection().put_item(hash_key, range_key, attributes=attributes)


def test_chunks_and_results__stored_compressed__smaller_than_their_json(job):
    items = [*import_selectors.import_chunks(job.job_id), *import_selectors.import_results(job.job_id)]

    assert len(items) == 2
    for item in items:
        stored = _raw_rows(item)
        assert set(stored) == {"B"} and len(stored["B"]) < len(json.dumps(item.rows))


def test_report_and_failed_rows__chunks_and_results_stored_before_as_plain_json__same_downloads(staff_client, job):
    names = ("admin:import_report_download", "admin:import_failed_rows_download")
    before = [b"".join(staff_client.get(reverse(name, args=[job.job_id])).streaming_content) for name in names]
    items = [*import_selectors.import_chunks(job.job_id), *import_selectors.import_results(job.job_id)]

    _store_as_before(items)

    assert all(set(_raw_rows(item)) == {"S"} for item in items)
    after = [b"".join(staff_client.get(reverse(name, args=[job.job_id])).streaming_content) for name in names]
    assert after == before and b"Bad" in after[1]


@pytest.mark.parametrize(
    ("old", "name"),
    [
        ("progress.json", "admin:import_progress_json"),
        ("report.csv", "admin:import_report_download"),
        ("failed-rows.csv", "admin:import_failed_rows_download"),
    ],
)
def test_first_urls_of_an_import__redirect_to_the_imports_section(staff_client, job, old, name):
    response = staff_client.get(f"/imports/{job.job_id}/{old}")

    assert response.status_code == 302 and response["Location"] == reverse(name, args=[job.job_id])


@pytest.mark.parametrize(
    "name", ["admin:import_progress_json", "admin:import_report_download", "admin:import_failed_rows_download"]
)
def test_downloads_with_personal_data__never_stored_by_a_cache(staff_client, job, name):
    response = staff_client.get(reverse(name, args=[job.job_id]))

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# The staff member's language: headers in its words; for pt-BR ";" after a BOM, so Excel opens columns.


@pytest.fixture
def job_with_cpfs(frozen_clock):
    """A finished import of a postpaid company: line 2 enrolled, line 3 refused (its email), both with a bare CPF
    and a name a spreadsheet would run as a formula."""
    company, course = make_company(billing="postpaid"), make_course()
    data = (
        "name,email,cpf,course\n"
        f"=Formula,formula.{company.id}@example.com,{make_cpf(formatted=False)},{course.id}\n"
        f"-Minus,minus-email,11144477735,{course.id}\n"
    ).encode()
    started = import_services.import_start(
        file=io.BytesIO(data), file_name="cpfs.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    return company, course, job_services.job_run_inline(IMPORT, job_id=started.job_id)


def _download(client, name: str, args=(), *, language: str) -> tuple[bytes, list[list[str]]]:
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Language"] == language
    data = b"".join(response.streaming_content)
    assert data.startswith(codecs.BOM_UTF8)
    delimiter = ";" if language == "pt-br" else ","
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def _words(header, language: str) -> list[str]:
    with translation.override(language):
        return [str(words) for words in header]


def test_report_download__pt_br__bom_semicolons_headers_in_portuguese_formulas_neutralized(staff_client, job_with_cpfs):
    _company, _course, job = job_with_cpfs

    _data, rows = _download(staff_client, "admin:import_report_download", [job.job_id], language="pt-br")

    assert rows[0] == _words(REPORT_HEADER, "pt-br") and {len(row) for row in rows} == {7}
    assert rows[0][3::3] == ["resultado", "código do resultado"]
    # The result in words, its code (the same in every language) in the last column.
    assert [(row[0], row[1], row[3], row[6]) for row in rows[1:]] == [
        ("2", "'=Formula", "Matriculada", "enrolled"),
        ("3", "'-Minus", "Inválida", "invalid"),
    ]


def test_report_download__english__commas_after_a_bom(staff_client, job_with_cpfs):
    _company, _course, job = job_with_cpfs

    data, rows = _download(staff_client, "admin:import_report_download", [job.job_id], language="en")

    assert data.decode("utf-8-sig").startswith("line,name,email,result,enrollment id,message,result code\r\n")
    assert rows[0] == _words(REPORT_HEADER, "en") and {len(row) for row in rows} == {7}
    assert [(row[3], row[6]) for row in rows[1:]] == [("Enrolled", "enrolled"), ("Invalid", "invalid")]


def test_failed_rows_download__pt_br__cpf_punctuated_and_the_file_uploads_again_as_it_is(staff_client, job_with_cpfs):
    company, course, job = job_with_cpfs

    data, rows = _download(staff_client, "admin:import_failed_rows_download", [job.job_id], language="pt-br")

    assert rows[0] == _words(FAILED_ROWS_HEADER, "pt-br")
    [(name, email, cpf, course_cell, window, line, error)] = rows[1:]
    assert (name, email, cpf, course_cell, window, line) == (
        "'-Minus",
        "minus-email",
        "111.444.777-35",
        course.id,
        "",
        "3",
    )
    assert error
    # Uploaded again untouched: the same row, read through the ";" and the headers of the language.
    again = import_preview(file=io.BytesIO(data), tenant_id=company.id)
    assert again.file.delimiter == ";" and again.rows_total == 1
    assert [(row.raw.name, row.raw.email, row.raw.cpf, row.raw.course) for row in again.problem_rows] == [
        ("-Minus", "minus-email", "111.444.777-35", course.id)
    ]
    # Fixed, it enrolls: the line and error columns are ignored.
    fixed = data.replace(b";minus-email;", f";minus.{company.id}@example.com;".encode())
    preview = import_preview(file=io.BytesIO(fixed), tenant_id=company.id)
    assert (preview.rows_total, preview.to_enroll, preview.problem_rows) == (1, 1, [])


def test_failed_rows_download__english__commas_and_the_cpf_punctuated(staff_client, job_with_cpfs):
    _company, _course, job = job_with_cpfs

    _data, rows = _download(staff_client, "admin:import_failed_rows_download", [job.job_id], language="en")

    assert rows[0] == ["name", "email", "cpf", "course", "window days", "line", "error"]
    assert [row[2] for row in rows[1:]] == ["111.444.777-35"]


# The import template.

TEMPLATE_COLUMNS = [WRITTEN_HEADERS[name] for name in ("name", "email", "cpf", "course", "window_days")]


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_template_download__headers_of_the_language_and_one_example_row(staff_client, language):
    response = staff_client.get(reverse("admin:import_template_download"), HTTP_ACCEPT_LANGUAGE=language)
    assert response["Content-Disposition"].startswith('attachment; filename="') and response[
        "Content-Disposition"
    ].endswith('.csv"')

    _data, rows = _download(staff_client, "admin:import_template_download", language=language)

    assert rows[0] == _words(TEMPLATE_COLUMNS, language)
    [example] = rows[1:]
    assert example[:3] == ["Maria da Silva", "maria.silva@example.com", "000.000.000-00"] and len(example) == 5


def test_template_download__anonymous_to_login_and_staff_without_the_view_permission_403(client):
    url = reverse("admin:import_template_download")

    assert client.get(url)["Location"] == f"{reverse('admin:login')}?next={url}"
    client.force_login(get_user_model().objects.create_user(username="nobody", password="pw-nobody-1", is_staff=True))
    assert client.get(url).status_code == 403


def test_file_names__pt_br__in_portuguese_and_english_otherwise(staff_client, job):
    def filename(name, *args, language="en"):
        response = staff_client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
        return response["Content-Disposition"].split("filename=", 1)[1]

    assert filename("admin:import_template_download", language="pt-br") == '"modelo-de-importacao.csv"'
    assert filename("admin:import_report_download", job.job_id, language="pt-br") == (
        f'"importacao-{job.job_id}-relatorio.csv"'
    )
    assert filename("admin:import_failed_rows_download", job.job_id, language="pt-br") == (
        f'"importacao-{job.job_id}-linhas-com-erro.csv"'
    )
    assert filename("admin:import_template_download") == '"import-template.csv"'
    assert filename("admin:import_report_download", job.job_id) == f'"import-{job.job_id}-report.csv"'
